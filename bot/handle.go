package bot

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// conv is one update being handled inside its write transaction. It reads
// and changes chat, and appends the replies to out.
type conv struct {
	b    *Bot
	tx   *store.Tx
	in   telegram.Update
	chat store.Chat
	t    texts
	now  time.Time
	out  *outbox
	who  *role // the sender's role, once read (see conv.role)
}

func (b *Bot) handleTx(tx *store.Tx, updateID int64, in telegram.Update, out *outbox) error {
	seen, err := tx.SeenUpdate(updateID)
	if err != nil {
		return err
	}
	chat, err := tx.Chat(in.ChatID)
	if err != nil {
		return err
	}
	c := &conv{b: b, tx: tx, in: in, chat: chat, now: b.now(), out: out}
	c.t = b.localizer(b.langFor(chat, in))
	if seen {
		// Telegram redelivered an update we already committed (we may have
		// crashed before replying): change nothing, show where we are.
		return c.reshow(updateID)
	}
	expired, err := c.expireIfIdle()
	if err != nil {
		return err
	}
	planExpired := c.expirePlanIfIdle()
	switch {
	case expired && in.Kind != telegram.KindCommand:
		// The expiry notice is the answer: an answer typed a day later
		// must not leak into a search or a new survey.
	case planExpired && in.Kind == telegram.KindText:
		// Likewise text meant for a plan that has expired: it is not a
		// survey answer.
	case in.Kind == telegram.KindCommand:
		err = c.command()
	case in.Kind == telegram.KindText:
		err = c.text()
	case in.Kind == telegram.KindCallback:
		err = c.callback()
	case in.Kind == telegram.KindMedia:
		err = c.media()
	}
	if err != nil {
		return err
	}
	if in.CallbackID != "" && !out.Answered() {
		out.Answer(in.CallbackID, "", false)
	}
	c.chat.LastUpdate = updateID
	if err := c.save(); err != nil {
		return err
	}
	return tx.MarkUpdate(updateID, c.now)
}

// save keeps the chat record only while there is something to keep: a chat
// id is personal data, so it goes when the conversation ends.
func (c *conv) save() error {
	if c.chat.Session == nil && c.chat.Lang == "" && c.chat.Mode == "" && c.chat.Finished == "" {
		return c.tx.DeleteChat(c.chat.ID)
	}
	c.chat.ID = c.in.ChatID
	c.chat.Touched = c.now
	return c.tx.PutChat(c.chat)
}

// start handles /start with or without a deep-link payload.
func (c *conv) start(payload string) error {
	// /start switches to the survey: a new plan waiting for text ends.
	c.endPlan("tl.cancelled", false)
	if deeplink.LooksInvite(payload) {
		return c.redeemInvite(payload)
	}
	if payload == "" {
		c.chat.Pending = ""
		if c.chat.Session != nil {
			c.askResume(c.chat.Session.Unit)
			return nil
		}
		c.out.Send(c.in.ChatID, c.t.text("picker.intro", nil), c.typesKeyboard())
		return nil
	}
	from, refusal, err := c.resolvePayload(payload)
	if err != nil {
		return err
	}
	if refusal != "" {
		c.b.log.Info("start payload refused", "reason", refusal, slog.Int("len", len(payload)))
		if from.unit.Code != "" {
			c.offerUnverified(refusal, from.unit)
			return nil
		}
		text := c.t.text(refusal, map[string]any{"Code": esc(truncate(payload, 64))}) + "\n\n" + c.t.text("picker.intro", nil)
		c.out.Send(c.in.ChatID, text, c.typesKeyboard())
		return nil
	}
	if inPosterFunnel(from.via) {
		if err := c.tx.CountFunnel(from.unit.Code, from.version, store.FunnelScan); err != nil {
			return err
		}
	}
	if c.chat.Session != nil {
		// Kept so that "start a new survey" still knows the poster.
		c.chat.Pending = payload
		c.askResume(from.unit)
		return nil
	}
	return c.begin(from.unit, 0, from)
}

// begin starts a survey for u. When editMsg is set (a picker message), it
// becomes the welcome; otherwise the welcome is a new message. from says
// which deep link, if any, brought the person; the zero value is none.
func (c *conv) begin(u survey.Unit, editMsg int, from entry) error {
	c.endPlan("tl.cancelled", false)
	hash := c.b.respondentHash(c.in.UserID)
	window := survey.PeriodOf(c.b.cfg.RespondentPeriod, c.now)
	_, repeat, err := c.tx.PriorResponse(u.Code, window.Label, hash)
	if err != nil {
		return err
	}
	welcome := c.t.text("welcome", map[string]any{"Unit": esc(u.Name)})
	if extra := c.extrasWelcome(u); extra != "" {
		welcome += "\n\n" + extra
	}
	if from.via == survey.ViaOldPoster {
		welcome = c.t.text("deeplink.outdated", map[string]any{"Unit": esc(u.Name)}) + "\n\n" + welcome
	}
	if repeat {
		data := map[string]any{"Unit": esc(u.Name), "Period": window.Label}
		if !c.b.cfg.AllowReplace {
			c.sendOrEdit(editMsg, c.t.text("repeat.refuse", data), nil)
			return nil
		}
		welcome += "\n\n" + c.t.text("repeat.replace", data)
	}
	s, _ := survey.NewSession(c.b.cfg.NewID(), u, hash, c.now)
	s.Via, s.Poster = from.via, from.version
	if inPosterFunnel(from.via) {
		if err := c.tx.CountFunnel(u.Code, from.version, store.FunnelStart); err != nil {
			return err
		}
	}
	c.chat.Session, c.chat.Mode, c.chat.Pending, c.chat.QuestionMsg = s, "", "", 0
	c.out.events.started++
	c.sendOrEdit(editMsg, welcome, nil)
	text, kb := c.question(s)
	c.out.sendQuestion(c.in.ChatID, s.ID, text, kb)
	return nil
}

func (c *conv) sendOrEdit(msgID int, text string, kb *models.InlineKeyboardMarkup) {
	if msgID != 0 {
		c.out.Edit(c.in.ChatID, msgID, text, kb)
		return
	}
	c.out.Send(c.in.ChatID, text, kb)
}

// askResume offers to continue the open survey or to start over, for the
// same unit or for the newly scanned one; it never opens a second survey.
func (c *conv) askResume(next survey.Unit) {
	s := c.chat.Session
	data := map[string]any{"Unit": esc(s.Unit.Name), "NewUnit": esc(next.Name), "Done": s.Step, "Total": len(s.Steps())}
	id, restart := "resume.ask", "btn.restart"
	if !strings.EqualFold(next.Code, s.Unit.Code) {
		id, restart = "resume.ask_other", "btn.start_new"
	}
	c.out.Send(c.in.ChatID, c.t.text(id, data), telegram.Keyboard(
		[]models.InlineKeyboardButton{telegram.Button(c.t.text("btn.continue", nil), encodeContinue(s.ID))},
		[]models.InlineKeyboardButton{telegram.Button(c.t.text(restart, nil), encodeRestart(next.Code))},
	))
}

func (c *conv) cancel() error {
	s := c.chat.Session
	if s == nil {
		c.out.Send(c.in.ChatID, c.t.text("cancel.none", nil), nil)
		return nil
	}
	if err := c.abandon(); err != nil {
		return err
	}
	c.out.Send(c.in.ChatID, c.t.text("cancel.done", nil), nil)
	return nil
}

// abandon closes the open survey, keeping any answers as incomplete.
func (c *conv) abandon() error {
	s := c.chat.Session
	if s.Answered() {
		if err := c.tx.AddIncomplete(s.Partial(s.Updated)); err != nil {
			return err
		}
	}
	c.out.RemoveKeyboard(c.in.ChatID, c.chat.QuestionMsg)
	c.chat.Session, c.chat.QuestionMsg = nil, 0
	return nil
}

// expireIfIdle closes a survey that sat idle past the TTL before acting on
// the new input, so an old button cannot revive it.
func (c *conv) expireIfIdle() (bool, error) {
	s := c.chat.Session
	if s == nil || !s.Expired(c.now, c.b.cfg.SessionTTL) {
		return false, nil
	}
	return true, c.expire()
}

// expire closes the open survey for idleness and says so: in place of the
// question when the person pressed one of its buttons or nobody is there
// (the sweep), else below the person's new message.
func (c *conv) expire() error {
	s := c.chat.Session
	if s.Answered() {
		if err := c.tx.AddIncomplete(s.Partial(s.Updated)); err != nil {
			return err
		}
	}
	c.out.events.expired++
	hours := int(c.b.cfg.SessionTTL.Hours())
	text := c.t.plural("expired", hours, map[string]any{"Unit": esc(s.Unit.Name), "Hours": hours})
	kb := telegram.Keyboard([]models.InlineKeyboardButton{telegram.Button(c.t.text("btn.start_again", nil), encodeUnit(s.Unit.Code))})
	if c.in.Kind == telegram.KindIgnored || c.in.Kind == telegram.KindCallback && c.in.MessageID == c.chat.QuestionMsg {
		c.sendOrEdit(c.chat.QuestionMsg, text, kb)
	} else {
		c.out.RemoveKeyboard(c.in.ChatID, c.chat.QuestionMsg)
		c.out.Send(c.in.ChatID, text, kb)
	}
	c.chat.Session, c.chat.QuestionMsg = nil, 0
	return nil
}

func (c *conv) text() error {
	if c.inPlanFlow() {
		// One typed input at a time: the plan's, while it waits.
		return c.planText()
	}
	if c.chat.Session == nil {
		c.search(c.in.Text)
		return nil
	}
	// Someone who types an answer's label ("SMA", "Perempuan") instead of
	// tapping it means that answer.
	s := c.chat.Session
	st := s.Current()
	for i, v := range st.Choices(s.Unit) {
		if strings.EqualFold(strings.TrimSpace(c.in.Text), c.choiceLabel(st, v, i)) {
			return c.apply(survey.Input{Kind: survey.InputChoice, Step: survey.CurrentStep, Choice: i}, false)
		}
	}
	return c.apply(survey.Input{Kind: survey.InputText, Step: survey.CurrentStep, Text: c.in.Text}, false)
}

func (c *conv) media() error {
	if c.chat.Session == nil {
		c.out.Send(c.in.ChatID, c.t.text("hint.no_survey", nil), nil)
		return nil
	}
	c.reaskBelow(c.t.text("hint.media", nil))
	return nil
}

// reaskBelow moves the current question under the person's last message,
// with hint above it, leaving one live keyboard in the chat. Without an open
// survey it sends just the hint.
func (c *conv) reaskBelow(hint string) {
	s := c.chat.Session
	if c.inPlanFlow() {
		// The plan's prompt is what the chat waits for, not the survey's
		// question (followup.go).
		text := c.planPrompt()
		if hint != "" {
			text = hint + "\n\n" + text
		}
		c.out.Send(c.in.ChatID, text, nil)
		return
	}
	if s == nil {
		if hint != "" {
			c.out.Send(c.in.ChatID, hint, nil)
		}
		return
	}
	text, kb := c.question(s)
	if hint != "" {
		text = hint + "\n\n" + text
	}
	// QuestionMsg keeps the old message until the new one's id is recorded
	// after the send: if the process dies in between, a redelivery edits
	// the old message into the current question instead of leaving its
	// buttons live beside a second copy.
	c.out.RemoveKeyboard(c.in.ChatID, c.chat.QuestionMsg)
	c.out.sendQuestion(c.in.ChatID, s.ID, text, kb)
}

// reshow brings the chat back to the current question after a redelivered
// update, without changing anything: editing to identical content is
// harmless ("message is not modified" counts as success).
func (c *conv) reshow(updateID int64) error {
	s := c.chat.Session
	if s == nil && c.chat.Finished != "" && updateID == c.chat.LastUpdate {
		// The update that finished the survey: its thank-you may be lost.
		if c.in.CallbackID != "" {
			if d, ok := parseCallback(c.in.Data); ok {
				_, err := c.rethank(d.sid)
				return err
			}
		}
		unit, ok := c.b.cfg.Catalog.Unit(c.chat.FinishedUnit)
		if ok {
			year := survey.PeriodOf("year", c.now)
			res, err := report.Result(c.tx, unit.Code, year, c.b.cfg.Weighting)
			if err != nil {
				return err
			}
			c.out.Send(c.in.ChatID, c.thanks(unit, year, res), nil)
		}
		return nil
	}
	if c.in.CallbackID != "" {
		c.out.Answer(c.in.CallbackID, c.t.text("toast.recorded", nil), false)
	}
	if s == nil {
		return nil
	}
	text, kb := c.question(s)
	if c.chat.QuestionMsg != 0 {
		c.out.Edit(c.in.ChatID, c.chat.QuestionMsg, text, kb)
		return nil
	}
	c.out.sendQuestion(c.in.ChatID, s.ID, text, kb)
	return nil
}

func (c *conv) callback() error {
	if d, ok := parseAdminData(c.in.Data, c.b.cfg.Location); ok {
		c.out.SetPriority(telegram.Screen)
		return c.adminPress(d)
	}
	d, ok := parseCallback(c.in.Data)
	if !ok {
		c.b.log.Warn("malformed callback data", slog.Int("len", len(c.in.Data)))
		c.out.Answer(c.in.CallbackID, c.t.text("toast.invalid", nil), false)
		return nil
	}
	s := c.chat.Session
	if strings.IndexByte("akbc", d.op) >= 0 && s != nil && s.ID == d.sid {
		// A press on the open survey switches to it: a new plan waiting
		// for text ends, so that the next text is the survey's.
		c.endPlan("tl.left_for_survey", false)
	}
	switch d.op {
	case 'a', 'k', 'b':
		if s == nil || s.ID != d.sid {
			if done, err := c.rethank(d.sid); done || err != nil {
				return err
			}
			c.stale()
			return nil
		}
		in := survey.Input{Step: d.step}
		switch d.op {
		case 'a':
			in.Kind, in.Choice = survey.InputChoice, d.choice
		case 'k':
			in.Kind = survey.InputSkip
		case 'b':
			in.Kind = survey.InputBack
		}
		return c.apply(in, true)
	case 'c':
		if s == nil || s.ID != d.sid {
			c.stale()
			return nil
		}
		c.chat.Pending = ""
		c.out.Edit(c.in.ChatID, c.in.MessageID, c.t.text("resume.continued", nil), nil)
		c.reaskBelow("")
		return nil
	case 'r', 'u':
		u, ok := c.b.cfg.Catalog.Unit(d.arg)
		if !ok {
			c.out.Answer(c.in.CallbackID, c.t.text("toast.invalid", nil), false)
			return nil
		}
		if s != nil && d.op == 'u' {
			c.askResume(u)
			return nil
		}
		if s != nil {
			if err := c.abandon(); err != nil {
				return err
			}
		}
		from, err := c.pendingEntry(d.op, u)
		if err != nil {
			return err
		}
		// The picker or prompt stays readable above; only its buttons go.
		c.out.RemoveKeyboard(c.in.ChatID, c.in.MessageID)
		return c.begin(u, 0, from)
	case 'T':
		c.out.Edit(c.in.ChatID, c.in.MessageID, c.t.text("picker.intro", nil), c.typesKeyboard())
		return nil
	case 't':
		text, kb, ok := c.typePage(survey.UnitType(d.arg), d.page)
		if !ok {
			c.out.Answer(c.in.CallbackID, c.t.text("toast.invalid", nil), false)
			return nil
		}
		c.out.Edit(c.in.ChatID, c.in.MessageID, text, kb)
		return nil
	case 'l':
		if d.arg != "id" && d.arg != "en" {
			c.out.Answer(c.in.CallbackID, c.t.text("toast.invalid", nil), false)
			return nil
		}
		c.chat.Lang = d.arg
		c.t = c.b.localizer(d.arg)
		// An admin's choice outlives the chat record: notices use it.
		if r, err := c.role(); err != nil {
			return err
		} else if r.admin() {
			if err := c.tx.SetAdminLang(c.in.UserID, d.arg, true); err != nil {
				return err
			}
		}
		c.out.Edit(c.in.ChatID, c.in.MessageID, c.t.text("language.set", nil), nil)
		c.reaskBelow("")
		return nil
	}
	return nil
}

// stale answers a press on a button of a survey that is no longer open, or
// of an earlier session, and strips that old keyboard.
func (c *conv) stale() {
	c.out.Answer(c.in.CallbackID, c.t.text("toast.stale", nil), false)
	if c.in.MessageID != c.chat.QuestionMsg && !c.in.Gone {
		c.out.RemoveKeyboard(c.in.ChatID, c.in.MessageID)
	}
}

// apply feeds an input to the open survey and renders the outcome. Button
// answers edit the question in place; typed answers move the next question
// below the person's message.
func (c *conv) apply(in survey.Input, viaButton bool) error {
	s := c.chat.Session
	for _, ev := range s.Apply(c.now, in) {
		switch e := ev.(type) {
		case survey.AnswerRejected:
			c.rejected(e.Reason, viaButton)
			return nil
		case survey.Completed:
			return c.complete(e.Response, viaButton)
		case survey.QuestionAsked:
			text, kb := c.question(s)
			if viaButton {
				c.out.Edit(c.in.ChatID, c.in.MessageID, text, kb)
				if c.chat.QuestionMsg != c.in.MessageID {
					// A second copy of the question, sent again after a
					// crash, must not stay live above or below this one.
					c.out.RemoveKeyboard(c.in.ChatID, c.chat.QuestionMsg)
				}
				c.chat.QuestionMsg = c.in.MessageID
			} else {
				c.reaskBelow("")
			}
		}
	}
	return nil
}

func (c *conv) rejected(r survey.RejectReason, viaButton bool) {
	if viaButton {
		id := map[survey.RejectReason]string{
			survey.RejectStale:        "toast.recorded",
			survey.RejectNotSkippable: "hint.not_skippable",
			survey.RejectNoBack:       "hint.no_back",
		}[r]
		if id == "" {
			id = "toast.invalid"
		}
		c.out.Answer(c.in.CallbackID, c.t.text(id, nil), false)
		switch {
		case r != survey.RejectStale:
		case c.in.MessageID == c.chat.QuestionMsg || c.chat.QuestionMsg == 0:
			// A press on an earlier step in the question message itself
			// means the screen may be behind (say, a reply lost in a
			// crash): bring it up to the current question. When it already
			// shows it, Telegram answers "not modified": harmless.
			text, kb := c.question(c.chat.Session)
			c.out.Edit(c.in.ChatID, c.in.MessageID, text, kb)
			c.chat.QuestionMsg = c.in.MessageID
		default:
			// An older copy of a question: the current one is below.
			c.out.RemoveKeyboard(c.in.ChatID, c.in.MessageID)
		}
		return
	}
	var hint string
	switch r {
	case survey.RejectBadAge:
		hint = c.t.text("hint.bad_age", map[string]any{"Min": survey.MinAge, "Max": survey.MaxAge})
	case survey.RejectTooLong:
		hint = c.t.text("hint.too_long", map[string]any{"N": utf8.RuneCountInString(strings.TrimSpace(c.in.Text)), "Max": survey.MaxSuggestionRunes})
	case survey.RejectEmpty:
		hint = c.t.text("hint.empty", nil)
	default:
		hint = c.t.text("hint.needs_button", nil)
	}
	c.reaskBelow(hint)
}

// complete stores the response, with the unit's aggregates, in this same
// transaction, and thanks the person with the unit's live IKM.
func (c *conv) complete(r survey.Response, viaButton bool) error {
	// One response per person per unit per window, as every channel keeps
	// it: a repeat (another survey of theirs completed since this one
	// began) replaces the earlier answer when allowed, and is otherwise
	// kept as incomplete, so nobody is counted twice.
	window := survey.PeriodOf(c.b.cfg.RespondentPeriod, r.Submitted).Label
	outcome, err := c.tx.AddCompleted(&r, window, c.b.cfg.AllowReplace)
	if err != nil {
		return fmt.Errorf("store response: %w", err)
	}
	if inPosterFunnel(r.Via) {
		if err := c.tx.CountFunnel(r.Unit, r.Poster, store.FunnelComplete); err != nil {
			return err
		}
	}
	year := survey.PeriodOf("year", c.now)
	res, err := report.Result(c.tx, r.Unit, year, c.b.cfg.Weighting)
	if err != nil {
		return err
	}
	if outcome != store.KeptIncomplete {
		// Counted: admins may have to hear of it (alert.go).
		if err := c.alert(r, year, res); err != nil {
			return err
		}
	}
	unit := c.chat.Session.Unit
	text := c.thanks(unit, year, res)
	if viaButton {
		c.out.EditScreen(c.in.ChatID, c.in.MessageID, thanksScreen(c.chat.Session.ID), text, nil)
		if c.chat.QuestionMsg != c.in.MessageID {
			c.out.RemoveKeyboard(c.in.ChatID, c.chat.QuestionMsg)
		}
	} else {
		c.out.RemoveKeyboard(c.in.ChatID, c.chat.QuestionMsg)
		c.out.SendScreen(c.in.ChatID, thanksScreen(c.chat.Session.ID), text, nil)
	}
	c.chat.Finished, c.chat.FinishedUnit = c.chat.Session.ID, unit.Code
	c.chat.Session, c.chat.QuestionMsg = nil, 0
	c.out.events.completed++
	return nil
}

// thanksScreen names the thank-you of session sid for the Sender: a
// message that shows it already is not edited again (a double tap on the
// last question), though the live figures in it may have moved on.
func thanksScreen(sid string) string { return "thanks:" + sid }

// thanks is the closing message with the unit's live IKM for the year.
func (c *conv) thanks(unit survey.Unit, year survey.Period, res survey.Result) string {
	text := c.t.text("thanks", map[string]any{"Unit": esc(unit.Name)})
	if res.Valid {
		text += "\n\n" + c.t.text("thanks_ikm", map[string]any{
			"Period": year.Label, "IKM": c.t.num(res.IKM2), "Mutu": string(res.Mutu),
			"Kinerja": c.kinerja(res.Mutu), "Respondents": res.Respondents,
		})
	}
	return text + "\n\n" + c.t.text("thanks_more", nil)
}

// rethank shows the thank-you again in place of the pressed message, for a
// press on the last question of a survey that is already complete: the
// reply that said so was lost (a crash after the commit, or every retry of
// the edit failing). It reports whether the press was such a one.
func (c *conv) rethank(sid string) (bool, error) {
	if sid == "" || sid != c.chat.Finished || c.chat.Session != nil {
		return false, nil
	}
	unit, ok := c.b.cfg.Catalog.Unit(c.chat.FinishedUnit)
	if !ok {
		return false, nil
	}
	year := survey.PeriodOf("year", c.now)
	res, err := report.Result(c.tx, unit.Code, year, c.b.cfg.Weighting)
	if err != nil {
		return false, err
	}
	c.out.Answer(c.in.CallbackID, c.t.text("toast.recorded", nil), false)
	if !c.in.Gone {
		c.out.EditScreen(c.in.ChatID, c.in.MessageID, thanksScreen(sid), c.thanks(unit, year, res), nil)
	}
	return true, nil
}

// kinerja is the performance label of a grade in the chat's language
// (locale kinerja.<grade>); "" for no grade, as Mutu.Kinerja.
func (c *conv) kinerja(m survey.Mutu) string {
	if m.Kinerja() == "" {
		return ""
	}
	return c.t.text("kinerja."+string(m), nil)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func itoa(n int) string { return strconv.Itoa(n) }
