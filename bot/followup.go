package bot

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// Follow-up plans (rencana tindak lanjut): a unit's admins record, for an
// element, the action, the person in charge and the deadline, then move
// the plan along (planned, under way, done). A new plan is asked for in
// three typed answers; the chat's Mode says which is awaited and Pending
// holds the draft, so the flow survives a restart like a survey does.
//
// A chat waits for one typed input at a time. An admin may be answering
// a survey when they tap "+ element": the survey is then on hold (its
// question loses its buttons, and anything that would show the question
// again shows the plan's prompt instead), and comes back below once the
// plan is saved, cancelled with /batal, or left for planTTL. A survey
// button pressed meanwhile, /start or a unit picked ends the new plan,
// saying so. Text that arrives after the plan expired is taken as
// nothing: it was meant for the plan.

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

// planTTL is how long a new plan waits for its next typed answer.
const planTTL = 30 * time.Minute

// planDraft is the plan being asked for, kept in Chat.Pending.
type planDraft struct {
	Unit    string `json:"u"`
	Element string `json:"e"`
	Action  string `json:"a,omitempty"`
	Owner   string `json:"o,omitempty"`
	// At is when the flow last asked for something (Unix seconds); a
	// draft without it, stored before drafts expired, counts as expired.
	At int64 `json:"t,omitempty"`
}

// Statuses in callback data, one letter each.
var statusCodes = map[string]string{"o": survey.FollowUpOpen, "p": survey.FollowUpProgress, "d": survey.FollowUpDone}

func statusCode(status string) string {
	for k, v := range statusCodes {
		if v == status {
			return k
		}
	}
	return ""
}

// statusRank orders the statuses: a plan only ever moves forward.
func statusRank(status string) int {
	switch status {
	case survey.FollowUpOpen:
		return 1
	case survey.FollowUpProgress:
		return 2
	case survey.FollowUpDone:
		return 3
	}
	return 0
}

// parseStatusMove reads a status button's move: two letters, the status
// the button was drawn for and the one it sets, forward only; or, in
// buttons sent before the first was added, the second alone. to is ""
// for anything else.
func parseStatusMove(s string) (from, to string) {
	switch len(s) {
	case 1:
		return "", statusCodes[s]
	case 2:
		from, to = statusCodes[s[:1]], statusCodes[s[1:]]
		if from == "" || statusRank(to) <= statusRank(from) {
			return "", ""
		}
		return from, to
	}
	return "", ""
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
	weak := res.Priorities(3)
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
			row = append(row, telegram.Button(c.t.text("tl.btn_progress", map[string]any{"N": f.Seq}), encodeFollowUpStatus(u.Code, f.Seq, f.Status, survey.FollowUpProgress)))
		}
		row = append(row, telegram.Button(c.t.text("tl.btn_done", map[string]any{"N": f.Seq}), encodeFollowUpStatus(u.Code, f.Seq, f.Status, survey.FollowUpDone)))
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
		c.chat.Mode = modePlanAction
		c.putDraft(planDraft{Unit: u.Code, Element: string(d.elem)})
		c.out.Answer(c.in.CallbackID, "", false)
		text := c.planPrompt()
		if s := c.chat.Session; s != nil {
			// The survey waits: its buttons go, so that the one thing
			// the chat asks for is the plan's action.
			c.out.RemoveKeyboard(c.in.ChatID, c.chat.QuestionMsg)
			c.chat.QuestionMsg = 0
			text += "\n\n" + c.t.text("tl.survey_waits", map[string]any{"Unit": esc(s.Unit.Name)})
		}
		c.out.Send(c.in.ChatID, text, nil)
		return nil
	case "fs":
		f, err := c.tx.FollowUpOf(u.Code, d.seq)
		if err != nil {
			c.out.Answer(c.in.CallbackID, c.t.text("toast.invalid", nil), false)
			return nil
		}
		switch {
		case f.Status == d.status:
			// A double tap: already done.
		case d.from != "" && d.from != f.Status || statusRank(d.status) < statusRank(f.Status):
			// A button of an older screen: the plan has moved since, and
			// a finished plan never goes back. Show it as it is.
			c.out.Answer(c.in.CallbackID, c.t.text("tl.stale", map[string]any{"N": f.Seq, "Status": c.t.text("tl.status_"+f.Status, nil)}), true)
		default:
			if _, err := c.tx.SetFollowUpStatus(u.Code, d.seq, d.status, c.in.UserID, c.now); err != nil {
				return err
			}
			if _, err := c.tx.AddAudit(store.AuditEntry{At: c.now, By: c.in.UserID, Action: store.AuditPlanStatus, Unit: u.Code,
				Detail: planStatusDetail(f.Seq, f.Status, d.status)}); err != nil {
				return err
			}
			c.b.log.Info("follow-up plan moved", "unit", u.Code, "status", d.status)
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

// planStatusDetail is an audit entry's detail of a plan's move, as
// auditLine reads it back: "#3 open progress".
func planStatusDetail(seq uint64, from, to string) string {
	return "#" + strconv.FormatUint(seq, 10) + " " + from + " " + to
}

// inPlanFlow reports whether the chat is in the middle of a new plan.
func (c *conv) inPlanFlow() bool { return strings.HasPrefix(c.chat.Mode, "tl_") }

// draft is the new plan being asked for.
func (c *conv) draft() planDraft {
	var d planDraft
	_ = json.Unmarshal([]byte(c.chat.Pending), &d)
	return d
}

// putDraft keeps d as the new plan, asked for now.
func (c *conv) putDraft(d planDraft) {
	d.At = c.now.Unix()
	v, _ := json.Marshal(d)
	c.chat.Pending = string(v)
}

// planPrompt asks again for what the new plan waits for.
func (c *conv) planPrompt() string {
	switch c.chat.Mode {
	case modePlanOwner:
		return c.t.text("tl.ask_owner", map[string]any{"Max": maxPlanOwner})
	case modePlanDue:
		return c.t.text("tl.ask_due", nil)
	}
	d := c.draft()
	return c.t.text("tl.ask_action", map[string]any{"Element": c.elementName(survey.ElementKey(d.Element)), "Code": esc(d.Unit), "Max": maxPlanAction})
}

// endPlan leaves the new-plan flow, if the chat is in it, saying so with
// message id (none when ""). With resume, a survey the plan held up shows
// its question again below.
func (c *conv) endPlan(id string, resume bool) bool {
	if !c.inPlanFlow() {
		return false
	}
	c.chat.Mode, c.chat.Pending = "", ""
	var text string
	if id != "" {
		text = c.t.text(id, map[string]any{"Minutes": int(planTTL.Minutes())})
	}
	switch {
	case resume && c.chat.Session != nil:
		if text != "" {
			text += "\n"
		}
		c.reaskBelow(text + c.t.text("tl.survey_resumes", map[string]any{"Unit": esc(c.chat.Session.Unit.Name)}))
	case text != "":
		c.out.Send(c.in.ChatID, text, nil)
	}
	return true
}

// cancelPlan answers /batal in the new-plan flow; false when the chat is
// not in it.
func (c *conv) cancelPlan() bool { return c.endPlan("tl.cancelled", true) }

// expirePlanIfIdle ends a new plan that has waited past planTTL, before
// the new input is acted on; it reports whether it did.
func (c *conv) expirePlanIfIdle() bool {
	if !c.inPlanFlow() || c.now.Sub(time.Unix(c.draft().At, 0)) < planTTL {
		return false
	}
	return c.endPlan("tl.expired", true)
}

// planText takes a typed answer of the new-plan flow. The sender's role is
// checked again: a grant may have been revoked since the flow began.
func (c *conv) planText() error {
	draft := c.draft()
	u, ok := c.b.cfg.Catalog.Unit(draft.Unit)
	r, err := c.role()
	if err != nil {
		return err
	}
	if !ok || !r.sees(u.Code) || survey.ElementIndex(survey.ElementKey(draft.Element)) < 0 {
		c.endPlan("", false)
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
		if !strings.ContainsFunc(text, unicode.IsLetter) {
			// "34" is an age typed for a survey, never an action.
			c.reaskBelow(c.t.text("tl.action_words", nil))
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
		if _, err := c.tx.AddAudit(store.AuditEntry{At: c.now, By: c.in.UserID, Action: store.AuditPlanAdd, Unit: u.Code,
			Detail: "#" + strconv.FormatUint(seq, 10) + " " + draft.Element}); err != nil {
			return err
		}
		c.b.log.Info("follow-up plan recorded", "unit", u.Code)
		c.out.Send(c.in.ChatID, c.t.text("tl.saved", map[string]any{"N": seq, "Code": esc(u.Code)}), nil)
		screen, kb, err := c.plansScreen(u)
		if err != nil {
			return err
		}
		c.out.Send(c.in.ChatID, screen, kb)
		c.endPlan("", true)
		return nil
	}
	c.putDraft(draft)
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
