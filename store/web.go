package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ikmbot/ikmbot/survey"
)

// WebSession is a survey open in a browser: at most one per browser and
// unit. The browser is known only by the keyed hash of the random id in its
// cookie, which is also the session's Respondent.
type WebSession struct {
	Session *survey.Session
	Lang    string // the language the form is shown in
	// Seq counts the form posts accepted so far. The form's CSRF token is
	// bound to it, so a post replayed from an earlier page is recognised
	// and changes nothing.
	Seq int
}

// webSessionRecord is the value of web_sessions/<browser hash>/<unit code>.
type webSessionRecord struct {
	Session sessionRecord `json:"sess"`
	Lang    string        `json:"lang,omitempty"`
	Seq     int           `json:"seq"`
}

// webSessionKey is the key of a browser's survey of a unit. The hash is hex
// and unit codes never contain "/", so the key splits one way only.
func webSessionKey(browser, unit string) ([]byte, error) {
	if browser == "" || unit == "" || strings.Contains(browser, "/") {
		return nil, fmt.Errorf("web session: bad browser %q or unit %q", browser, unit)
	}
	return []byte(browser + "/" + strings.ToUpper(unit)), nil
}

// WebSession returns the survey the browser has open for unit; ok is false
// when there is none.
func (tx *Tx) WebSession(browser, unit string) (ws WebSession, ok bool, err error) {
	key, err := webSessionKey(browser, unit)
	if err != nil {
		return WebSession{}, false, err
	}
	b := tx.bucket(bucketWebSessions)
	if b == nil {
		return WebSession{}, false, nil
	}
	v := b.Get(key)
	if v == nil {
		return WebSession{}, false, nil
	}
	ws, err = tx.s.decodeWebSession(key, v)
	return ws, err == nil, err
}

// PutWebSession stores ws under its browser (ws.Session.Respondent) and
// unit, replacing what was there.
func (tx *Tx) PutWebSession(ws WebSession) error {
	if ws.Session == nil {
		return errors.New("put web session: no session")
	}
	key, err := webSessionKey(ws.Session.Respondent, ws.Session.Unit.Code)
	if err != nil {
		return err
	}
	sr, err := sessionToRecord(ws.Session)
	if err != nil {
		return fmt.Errorf("put web session: %w", err)
	}
	v, err := json.Marshal(webSessionRecord{Session: sr, Lang: ws.Lang, Seq: ws.Seq})
	if err != nil {
		return err
	}
	b, err := tx.writeBucket(bucketWebSessions)
	if err != nil {
		return err
	}
	return b.Put(key, v)
}

// DeleteWebSession forgets the browser's survey of unit; deleting an
// absent one is not an error.
func (tx *Tx) DeleteWebSession(browser, unit string) error {
	key, err := webSessionKey(browser, unit)
	if err != nil {
		return err
	}
	b, err := tx.writeBucket(bucketWebSessions)
	if err != nil {
		return err
	}
	return b.Delete(key)
}

// ForEachWebSession calls fn with every open web survey, for the expiry
// sweep. Like ForEachChat, fn must not add or delete web sessions.
func (tx *Tx) ForEachWebSession(fn func(WebSession) error) error {
	b := tx.bucket(bucketWebSessions)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		ws, err := tx.s.decodeWebSession(k, v)
		if err != nil {
			return err
		}
		return fn(ws)
	})
}

// CountWebSessions returns how many web surveys are open, without decoding
// them.
func (tx *Tx) CountWebSessions() int {
	b := tx.bucket(bucketWebSessions)
	if b == nil {
		return 0
	}
	return b.Stats().KeyN
}

func (s *Store) decodeWebSession(key, v []byte) (WebSession, error) {
	var rec webSessionRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return WebSession{}, fmt.Errorf("web_sessions/%s: %w", key, err)
	}
	sess, err := s.sessionFromRecord(rec.Session)
	if err != nil {
		return WebSession{}, fmt.Errorf("web_sessions/%s: %w", key, err)
	}
	if want, _ := webSessionKey(sess.Respondent, sess.Unit.Code); string(want) != string(key) {
		return WebSession{}, fmt.Errorf("web_sessions/%s: record is of %s/%s", key, sess.Respondent, sess.Unit.Code)
	}
	return WebSession{Session: sess, Lang: rec.Lang, Seq: rec.Seq}, nil
}
