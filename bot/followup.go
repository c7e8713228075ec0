package bot

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/survey"
)

// Follow-up plans (rencana tindak lanjut): a unit's admins record, for an
// element, the action, the person in charge and the deadline, then move
// the plan along (planned, under way, done). A new plan is asked for in
// three typed answers; the chat's Mode says which is awaited and Pending
// holds the draft, so the flow survives a restart like a survey does.

// Chat modes of the follow-up flow.
const (
	modePlanAction = "tl_action"
	modePlanOwner  = "tl_owner"
	modePlanDue    = "tl_due"
)

// Limits of the typed answers.
const (
	maxPlanAction = 500
	maxPlanOwner  = 100
	plansShown    = 8 // on the plans screen, actions cut to planRunes
	planRunes     = 120
	plansInIKM    = 5 // on the unit screen, actions cut to planRunesIKM
	planRunesIKM  = 60
)

// planDraft is the plan being asked for, kept in Chat.Pending.
type planDraft struct {
	Unit    string `json:"u"`
	Element string `json:"e"`
	Action  string `json:"a,omitempty"`
	Owner   string `json:"o,omitempty"`
}

// Statuses in callback data, one letter each.
var statusCodes = map[string]string{"o": survey.FollowUpOpen, "p": survey.FollowUpProgress, "d": survey.FollowUpDone}

func validStatus(s string) bool { _, ok := statusCodes[s]; return ok }

func statusCode(status string) string {
	for k, v := range statusCodes {
		if v == status {
			return k
		}
	}
	return ""
}

// tindaklanjut answers /tindaklanjut [CODE]: the unit's plans, with
// buttons to add one or move one along.
func (c *conv) tindaklanjut(arg string) error {
	u, ok, err := c.adminUnit("tindaklanjut", "tl.usage", arg)
	if !ok || err != nil {
		return err
	}
	text, kb, err := c.plansScreen(u)
	if err != nil {
		return err
	}
	c.out.Send(c.in.ChatID, text, kb)
	return nil
}

// plansText lists up to shown plans, each action cut to runes, so that a
// screen stays within one message.
func (c *conv) plansText(b *strings.Builder, plans []survey.FollowUp, shown, runes int) {
	b.WriteString(c.t.text("tl.open_title", map[string]any{"N": len(plans)}) + "\n")
	for _, f := range plans[:min(shown, len(plans))] {
		c.planLine(b, f, runes)
	}
	if n := len(plans) - shown; n > 0 {
		b.WriteString(c.t.text("view.more", map[string]any{"N": n}) + "\n")
	}
}

// plansDoneLine says how many of a unit's plans are done and how fast, as
// the service evaluation scores them; nothing without plans. alone starts
// a paragraph of its own (no list of open plans above it).
func (c *conv) plansDoneLine(b *strings.Builder, s survey.FollowUpStats, alone bool) {
	share, ok := s.Share()
	if !ok {
		return
	}
	if alone {
		b.WriteString("\n")
	}
	data := map[string]any{"Done": s.Done, "Planned": s.Planned, "Share": c.t.num(share), "Within": s.DoneWithinMonth, "Days": s.MedianDays}
	if s.Done == 0 {
		b.WriteString(c.t.text("tl.share_none", data) + "\n")
		return
	}
	b.WriteString(c.t.text("tl.share", data) + "\n")
}

func (c *conv) planLine(b *strings.Builder, f survey.FollowUp, runes int) {
	due := "—"
	if !f.Due.IsZero() {
		due = f.Due.Format("2006-01-02")
		if f.Overdue(c.today()) {
			due += " ⚠️"
		}
	}
	b.WriteString(c.t.text("tl.row", map[string]any{
		"N": f.Seq, "Element": c.elementName(f.Element), "Action": esc(truncate(f.Action, runes)), "Owner": esc(truncate(f.Owner, 50)),
		"Due": due, "Status": c.t.text("tl.status_"+f.Status, nil),
	}) + "\n")
}

// today is the start of the current calendar day.
func (c *conv) today() time.Time {
	y, m, d := c.now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.now.Location())
}

// plansScreen is a unit's plans, the elements to plan for first (its three
// weakest this year), and the buttons.
func (c *conv) plansScreen(u survey.Unit) (string, *models.InlineKeyboardMarkup, error) {
	plans, err := report.UnitPlans(c.tx, u.Code)
	if err != nil {
		return "", nil, err
	}
	year := survey.PeriodOf(survey.PeriodYear, c.now)
	res, err := report.Result(c.tx, u.Code, year, c.b.cfg.Weighting)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	b.WriteString(c.t.text("tl.title", map[string]any{"Unit": esc(u.Name), "Code": esc(u.Code)}) + "\n")
	open, done := plans.Open, plans.Done
	if len(open) == 0 {
		b.WriteString(c.t.text("tl.none_open", nil) + "\n")
	} else {
		c.plansText(&b, open, plansShown, planRunes)
	}
	if done > 0 {
		b.WriteString(c.t.plural("tl.done_count", done, map[string]any{"N": done}) + "\n")
	}
	weak := res.Weakest(3)
	if len(weak) > 0 {
		var parts []string
		for _, e := range weak {
			parts = append(parts, c.elementName(e.Key)+" ("+c.t.num(e.NRR)+")")
		}
		b.WriteString("\n" + c.t.text("tl.priorities", map[string]any{"Period": year.Label, "Elements": strings.Join(parts, ", ")}) + "\n")
	}
	b.WriteString("\n" + c.t.text("tl.how", nil))

	var rows [][]models.InlineKeyboardButton
	for _, f := range open[:min(plansShown, len(open))] {
		var row []models.InlineKeyboardButton
		if f.Status == survey.FollowUpOpen {
			row = append(row, telegram.Button(c.t.text("tl.btn_progress", map[string]any{"N": f.Seq}), encodeFollowUpStatus(u.Code, f.Seq, "p")))
		}
		row = append(row, telegram.Button(c.t.text("tl.btn_done", map[string]any{"N": f.Seq}), encodeFollowUpStatus(u.Code, f.Seq, "d")))
		rows = append(rows, row)
	}
	// The weakest first, then the rest in the regulation's order.
	var order []survey.ElementKey
	for _, e := range weak {
		order = append(order, e.Key)
	}
	for _, e := range survey.Elements {
		if !containsElement(order, e) {
			order = append(order, e)
		}
	}
	var row []models.InlineKeyboardButton
	for i, e := range order {
		label := "+ " + c.elementShort(e)
		if i < len(weak) {
			label = "⚠️ " + label
		}
		row = append(row, telegram.Button(label, encodeNewFollowUp(u.Code, e)))
		if len(row) == 3 {
			rows = append(rows, row)
			row = nil
		}
	}
	rows = append(rows, row, []models.InlineKeyboardButton{telegram.Button("« "+truncate(u.Name, 30), view{kind: 'u', arg: u.Code, period: year}.encode())})
	return strings.TrimRight(b.String(), "\n"), telegram.Keyboard(rows...), nil
}

func containsElement(es []survey.ElementKey, e survey.ElementKey) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

// followUpPress handles the plan buttons; the role was checked for u.
func (c *conv) followUpPress(d adminData, u survey.Unit) error {
	switch d.op {
	case "fn":
		draft, _ := json.Marshal(planDraft{Unit: u.Code, Element: string(d.elem)})
		c.chat.Mode, c.chat.Pending = modePlanAction, string(draft)
		c.out.Answer(c.in.CallbackID, "", false)
		c.out.Send(c.in.ChatID, c.t.text("tl.ask_action", map[string]any{"Element": c.elementName(d.elem), "Code": esc(u.Code), "Max": maxPlanAction}), nil)
		return nil
	case "fs":
		f, err := c.tx.FollowUpOf(u.Code, d.seq)
		if err != nil {
			c.out.Answer(c.in.CallbackID, c.t.text("toast.invalid", nil), false)
			return nil
		}
		if status := statusCodes[d.status]; f.Status != status {
			if _, err := c.tx.SetFollowUpStatus(u.Code, d.seq, status, c.now); err != nil {
				return err
			}
			c.out.Answer(c.in.CallbackID, c.t.text("toast.saved", nil), false)
		}
	}
	text, kb, err := c.plansScreen(u)
	if err != nil {
		return err
	}
	c.show(text, kb)
	return nil
}

// inPlanFlow reports whether the chat is in the middle of a new plan.
func (c *conv) inPlanFlow() bool { return strings.HasPrefix(c.chat.Mode, "tl_") }

// cancelPlan leaves the new-plan flow, if the chat is in it.
func (c *conv) cancelPlan() bool {
	if !c.inPlanFlow() {
		return false
	}
	c.chat.Mode, c.chat.Pending = "", ""
	c.out.Send(c.in.ChatID, c.t.text("tl.cancelled", nil), nil)
	return true
}

// planText takes a typed answer of the new-plan flow. The sender's role is
// checked again: a grant may have been revoked since the flow began.
func (c *conv) planText() error {
	var draft planDraft
	_ = json.Unmarshal([]byte(c.chat.Pending), &draft)
	u, ok := c.b.cfg.Catalog.Unit(draft.Unit)
	r, err := c.role()
	if err != nil {
		return err
	}
	if !ok || !r.sees(u.Code) || survey.ElementIndex(survey.ElementKey(draft.Element)) < 0 {
		c.chat.Mode, c.chat.Pending = "", ""
		c.refuse("tindaklanjut", "admin.refuse_unit")
		return nil
	}
	text := strings.Join(strings.Fields(c.in.Text), " ")
	switch c.chat.Mode {
	case modePlanAction:
		if text == "" || utf8.RuneCountInString(text) > maxPlanAction {
			c.out.Send(c.in.ChatID, c.t.text("tl.too_long", map[string]any{"Max": maxPlanAction}), nil)
			return nil
		}
		draft.Action = text
		c.chat.Mode = modePlanOwner
		c.out.Send(c.in.ChatID, c.t.text("tl.ask_owner", map[string]any{"Max": maxPlanOwner}), nil)
	case modePlanOwner:
		if text == "" || utf8.RuneCountInString(text) > maxPlanOwner {
			c.out.Send(c.in.ChatID, c.t.text("tl.too_long", map[string]any{"Max": maxPlanOwner}), nil)
			return nil
		}
		draft.Owner = text
		c.chat.Mode = modePlanDue
		c.out.Send(c.in.ChatID, c.t.text("tl.ask_due", nil), nil)
	case modePlanDue:
		due, ok := parseDue(text, c.b.cfg.Location)
		if !ok || due.Before(c.today()) {
			c.out.Send(c.in.ChatID, c.t.text("tl.bad_due", nil), nil)
			return nil
		}
		seq, err := c.tx.AddFollowUp(survey.FollowUp{
			Unit: u.Code, Element: survey.ElementKey(draft.Element), Action: draft.Action, Owner: draft.Owner,
			Due: due, Status: survey.FollowUpOpen, By: c.in.UserID, Created: c.now,
		})
		if err != nil {
			return err
		}
		c.chat.Mode, c.chat.Pending = "", ""
		c.b.log.Info("follow-up plan recorded", "unit", u.Code)
		c.out.Send(c.in.ChatID, c.t.text("tl.saved", map[string]any{"N": seq, "Code": esc(u.Code)}), nil)
		screen, kb, err := c.plansScreen(u)
		if err != nil {
			return err
		}
		c.out.Send(c.in.ChatID, screen, kb)
		return nil
	}
	v, _ := json.Marshal(draft)
	c.chat.Pending = string(v)
	return nil
}

// parseDue reads a deadline as 2026-06-30, 30-06-2026 or 30/06/2026.
func parseDue(s string, loc *time.Location) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "02-01-2006", "02/01/2006", "2/1/2006"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
