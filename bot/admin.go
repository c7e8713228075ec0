package bot

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// IsAdmin reports whether a Telegram user is a city admin.
func (b *Bot) IsAdmin(userID int64) bool { return b.admins[userID] }

// maxMessageRunes keeps replies under Telegram's 4096-character limit with a
// margin for entities.
const maxMessageRunes = 4000

// ikm answers /ikm (the city) and /ikm CODE (one unit) for the current
// year. Anyone else gets a refusal and no figures.
func (c *conv) ikm(arg string) error {
	if !c.b.IsAdmin(c.in.userID) {
		c.b.log.Info("admin command refused", "command", "ikm")
		c.reaskBelow(c.t.text("admin.refuse", nil))
		return nil
	}
	period := survey.PeriodOf("year", c.now)
	if arg = strings.TrimSpace(arg); arg != "" {
		u, ok := c.b.cfg.Catalog.Unit(arg)
		if !ok {
			c.out.send(c.in.chatID, c.t.text("admin.unknown_unit", map[string]any{"Code": esc(truncate(arg, 40))}), nil)
			return nil
		}
		sum, err := citySummary(c.tx, []survey.Unit{u}, period, c.b.cfg.Weighting)
		if err != nil {
			return err
		}
		report := c.unitReport(sum.Units[0], period)
		funnel, err := c.funnelReport(u.Code)
		if err != nil {
			return err
		}
		if funnel != "" {
			report += "\n\n" + funnel
		}
		c.out.send(c.in.chatID, report, nil)
		return nil
	}
	sum, err := citySummary(c.tx, c.b.cfg.Catalog.Units(), period, c.b.cfg.Weighting)
	if err != nil {
		return err
	}
	for _, part := range splitMessage(c.cityReport(sum)) {
		c.out.send(c.in.chatID, part, nil)
	}
	return nil
}

// citySummary reads each unit's aggregates for the period: one bucket read
// per month and per leftover day, never a scan of responses.
func citySummary(tx *store.Tx, units []survey.Unit, p survey.Period, w survey.Weighting) (survey.CitySummary, error) {
	tallies := make([]survey.Tally, len(units))
	for i, u := range units {
		t, err := tx.Tally(u.Code, p)
		if err != nil {
			return survey.CitySummary{}, err
		}
		tallies[i] = t
	}
	return survey.Summarize(p, units, tallies, w), nil
}

func (c *conv) cityReport(s survey.CitySummary) string {
	var b strings.Builder
	line := func(id string, data map[string]any) { b.WriteString(c.t.text(id, data) + "\n") }
	line("ikm.city_title", map[string]any{"City": esc(c.b.cfg.City), "Period": s.Period.Label})
	if s.WithData == 0 {
		line("ikm.city_none", nil)
		return b.String()
	}
	line("ikm.city_pooled", map[string]any{"IKM": c.t.num(s.Pooled.IKM2), "Mutu": string(s.Pooled.Mutu), "Kinerja": c.kinerja(s.Pooled.Mutu)})
	line("ikm.city_mean", map[string]any{"IKM": c.t.num(s.MeanIKM2), "Mutu": string(s.MeanMutu), "Kinerja": c.kinerja(s.MeanMutu), "Units": s.WithData})
	line("ikm.city_respondents", map[string]any{"N": s.Respondents(), "Units": s.WithData, "Total": len(s.Units)})
	b.WriteString("\n")
	line("ikm.by_type", nil)
	for _, g := range s.ByType {
		if !g.Result.Valid {
			continue
		}
		fmt.Fprintf(&b, "%s: <b>%s</b> %s (%d)\n", esc(c.typeName(g.Type)), c.t.num(g.Result.IKM2), g.Result.Mutu, g.Result.Respondents)
	}
	b.WriteString("\n")
	line("ikm.units_header", nil)
	ranked := s.Ranked()
	var rows []string
	for _, u := range ranked {
		rows = append(rows, fmt.Sprintf("%-16s %6s %s %4d", esc(u.Unit.Code), c.t.num(u.Result.IKM2), u.Result.Mutu, u.Result.Respondents))
	}
	b.WriteString("<pre>" + strings.Join(rows, "\n") + "</pre>\n")
	if n := len(s.Units) - len(ranked); n > 0 {
		line("ikm.units_empty", map[string]any{"N": n})
	}
	return strings.TrimRight(b.String(), "\n")
}

func (c *conv) unitReport(u survey.UnitSummary, p survey.Period) string {
	var b strings.Builder
	line := func(id string, data map[string]any) { b.WriteString(c.t.text(id, data) + "\n") }
	line("ikm.unit_title", map[string]any{"Unit": esc(u.Unit.Name), "Code": esc(u.Unit.Code), "Period": p.Label})
	r := u.Result
	if !r.Valid {
		line("ikm.unit_none", nil)
		return strings.TrimRight(b.String(), "\n")
	}
	line("ikm.unit_ikm", map[string]any{"IKM": c.t.num(r.IKM2), "Mutu": string(r.Mutu), "Kinerja": c.kinerja(r.Mutu)})
	if u.Target > 0 {
		line("ikm.unit_respondents", map[string]any{"N": r.Respondents, "Target": u.Target})
		if u.BelowTarget() {
			line("ikm.unit_below_target", nil)
		}
	} else {
		line("ikm.unit_respondents_unknown", map[string]any{"N": r.Respondents})
	}
	b.WriteString("\n")
	line("ikm.elements", nil)
	var rows []string
	for _, e := range r.Elements {
		if e.Answers == 0 {
			continue
		}
		rows = append(rows, fmt.Sprintf("%s %s  %s", c.t.num(e.NRR), e.Mutu, esc(c.t.text("element."+string(e.Key)+".name", nil))))
	}
	b.WriteString("<pre>" + strings.Join(rows, "\n") + "</pre>\n")
	if w := r.Weakest(1); len(w) == 1 {
		line("ikm.weakest", map[string]any{"Element": esc(c.t.text("element."+string(w[0].Key)+".name", nil)), "NRR": c.t.num(w[0].NRR)})
	}
	b.WriteString("\n<i>" + c.t.text("ikm.method", nil) + "</i>")
	return b.String()
}

// splitMessage cuts a long report at line breaks into messages Telegram
// accepts, closing and reopening a <pre> block that spans a cut.
func splitMessage(s string) []string {
	if len([]rune(s)) <= maxMessageRunes {
		return []string{s}
	}
	var parts []string
	var cur strings.Builder
	inPre := false
	for _, ln := range strings.Split(s, "\n") {
		if len([]rune(cur.String()))+len([]rune(ln))+7 > maxMessageRunes && cur.Len() > 0 {
			part := cur.String()
			if inPre {
				part += "</pre>"
			}
			parts = append(parts, strings.TrimRight(part, "\n"))
			cur.Reset()
			if inPre {
				cur.WriteString("<pre>")
			}
		}
		cur.WriteString(ln + "\n")
		inPre = (inPre || strings.Contains(ln, "<pre>")) && !strings.Contains(ln, "</pre>")
	}
	return append(parts, strings.TrimRight(cur.String(), "\n"))
}

// maxBackupDocument is the largest file a bot may send through the public
// Bot API (50 MB), less a margin; larger databases are backed up with the
// ikmbot backup command on the server.
const maxBackupDocument = 49 << 20

// backup answers /cadangan: a city admin gets a consistent copy of the
// database as a document. It is drawn after the commit, in a read
// transaction of its own, so it never holds up other chats.
func (c *conv) backup() {
	if !c.b.IsAdmin(c.in.userID) {
		c.b.log.Info("admin command refused", "command", "cadangan")
		c.reaskBelow(c.t.text("admin.refuse", nil))
		return
	}
	c.b.log.Info("backup requested in chat")
	name := "ikmbot-" + c.now.Format("20060102-1504") + ".db"
	caption := c.t.text("backup.caption", map[string]any{"Time": c.now.Format("2006-01-02 15:04 MST")})
	c.out.sendFile(callSendDocument, c.in.chatID, name, caption, c.t.text("backup.failed", nil), func() ([]byte, error) {
		var buf bytes.Buffer
		if _, err := c.b.store.Backup(&buf); err != nil {
			return nil, err
		}
		if buf.Len() > maxBackupDocument {
			return nil, fmt.Errorf("backup of %d bytes is over Telegram's file limit", buf.Len())
		}
		return buf.Bytes(), nil
	})
}
