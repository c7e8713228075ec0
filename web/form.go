package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// questionView is the body of a question page.
type questionView struct {
	Unit        survey.Unit
	Progress    template.HTML
	Step, Steps int
	Heading     string // the element's name on element questions
	Question    template.HTML
	Choices     []choiceView
	Input       bool   // a one-line typed answer (age)
	Textarea    bool   // a long typed answer (suggestion)
	Text        string // typed text to show again after a refusal
	MaxRunes    int
	Hint        template.HTML // why the last answer was refused
	Notice      template.HTML // e.g. an out-of-date page was sent
	Skip        string        // the skip button's label; "" when the question must be answered
	Back        bool
	Action      string
	Seq         int
	Token       string
}

// choiceView is one answer button: its value posts as a=c<index>.
type choiceView struct {
	Value string
	Label string
}

// thanksView is the body of the thank-you page.
type thanksView struct {
	Unit   survey.Unit
	Thanks template.HTML
	IKM    template.HTML
}

// messageView is the body of a page that only says something about a
// survey (expired, none open).
type messageView struct {
	Heading string
	Message template.HTML
}

// form is GET /f/{unit}: the question the browser's survey of the unit is
// at, or the thank-you once it is done.
func (s *Server) form(w http.ResponseWriter, r *http.Request) {
	u, ok := s.cfg.Catalog.Unit(r.PathValue("unit"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "web.error.unknown_unit")
		return
	}
	b, ok := s.readBrowser(r)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "web.error.no_survey")
		return
	}
	hash := s.respondent(b)
	now := s.now()
	var (
		ws     store.WebSession
		open   bool
		repeat bool
	)
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		if ws, open, err = tx.WebSession(hash, u.Code); err != nil || open {
			return err
		}
		_, repeat, err = tx.PriorResponse(u.Code, survey.PeriodOf(s.cfg.RespondentPeriod, now).Label, hash)
		return err
	})
	if err != nil {
		s.log.Error("web: form", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
		return
	}
	switch {
	case open && ws.Session.Expired(now, s.cfg.SessionTTL):
		s.expire(w, r, hash, u, ws.Lang)
	case open:
		t := s.texts(s.pageLang(r, ws.Lang))
		var notice template.HTML
		if r.URL.Query().Get("stale") == "1" {
			notice = t.html("web.form.stale")
		}
		s.renderQuestion(w, r, http.StatusOK, t, b, ws, "", notice, "")
	case repeat:
		s.thanks(w, r, u)
	default:
		s.fail(w, r, http.StatusNotFound, "web.error.no_survey")
	}
}

// answer is POST /f/{unit}: one answer, skip or back, fed to the session in
// one transaction.
func (s *Server) answer(w http.ResponseWriter, r *http.Request) {
	u, ok := s.cfg.Catalog.Unit(r.PathValue("unit"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "web.error.unknown_unit")
		return
	}
	b, ok := s.readBrowser(r)
	if !ok {
		s.fail(w, r, http.StatusForbidden, "web.error.csrf")
		return
	}
	if !s.parsePost(w, r) {
		return
	}
	seq, err := strconv.Atoi(r.PostForm.Get("n"))
	if err != nil || seq < 0 {
		seq = -1
	}
	token := r.PostForm.Get("t")
	in := inputOf(r.PostForm.Get("a"), r.PostForm.Get("text"))
	hash := s.respondent(b)
	now := s.now()
	var (
		outcome string
		reason  survey.RejectReason
		ws      store.WebSession
		repeat  bool
	)
	err = s.st.Update(func(tx *store.Tx) error {
		outcome, reason, repeat = "", 0, false
		var open bool
		var err error
		if ws, open, err = tx.WebSession(hash, u.Code); err != nil {
			return err
		}
		if !open {
			outcome = "none"
			_, repeat, err = tx.PriorResponse(u.Code, survey.PeriodOf(s.cfg.RespondentPeriod, now).Label, hash)
			return err
		}
		if seq < 0 || !s.checkToken(token, b, "form", strings.ToUpper(u.Code), ws.Session.ID, strconv.Itoa(seq)) {
			outcome = "csrf"
			return nil
		}
		if seq != ws.Seq {
			outcome = "stale"
			return nil
		}
		if ws.Session.Expired(now, s.cfg.SessionTTL) {
			outcome = "expired"
			return closeSession(tx, ws)
		}
		for _, ev := range ws.Session.Apply(now, in) {
			switch e := ev.(type) {
			case survey.AnswerRejected:
				outcome, reason = "rejected", e.Reason
				return nil
			case survey.Completed:
				outcome = "completed"
				return s.complete(tx, e.Response)
			}
		}
		outcome = "next"
		ws.Seq++
		return tx.PutWebSession(ws)
	})
	if err != nil {
		s.log.Error("web: answer", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
		return
	}
	switch outcome {
	case "none":
		if repeat {
			// The answer that completed the survey was already taken (a
			// double tap, a replayed post): show where things are.
			http.Redirect(w, r, formPath(u.Code, ""), http.StatusSeeOther)
			return
		}
		s.fail(w, r, http.StatusGone, "web.error.no_survey")
	case "csrf":
		s.log.Info("form post refused: bad token", "unit", u.Code)
		s.fail(w, r, http.StatusForbidden, "web.error.csrf")
	case "stale":
		http.Redirect(w, r, formPath(u.Code, "stale=1"), http.StatusSeeOther)
	case "expired":
		s.expired(w, r, u, ws.Lang)
	case "rejected":
		t := s.texts(s.pageLang(r, ws.Lang))
		text := ""
		if in.Kind == survey.InputText {
			text = in.Text
		}
		s.renderQuestion(w, r, http.StatusUnprocessableEntity, t, b, ws, s.hint(t, reason, in), "", text)
	default: // next, completed
		http.Redirect(w, r, formPath(u.Code, ""), http.StatusSeeOther)
	}
}

// complete stores a completed response as every channel does (one per
// respondent per window, the aggregates in the same transaction) and ends
// the browser's survey.
func (s *Server) complete(tx *store.Tx, r survey.Response) error {
	r.Source = survey.SourceWeb
	window := survey.PeriodOf(s.cfg.RespondentPeriod, r.Submitted).Label
	if _, err := tx.AddCompleted(&r, window, s.cfg.AllowReplace); err != nil {
		return err
	}
	if inPosterFunnel(r.Via) {
		if err := tx.CountFunnel(r.Unit, r.Poster, store.FunnelComplete); err != nil {
			return err
		}
	}
	return tx.DeleteWebSession(r.Respondent, r.Unit)
}

// inputOf reads the pressed button (a) and the typed text into the
// engine's input. What the engine does not know it refuses.
func inputOf(action, text string) survey.Input {
	in := survey.Input{Step: survey.CurrentStep}
	switch {
	case action == "skip":
		in.Kind = survey.InputSkip
	case action == "back":
		in.Kind = survey.InputBack
	case action == "next":
		in.Kind, in.Text = survey.InputText, text
	case strings.HasPrefix(action, "c"):
		n, err := strconv.Atoi(action[1:])
		if err != nil || n < 0 || n > 1000 {
			n = -1
		}
		in.Kind, in.Choice = survey.InputChoice, n
	default:
		in.Kind, in.Choice = survey.InputChoice, -1
	}
	return in
}

// hint says why an input was refused, in the words of the chat where they
// fit a page.
func (s *Server) hint(t texts, reason survey.RejectReason, in survey.Input) template.HTML {
	switch reason {
	case survey.RejectBadAge:
		return t.html("hint.bad_age", "Min", survey.MinAge, "Max", survey.MaxAge)
	case survey.RejectTooLong:
		return t.html("hint.too_long", "N", utf8.RuneCountInString(strings.TrimSpace(in.Text)), "Max", survey.MaxSuggestionRunes)
	case survey.RejectEmpty:
		return t.html("hint.empty")
	case survey.RejectNotSkippable:
		return t.html("hint.not_skippable")
	case survey.RejectNoBack:
		return t.html("hint.no_back")
	case survey.RejectNeedsButton:
		return t.html("hint.needs_button")
	}
	return t.html("web.form.bad_choice")
}

// renderQuestion draws the question the session is at.
func (s *Server) renderQuestion(w http.ResponseWriter, r *http.Request, status int, t texts, b browser, ws store.WebSession, hint, notice template.HTML, text string) {
	sess := ws.Session
	st := sess.Current()
	v := questionView{
		Unit: sess.Unit, Step: sess.Step + 1, Steps: len(sess.Steps()), Hint: hint, Notice: notice, Text: text,
		Back: sess.Step > 0, Action: formPath(sess.Unit.Code, ""), Seq: ws.Seq,
		Token: s.formToken(b, sess.Unit.Code, sess.ID, ws.Seq), MaxRunes: survey.MaxSuggestionRunes,
	}
	switch {
	case st.Kind == survey.StepElement:
		v.Progress = t.html("progress.element", "N", sess.Step-survey.FirstElementStep+1, "Total", survey.NumElements)
		v.Heading = t.plain("element." + string(st.Element) + ".name")
		v.Question = t.html("element." + string(st.Element) + ".question")
	case st.Kind == survey.StepItem:
		// A statement of an extra questionnaire (SPKP, SPAK): the part
		// says what it asks on its first statement, as the chat does.
		q := "extra." + string(st.Extra.Key) + "."
		v.Progress = t.html("progress.extra", "Title", t.plain(q+"title"), "N", st.Item+1, "Total", len(st.Extra.Items))
		v.Heading = t.plain(q + st.Extra.Items[st.Item].Key + ".question")
		if st.Item == 0 {
			v.Question = t.html(q+"intro", "Unit", sess.Unit.Name)
		}
	case st.Kind == survey.StepSuggestion:
		v.Progress = t.html("progress.suggestion")
		v.Question = t.html("web.q.suggestion", "Unit", sess.Unit.Name, "Max", survey.MaxSuggestionRunes)
		v.Textarea = true
	case st.Question.Answer == survey.AnswerAge:
		v.Progress = t.html("progress.profile", "N", sess.Step+1, "Total", survey.FirstElementStep)
		v.Question = t.html("web.q.age")
		v.Input = true
	default:
		v.Progress = t.html("progress.profile", "N", sess.Step+1, "Total", survey.FirstElementStep)
		v.Question = t.html("q." + st.Name)
	}
	for i, val := range st.Choices(sess.Unit) {
		v.Choices = append(v.Choices, choiceView{Value: "c" + strconv.Itoa(i), Label: choiceLabel(t, st, val)})
	}
	if st.Skippable() {
		switch {
		case st.Kind == survey.StepProfile && st.Question.Answer == survey.AnswerAge:
			v.Skip = t.plain("btn.no_answer")
		case st.Kind == survey.StepItem:
			v.Skip = t.plain("btn.skip_block")
		default:
			v.Skip = t.plain("btn.skip")
		}
	}
	s.render(w, status, "question", s.newPage(t, sess.Unit.Name, r.URL.Path, v))
}

// choiceLabel is the button label of a choice, as the chat labels it.
func choiceLabel(t texts, st survey.Step, value string) string {
	switch st.Kind {
	case survey.StepElement:
		return t.plain("element." + string(st.Element) + ".s" + value)
	case survey.StepItem:
		return t.plain("scale" + strconv.Itoa(st.Extra.Scale) + ".s" + value)
	case survey.StepProfile:
		if id := st.Question.OptionID(value); id != "" {
			return t.plain(id)
		}
	}
	return value
}

// thanks draws the thank-you: the unit's live IKM for the year, as the
// chat's closing message gives it.
func (s *Server) thanks(w http.ResponseWriter, r *http.Request, u survey.Unit) {
	t := s.texts(s.pageLang(r, ""))
	year := survey.PeriodOf(survey.PeriodYear, s.now())
	var tally survey.Tally
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		tally, err = tx.Tally(u.Code, year)
		return err
	})
	if err != nil {
		s.log.Error("web: thanks", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
		return
	}
	v := thanksView{Unit: u, Thanks: t.html("web.thanks.saved", "Unit", u.Name)}
	if res := tally.Result(s.cfg.Weighting); res.Valid {
		v.IKM = t.html("thanks_ikm", "Period", year.Label, "IKM", t.num(res.IKM2), "Mutu", string(res.Mutu),
			"Kinerja", t.kinerja(res.Mutu), "Respondents", res.Respondents)
	}
	s.render(w, http.StatusOK, "thanks", s.newPage(t, u.Name, r.URL.Path, v))
}

// expire closes a survey found idle past the TTL when the browser comes
// back to it, then says so.
func (s *Server) expire(w http.ResponseWriter, r *http.Request, hash string, u survey.Unit, lang string) {
	now := s.now()
	err := s.st.Update(func(tx *store.Tx) error {
		ws, ok, err := tx.WebSession(hash, u.Code)
		if err != nil || !ok || !ws.Session.Expired(now, s.cfg.SessionTTL) {
			return err
		}
		return closeSession(tx, ws)
	})
	if err != nil {
		s.log.Error("web: expire", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
		return
	}
	s.expired(w, r, u, lang)
}

func (s *Server) expired(w http.ResponseWriter, r *http.Request, u survey.Unit, lang string) {
	t := s.texts(s.pageLang(r, lang))
	hours := int(s.cfg.SessionTTL.Hours())
	v := messageView{Heading: t.plain("web.expired.title"), Message: t.html("expired", "Unit", u.Name, "Hours", hours)}
	s.render(w, http.StatusGone, "message", s.newPage(t, v.Heading, "", v))
}
