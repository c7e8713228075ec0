package bot

import (
	"errors"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/survey"
)

// A counter screen's codes and keys are spelled in package deeplink; here
// the bot decides what a scanned code opens.

// resolveCounter decides what a counter payload opens. A fresh code opens
// its unit's survey, marked verified. A stale or forged one is refused, and
// from names the unit so that the refusal can offer its survey unverified:
// the person most likely stands at that counter. The unit's key generation
// is read in this update's transaction, so /loket ganti applies to the
// very next scan, without a restart.
func (c *conv) resolveCounter(payload string) (from entry, refusal string, err error) {
	code, err := deeplink.VerifyCounter(payload, c.now, c.counterKey)
	switch {
	case errors.Is(err, deeplink.ErrPayloadInvalid):
		return entry{}, "picker.unknown", nil
	case err != nil && !errors.Is(err, deeplink.ErrPayloadForged) && !errors.Is(err, deeplink.ErrCounterStale):
		return entry{}, "", err // the store failed
	}
	u, ok := c.b.cfg.Catalog.Unit(code.Code)
	switch {
	case !ok:
		return entry{}, "picker.unknown", nil
	case errors.Is(err, deeplink.ErrPayloadForged):
		return entry{unit: u}, "counter.forged", nil
	case errors.Is(err, deeplink.ErrCounterStale):
		if code.Start().After(c.now) {
			// Only the counter signs: its clock is ahead of ours.
			c.b.log.Warn("counter code from the future: is the counter PC's clock right?", "unit", u.Code, "starts_in", code.Start().Sub(c.now).Round(time.Second))
		}
		return entry{unit: u}, "counter.stale", nil
	}
	return entry{unit: u, via: survey.ViaCounter}, "", nil
}

// counterKey is the current counter key of the unit with this code. A
// code the catalog does not know gets generation 1's key: resolveCounter
// refuses its payload whatever the signature says.
func (c *conv) counterKey(code string) ([]byte, error) {
	gen := 1
	if u, ok := c.b.cfg.Catalog.Unit(code); ok {
		g, err := c.tx.CounterKeyGeneration(u.Code)
		if err != nil {
			return nil, err
		}
		gen = g
	}
	return deeplink.CounterKey(c.b.cfg.Secret, code, gen), nil
}

// offerUnverified says why a counter code cannot verify the visit, and
// offers the unit's survey anyway with the unit picker's own button, so the
// survey begins as if the unit had been picked from the list.
func (c *conv) offerUnverified(reason string, u survey.Unit) {
	c.out.Send(c.in.ChatID, c.t.text(reason, map[string]any{"Unit": esc(u.Name)}), telegram.Keyboard(
		[]models.InlineKeyboardButton{telegram.Button(c.t.text("btn.unverified", nil), encodeUnit(u.Code))},
	))
}

// inPosterFunnel reports whether a way in is counted in the poster funnel
// (store.CountFunnel): deep links of posters are, the counter screen is no
// poster and is not.
func inPosterFunnel(v survey.Via) bool { return v != "" && v != survey.ViaCounter }
