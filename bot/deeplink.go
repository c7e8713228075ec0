package bot

import (
	"errors"
	"strings"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/survey"
)

// entry is how a person came to a survey: through which deep link, of which
// poster. The zero value means no deep link (the picker, a search).
type entry struct {
	unit    survey.Unit
	via     survey.Via
	version int // poster version in the link; 0 for an unsigned link
}

// resolvePayload decides what a /start payload opens. It reads the unit's
// poster version in this update's transaction, so a revocation applies to
// the very next scan, without a restart. When the payload opens nothing,
// refusal is the id of the message that says why; from.unit may still name
// a unit whose survey the refusal offers (a stale counter code).
func (c *conv) resolvePayload(payload string) (from entry, refusal string, err error) {
	if deeplink.LooksCounter(payload) {
		return c.resolveCounter(payload) // counter.go
	}
	p, err := deeplink.VerifyPayload(c.b.cfg.Secret, payload)
	switch {
	case errors.Is(err, deeplink.ErrPayloadInvalid):
		return entry{}, "picker.unknown", nil
	case errors.Is(err, deeplink.ErrPayloadForged):
		return entry{}, "deeplink.forged", nil
	case err != nil:
		return entry{}, "", err
	}
	u, ok := c.b.cfg.Catalog.Unit(p.Code)
	if !ok {
		// Unsigned: a mistyped code. Signed: a unit since removed from the
		// config; either way there is nothing to open.
		return entry{}, "picker.unknown", nil
	}
	if !p.Signed {
		if c.b.cfg.SignedLinksOnly {
			return entry{}, "deeplink.unsigned", nil
		}
		return entry{unit: u, via: survey.ViaPlainLink}, "", nil
	}
	current, err := c.tx.PosterVersion(u.Code)
	if err != nil {
		return entry{}, "", err
	}
	from = entry{unit: u, via: survey.ViaPoster, version: p.Version}
	switch {
	case p.Version < current:
		from.via = survey.ViaOldPoster
	case p.Version > current:
		// Only we sign, so the database has lost a revocation (restored
		// from an older backup?). The poster is genuine: let it work.
		c.b.log.Warn("deep link newer than the stored poster version", "unit", u.Code, "version", p.Version, "stored", current)
	}
	return from, "", nil
}

// pendingEntry recovers the deep link a person scanned while another
// survey was open, when they then tap "start over" (op 'r') for its unit.
func (c *conv) pendingEntry(op byte, u survey.Unit) (entry, error) {
	if op != 'r' || c.chat.Pending == "" || c.chat.Mode != "" {
		return entry{}, nil
	}
	from, refusal, err := c.resolvePayload(c.chat.Pending)
	if err != nil || refusal != "" || !strings.EqualFold(from.unit.Code, u.Code) {
		return entry{}, err
	}
	return from, nil
}
