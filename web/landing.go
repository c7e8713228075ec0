package web

import (
	"errors"
	"html/template"
	"mime"
	"net/http"
	"net/url"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// landingView is the body of the page a QR code opens.
type landingView struct {
	Unit     survey.Unit
	TypeName string
	Notice   template.HTML // a replaced poster, a stale or forged counter code
	// Done: this browser answered for the unit in this period and may not
	// answer again; Replace: it may, and the new answer replaces the old.
	Done    bool
	Period  string
	Replace template.HTML
	// Open: a survey of this unit is open in this browser.
	Open       bool
	OpenResume template.HTML
	Action     string // where the start form posts
	Token      string
	Lang       string
	Telegram   string // the t.me deep link; "" when there is no bot name or the link opens nothing there
	Unverified bool   // the survey starts without the counter's verification
	// Extras says which extra questionnaires (SPKP, SPAK) the unit asks
	// after the SKM, each skippable; empty for most units.
	Extras template.HTML
}

// landing is GET /s/{payload}: the unit, and the two ways to answer.
func (s *Server) landing(w http.ResponseWriter, r *http.Request) {
	payload := r.PathValue("payload")
	b := s.ensureBrowser(w, r)
	hash := s.respondent(b)
	now := s.now()
	window := survey.PeriodOf(s.cfg.RespondentPeriod, now)
	var (
		e      entry
		ref    *refusal
		repeat bool
		open   *store.WebSession
	)
	err := s.st.Update(func(tx *store.Tx) error {
		var err error
		e, ref, open, repeat = entry{}, nil, nil, false
		if e, ref, err = s.resolve(tx, payload); err != nil {
			return err
		}
		u := e.unit
		if ref != nil {
			if u = ref.unit; u.Code == "" {
				return nil
			}
		}
		if _, repeat, err = tx.PriorResponse(u.Code, window.Label, hash); err != nil {
			return err
		}
		ws, ok, err := tx.WebSession(hash, u.Code)
		if err != nil {
			return err
		}
		if ok && !ws.Session.Expired(now, s.cfg.SessionTTL) {
			open = &ws
		}
		// A scan opens the page with GET; a HEAD is a link checker.
		if ref == nil && inPosterFunnel(e.via) && r.Method == http.MethodGet {
			return tx.CountFunnel(u.Code, e.version, store.FunnelScan)
		}
		return nil
	})
	if err != nil {
		s.log.Error("web: landing", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
		return
	}
	if ref != nil && ref.unit.Code == "" {
		s.log.Info("landing link refused", "reason", ref.id, "len", len(payload))
		s.fail(w, r, ref.status, ref.id)
		return
	}
	lang := s.pageLang(r, "")
	if open != nil && r.URL.Query().Get("lang") == "" {
		lang = s.pageLang(r, open.Lang)
	}
	t := s.texts(lang)
	u := e.unit
	v := landingView{
		Action: "/s/" + url.PathEscape(payload), Token: s.startToken(b, payload), Lang: lang,
	}
	switch {
	case ref != nil:
		u = ref.unit
		v.Notice = t.html(ref.id, "Unit", u.Name)
		v.Unverified = true
	case e.via == survey.ViaOldPoster:
		v.Notice = t.html("deeplink.outdated", "Unit", u.Name)
	}
	if ref == nil && s.cfg.BotUsername != "" {
		v.Telegram = deeplink.DeepLink(s.cfg.BotUsername, payload)
	}
	v.Unit, v.TypeName = u, s.typeName(t, u.Type)
	if repeat {
		if s.cfg.AllowReplace {
			v.Replace = t.html("repeat.replace", "Unit", u.Name, "Period", window.Label)
		} else {
			v.Done = true
			v.Period = window.Label
		}
	}
	if open != nil {
		v.Open = true
		v.OpenResume = t.html("resume.ask", "Unit", u.Name, "Done", open.Session.Step, "Total", len(open.Session.Steps()))
	}
	if len(u.Extras) > 0 {
		v.Extras = t.html("welcome_extra")
		for _, x := range u.Extras {
			v.Extras += "<br>" + t.html("welcome_extra_part", "N", len(x.Items), "Topic", t.plain("extra."+string(x.Key)+".topic"))
		}
	}
	s.render(w, http.StatusOK, "landing", s.newPage(t, u.Name, r.URL.Path, v))
}

// start is POST /s/{payload}: it opens the survey in this browser (or, with
// restart=1, opens it again from the first question) and sends the browser
// to its first question.
func (s *Server) start(w http.ResponseWriter, r *http.Request) {
	payload := r.PathValue("payload")
	b, ok := s.readBrowser(r)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "web.error.cookies")
		return
	}
	if !s.parsePost(w, r) {
		return
	}
	if !s.checkToken(r.PostForm.Get("t"), b, "start", payload) {
		s.log.Info("start form refused: bad token")
		s.fail(w, r, http.StatusForbidden, "web.error.csrf")
		return
	}
	if !s.starts.allow(s.clientKey(r)) {
		w.Header().Set("Retry-After", "30")
		s.fail(w, r, http.StatusTooManyRequests, "web.error.rate")
		return
	}
	lang := r.PostForm.Get("lang")
	if lang != "id" && lang != "en" {
		lang = s.pageLang(r, "")
	}
	restart := r.PostForm.Get("restart") == "1"
	hash := s.respondent(b)
	now := s.now()
	window := survey.PeriodOf(s.cfg.RespondentPeriod, now)
	var (
		ref     *refusal
		unit    survey.Unit
		outcome string
	)
	err := s.st.Update(func(tx *store.Tx) error {
		ref, unit, outcome = nil, survey.Unit{}, ""
		e, rf, err := s.resolve(tx, payload)
		if err != nil {
			return err
		}
		if rf != nil {
			if rf.unit.Code == "" {
				ref = rf
				return nil
			}
			// A stale or forged counter code: the page offered the unit's
			// survey without verification.
			e = entry{unit: rf.unit}
		}
		unit = e.unit
		if _, repeat, err := tx.PriorResponse(unit.Code, window.Label, hash); err != nil {
			return err
		} else if repeat && !s.cfg.AllowReplace {
			outcome = "done"
			return nil
		}
		ws, open, err := tx.WebSession(hash, unit.Code)
		if err != nil {
			return err
		}
		if open && !restart && !ws.Session.Expired(now, s.cfg.SessionTTL) {
			outcome = "open"
			return nil
		}
		if open {
			if err := closeSession(tx, ws); err != nil {
				return err
			}
		} else if tx.CountWebSessions() >= maxOpenSessions {
			outcome = "busy"
			return nil
		}
		sess, _ := survey.NewSession(s.cfg.NewID(), unit, hash, now)
		sess.Via, sess.Poster = e.via, e.version
		if inPosterFunnel(e.via) {
			if err := tx.CountFunnel(unit.Code, e.version, store.FunnelStart); err != nil {
				return err
			}
		}
		outcome = "started"
		return tx.PutWebSession(store.WebSession{Session: sess, Lang: lang})
	})
	switch {
	case err != nil:
		s.log.Error("web: start", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
	case ref != nil:
		s.fail(w, r, ref.status, ref.id)
	case outcome == "busy":
		s.log.Warn("web: too many open surveys; start refused", "max", maxOpenSessions)
		w.Header().Set("Retry-After", "600")
		s.fail(w, r, http.StatusServiceUnavailable, "web.error.busy")
	default:
		// "done" lands on the thank-you with the unit's figures, "open" on
		// the question the survey is at.
		http.Redirect(w, r, formPath(unit.Code, ""), http.StatusSeeOther)
	}
}

// formPath is the path of a unit's form in this browser.
func formPath(code, query string) string {
	p := "/f/" + url.PathEscape(code)
	if query != "" {
		p += "?" + query
	}
	return p
}

// parsePost reads a form post, answering the error page itself (and
// returning false) for a body over the cap or one that is not a form.
func (s *Server) parsePost(w http.ResponseWriter, r *http.Request) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		s.fail(w, r, http.StatusUnsupportedMediaType, "web.error.bad_request")
		return false
	}
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fail(w, r, http.StatusRequestEntityTooLarge, "web.error.too_large")
			return false
		}
		s.fail(w, r, http.StatusBadRequest, "web.error.bad_request")
		return false
	}
	return true
}
