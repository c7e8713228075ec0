package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// The daily digest (Config.Digest): at DigestHour in the city's time zone
// the notice loop queues one digest for every admin, city admins and unit
// admins alike, and marks the day in the same transaction (digests/ in
// the store), so each admin gets one a day, also across restarts. A bot
// that was down at the hour queues the day's digests when it is back, the
// same day. Digests are notices: they wait behind respondents' replies
// like alerts, and each is drawn when sent, for the admin's role then:
// a unit admin reads their own units only, and someone who is no longer
// an admin gets nothing.
//
// A digest tells what happened yesterday (the last whole day) and where
// the year stands: for a city admin, the city (pooled), its lowest units
// and how many units are below their sample target; for a unit admin,
// each of their units, and their follow-up plans past the deadline.

// digestUnits is how many units a digest lists, for a unit admin of many.
const digestUnits = 10

// queueDigests queues today's digests once the hour has come, and returns
// how many it queued.
func (b *Bot) queueDigests() (int, error) {
	if !b.cfg.Digest {
		return 0, nil
	}
	now := b.now()
	if now.Hour() < b.cfg.DigestHour {
		return 0, nil
	}
	day := survey.DayKey(now)
	var last string
	if err := b.store.View(func(tx *store.Tx) (err error) { last, err = tx.DigestDay(); return err }); err != nil || last >= day {
		return 0, err // ">=": a clock set back must not send a day twice
	}
	n := 0
	err := b.store.Update(func(tx *store.Tx) error {
		n = 0 // Update may run this more than once
		last, err := tx.DigestDay()
		if err != nil || last >= day {
			return err
		}
		admins := slices.Clone(b.cfg.Admins)
		grants, err := tx.Grants()
		if err != nil {
			return err
		}
		for _, g := range grants {
			admins = append(admins, g.User)
		}
		slices.Sort(admins)
		for _, id := range slices.Compact(admins) {
			if _, err := tx.AddNotice(store.Notice{Chat: id, Kind: store.NoticeDigest, Period: day, At: now}); err != nil {
				return err
			}
			n++
		}
		return tx.SetDigestDay(day)
	})
	if err != nil {
		return 0, err
	}
	b.log.Info("daily digests queued", "day", day, "admins", n)
	return n, nil
}

// renderDigest draws the digest queued on n.Period for admin n.Chat, in
// c's language; nil when the recipient is no longer an admin.
func (b *Bot) renderDigest(c *conv, n store.Notice) (*telegram.Call, error) {
	r := role{city: b.IsAdmin(n.Chat)}
	if !r.city {
		codes, err := c.tx.UnitsOf(n.Chat)
		if err != nil {
			return nil, err
		}
		for _, u := range b.cfg.Catalog.Units() {
			if slices.Contains(codes, u.Code) {
				r.units = append(r.units, u)
			}
		}
		if len(r.units) == 0 {
			return nil, nil
		}
	}
	queued, err := time.ParseInLocation("2006-01-02", n.Period, b.cfg.Location)
	if err != nil {
		return nil, fmt.Errorf("digest of day %q: %w", n.Period, err)
	}
	yesterday := queued.AddDate(0, 0, -1)
	dayP, err := survey.ParsePeriod(survey.DayKey(yesterday)+".."+survey.DayKey(yesterday), b.cfg.Location)
	if err != nil {
		return nil, err
	}
	year := survey.PeriodOf(survey.PeriodYear, yesterday)
	units := r.units
	if r.city {
		units = b.cfg.Catalog.Units()
	}
	day, err := report.Summary(c.tx, units, dayP, b.cfg.Weighting)
	if err != nil {
		return nil, err
	}
	sum, err := report.Summary(c.tx, units, year, b.cfg.Weighting)
	if err != nil {
		return nil, err
	}

	var s strings.Builder
	line := func(text string) { s.WriteString(text + "\n") }
	line(c.t.text("digest.title", map[string]any{"Day": dayP.From.Format("2006-01-02")}))
	figures := func(name string, n int, res survey.Result) string {
		data := map[string]any{"Name": name, "New": n, "Period": year.Label, "IKM": c.t.num(res.IKM2), "Mutu": string(res.Mutu), "N": res.Respondents}
		if !res.Valid {
			return c.t.text("digest.row_none", data)
		}
		return c.t.text("digest.row", data)
	}
	v := view{kind: 'c', period: year}
	if r.city {
		line(figures("<b>"+esc(b.cfg.City)+"</b>", day.Respondents(), sum.Pooled))
		if ranked := sum.Ranked(); len(ranked) > 1 {
			var low []string
			// The bottom ones, never the whole ranking.
			for i := len(ranked) - 1; i >= len(ranked)-min(listShown, len(ranked)-1); i-- {
				u := ranked[i]
				low = append(low, esc(u.Unit.Code)+" "+c.t.num(u.Result.IKM2)+" ("+string(u.Result.Mutu)+")")
			}
			line(c.t.text("digest.lowest", map[string]any{"Period": year.Label, "Units": strings.Join(low, " · ")}))
		}
		if below := len(sum.UnitsBelowTarget()); below > 0 {
			line(c.t.plural("digest.below_target", below, map[string]any{"N": below}))
		}
	} else {
		for i, u := range sum.Units {
			if i == digestUnits {
				line(c.t.text("view.more", map[string]any{"N": len(sum.Units) - digestUnits}))
				break
			}
			line(figures("<b>"+esc(u.Unit.Code)+"</b>", day.Units[i].Tally.Respondents, u.Result))
		}
		overdue, err := report.Overdue(c.tx, r.units, queued)
		if err != nil {
			return nil, err
		}
		if overdue > 0 {
			line(c.t.plural("digest.overdue", overdue, map[string]any{"N": overdue}))
		}
		v.kind = 'm'
		if len(r.units) == 1 {
			v.kind, v.arg = 'u', r.units[0].Code
		}
	}
	hour := fmt.Sprintf("%02d:00", b.cfg.DigestHour)
	if c.t.lang == "id" {
		hour = strings.Replace(hour, ":", ".", 1) // "pukul 07.00"
	}
	s.WriteString("\n<i>" + c.t.text("digest.note", map[string]any{"Hour": hour}) + "</i>")
	kb := telegram.Keyboard([]models.InlineKeyboardButton{telegram.Button(c.t.text("digest.btn", nil), v.encode())})
	return &telegram.Call{Method: telegram.SendMessage, ChatID: n.Chat, Text: s.String(), Keyboard: kb, Priority: telegram.Notice}, nil
}
