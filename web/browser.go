package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A browser is known by a random 16-byte id in a cookie, signed so that
// the server accepts only ids it handed out:
//
//	ikm_b=<22 characters of id>.<16 characters of HMAC-SHA256(kc, id)>
//
// The store never sees the id: a respondent is the keyed hash
// HMAC-SHA256(secret, "web:" + id), cut to 16 bytes in hex like the chat's
// HMAC-SHA256(secret, "telegram:" + user id), so the two can never name the
// same person by accident and a copy of the database cannot be turned back
// into cookies. Clearing the cookie makes a new browser: the rule is one
// response per browser, which is all a website without accounts can do;
// the chat's is one per Telegram account.
//
// CSRF tokens are HMAC-SHA256(kt, id, purpose...) cut to 12 bytes: bound to
// the browser, so a token taken from another browser's page is worthless,
// and in the form to the answers accepted so far (store.WebSession.Seq).

const (
	cookieName    = "ikm_b"
	browserIDLen  = 16
	cookieSigLen  = 16 // base64url characters
	tokenBytes    = 12
	cookieMaxAge  = 400 * 24 * time.Hour // browsers cap cookies at 400 days
	keyCookieInfo = "web-cookie"
	keyTokenInfo  = "web-csrf"
)

// keys are the site's keys, each derived from the server secret for one use.
type keys struct {
	secret []byte // respondent hashes use the secret itself, as the chat's do
	cookie []byte
	token  []byte
}

func deriveKeys(secret []byte) keys {
	derive := func(info string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(info))
		return m.Sum(nil)
	}
	return keys{secret: secret, cookie: derive(keyCookieInfo), token: derive(keyTokenInfo)}
}

// browser is the browser a request came from.
type browser struct {
	id  string // the cookie's id, base64url
	new bool   // no valid cookie came with the request: one is being set
}

// cookieSig signs a browser id.
func (k keys) cookieSig(id string) string {
	m := hmac.New(sha256.New, k.cookie)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:cookieSigLen]
}

// readBrowser returns the browser of r's valid cookie; ok is false when
// there is none, or it was not signed by us.
func (s *Server) readBrowser(r *http.Request) (browser, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return browser{}, false
	}
	id, sig, found := strings.Cut(c.Value, ".")
	if !found || len(id) != 22 || len(sig) != cookieSigLen {
		return browser{}, false
	}
	if _, err := base64.RawURLEncoding.DecodeString(id); err != nil {
		return browser{}, false
	}
	if !hmac.Equal([]byte(sig), []byte(s.keys.cookieSig(id))) {
		return browser{}, false
	}
	return browser{id: id}, true
}

// ensureBrowser returns the request's browser, giving it a new signed
// cookie when it has none. Call it before writing the header.
func (s *Server) ensureBrowser(w http.ResponseWriter, r *http.Request) browser {
	if b, ok := s.readBrowser(r); ok {
		return b
	}
	var raw [browserIDLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic("web: no randomness: " + err.Error())
	}
	id := base64.RawURLEncoding.EncodeToString(raw[:])
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: id + "." + s.keys.cookieSig(id), Path: "/",
		MaxAge: int(cookieMaxAge / time.Second), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(s.cfg.PublicURL, "https://"),
	})
	return browser{id: id, new: true}
}

// respondent is the keyed hash the store keeps for the browser.
func (s *Server) respondent(b browser) string {
	m := hmac.New(sha256.New, s.keys.secret)
	m.Write([]byte("web:" + b.id))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// token is the CSRF token of a form for purpose, in browser b.
func (s *Server) token(b browser, purpose ...string) string {
	m := hmac.New(sha256.New, s.keys.token)
	m.Write([]byte(b.id))
	for _, p := range purpose {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:tokenBytes])
}

// checkToken compares a posted token in constant time.
func (s *Server) checkToken(got string, b browser, purpose ...string) bool {
	return got != "" && hmac.Equal([]byte(got), []byte(s.token(b, purpose...)))
}

// startToken is the token of the landing page's start form.
func (s *Server) startToken(b browser, payload string) string { return s.token(b, "start", payload) }

// formToken is the token of a question page: the survey, and the number of
// answers accepted when the page was drawn.
func (s *Server) formToken(b browser, unit, sessionID string, seq int) string {
	return s.token(b, "form", strings.ToUpper(unit), sessionID, strconv.Itoa(seq))
}
