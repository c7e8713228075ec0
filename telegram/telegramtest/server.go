package telegramtest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Token is the only bot token the fake accepts.
const Token = "123456789:TEST-token"

// BotID is the fake bot's user id, the number before the colon in Token.
const BotID int64 = 123456789

// DefaultUsername is the bot's username unless WithUsername says otherwise.
const DefaultUsername = "ikm_test_bot"

// maxBody bounds a request body: Telegram accepts uploads up to 50 MB from bots.
const maxBody = 50<<20 + 1<<20

// ErrClosed is returned by waits that end because the server was closed.
var ErrClosed = errors.New("telegramtest: server closed")

// Reporter receives the fake's complaints about misuse; *testing.T is one.
type Reporter interface {
	Errorf(format string, args ...any)
}

// ReporterFunc adapts a printf-like function to Reporter.
type ReporterFunc func(format string, args ...any)

// Errorf calls f.
func (f ReporterFunc) Errorf(format string, args ...any) { f(format, args...) }

// Option configures a Server.
type Option func(*Server)

// WithReporter sends complaints (unknown methods, unparseable requests,
// requests to other hosts) to r; by default they are logged.
func WithReporter(r Reporter) Option {
	return func(s *Server) { s.reporter = r }
}

// WithUsername sets the bot's username returned by getMe.
func WithUsername(username string) Option {
	return func(s *Server) { s.username = username }
}

// WithClock sets the clock used for message and update dates.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// WithCallHook calls f with every recorded call, after its response was
// written, on the request's goroutine; the demo uses it to print live.
func WithCallHook(f func(Call)) Option {
	return func(s *Server) { s.hook = f }
}

// File is an uploaded file of a call.
type File struct {
	Name     string // form field name, e.g. "document"
	Filename string
	Data     []byte
}

// Call is one Bot API request as the fake received and answered it.
type Call struct {
	Seq         int               // 1, 2, ... in the order the calls were answered; never reused
	Method      string            // canonical method name, e.g. "sendMessage"
	Params      map[string]string // scalar fields as sent; objects as JSON text
	Files       map[string]File   // uploads by form field name
	MessageID   int               // message sent, edited or deleted; 0 if none
	ErrorCode   int               // 0 when the call succeeded
	Description string            // error description when ErrorCode != 0
	Network     Network           // a connection fault instead of an answer (ErrorCode is 0)
	At          time.Time         // when the fake handled it: a person sees a sent or edited message then
}

// Server is a fake Telegram Bot API server.
type Server struct {
	ts       *httptest.Server
	host     string
	username string
	reporter Reporter
	now      func() time.Time
	hook     func(Call)

	roundTrip time.Duration // WithRoundTrip
	flood     *flood        // WithFloodLimits; nil: no limits

	done      chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	seq      int
	calls    []Call
	chats    map[int64]*chat
	queue    []queued
	nextUpd  int64
	offset   int64 // highest offset a getUpdates confirmed up to (exclusive)
	pollGen  int64
	allowed  []string
	webhook  string
	queries  map[string]*query
	queryN   int
	fileN    int
	faults   map[string]*faultRule
	commands map[commandKey][]botCommand

	floodRefused int // calls refused by the flood limits
}

// NewServer starts a fake Bot API server on 127.0.0.1.
func NewServer(opts ...Option) *Server {
	s := &Server{
		username: DefaultUsername,
		now:      time.Now,
		done:     make(chan struct{}),
		changed:  make(chan struct{}),
		chats:    make(map[int64]*chat),
		nextUpd:  1,
		queries:  make(map[string]*query),
		faults:   make(map[string]*faultRule),
		commands: make(map[commandKey][]botCommand),
	}
	for _, o := range opts {
		o(s)
	}
	if s.reporter == nil {
		s.reporter = ReporterFunc(func(format string, args ...any) {
			log.Printf("telegramtest: "+format, args...)
		})
	}
	handler := http.HandlerFunc(s.serveHTTP)
	if half := s.roundTrip / 2; half > 0 {
		handler = func(w http.ResponseWriter, r *http.Request) {
			sleep(half, r.Context().Done(), s.done)
			s.serveHTTP(&delayedWriter{ResponseWriter: w, delay: s.roundTrip - half, req: r.Context().Done(), done: s.done}, r)
		}
	}
	s.ts = httptest.NewServer(handler)
	u, _ := url.Parse(s.ts.URL)
	s.host = u.Host
	return s
}

// URL returns the base URL to give the library with bot.WithServerURL.
func (s *Server) URL() string { return s.ts.URL }

// Close wakes waiting long polls, then shuts the listener down and waits for
// every request in flight. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		close(s.done)
		s.notifyLocked()
		s.mu.Unlock()
		s.ts.Close()
	})
}

// Client returns an HTTP client for the library (bot.WithHTTPClient) that
// refuses any host but the fake's own, so a test can never reach Telegram.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: &guardTransport{
		base:     s.ts.Client().Transport,
		host:     s.host,
		reporter: s.reporter,
	}}
}

type guardTransport struct {
	base     http.RoundTripper
	host     string
	reporter Reporter
}

func (g *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != g.host {
		if req.Body != nil {
			req.Body.Close()
		}
		g.reporter.Errorf("telegramtest: refused a request to %s://%s%s; only %s is served", req.URL.Scheme, req.URL.Host, redactToken(req.URL.Path), g.host)
		return nil, fmt.Errorf("telegramtest: refusing request to host %q, only %q is allowed", req.URL.Host, g.host)
	}
	return g.base.RoundTrip(req)
}

// redactToken hides a bot token in a path so reports never print one.
func redactToken(path string) string {
	if rest, ok := strings.CutPrefix(path, "/bot"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return "/bot***" + rest[i:]
		}
		return "/bot***"
	}
	return path
}

// notifyLocked wakes everyone waiting for a state change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Calls returns every call recorded since the last Reset, in Seq order.
func (s *Server) Calls() []Call {
	return s.CallsSince(0)
}

// CallsSince returns the recorded calls with Seq greater than seq.
func (s *Server) CallsSince(seq int) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls[s.firstAfterLocked(seq):] {
		out = append(out, c.clone())
	}
	return out
}

// firstAfterLocked returns the index of the first call with Seq > seq; the
// log is in Seq order, and the load tool makes it long.
func (s *Server) firstAfterLocked(seq int) int {
	i, _ := slices.BinarySearchFunc(s.calls, seq+1, func(c Call, target int) int { return cmp.Compare(c.Seq, target) })
	return i
}

// LastSeq returns the Seq of the newest call, 0 if none; pass it to
// CallsSince or WaitCall to see only what happens next.
func (s *Server) LastSeq() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq
}

// Reset forgets the recorded calls. Seq keeps counting, and chats, updates,
// faults and commands are kept.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// WaitCall waits for the first call with Seq greater than since and the given
// method ("" matches any) and returns it.
func (s *Server) WaitCall(ctx context.Context, since int, method string) (Call, error) {
	for {
		s.mu.Lock()
		for _, c := range s.calls[s.firstAfterLocked(since):] {
			if method == "" || c.Method == method {
				c = c.clone()
				s.mu.Unlock()
				return c, nil
			}
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Call{}, ctx.Err()
		case <-s.done:
			return Call{}, ErrClosed
		}
	}
}

func (c Call) clone() Call {
	c.Params = maps.Clone(c.Params)
	c.Files = maps.Clone(c.Files)
	return c
}

// apiError is an error answer: HTTP status and error_code are the same.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *apiParameters  `json:"parameters,omitempty"`
}

type apiParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

// writeResult answers {"ok":true,"result":...}. The envelope is written
// around the encoded result rather than encoded with it: encoding/json would
// validate and compact the result (and every queued update in a getUpdates
// batch) once more, which was a tenth of the load tool's CPU.
func writeResult(w http.ResponseWriter, result any) {
	var raw []byte
	switch r := result.(type) {
	case []json.RawMessage: // getUpdates: updates frozen as JSON when pushed
		n := 2
		for _, u := range r {
			n += len(u) + 1
		}
		raw = make([]byte, 0, n)
		raw = append(raw, '[')
		for i, u := range r {
			if i > 0 {
				raw = append(raw, ',')
			}
			raw = append(raw, u...)
		}
		raw = append(raw, ']')
	default:
		var err error
		if m, ok := result.(*models.Message); ok {
			raw, err = encodeMessage(m)
		} else {
			raw, err = json.Marshal(result)
		}
		if err != nil {
			writeError(w, &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error: " + err.Error()})
			return
		}
	}
	const head, tail = `{"ok":true,"result":`, `}`
	body := make([]byte, 0, len(head)+len(raw)+len(tail))
	body = append(append(append(body, head...), raw...), tail...)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func writeError(w http.ResponseWriter, e *apiError) {
	resp := apiResponse{ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		resp.Parameters = &apiParameters{RetryAfter: e.retryAfter}
	}
	writeJSON(w, e.code, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// request is a parsed Bot API call.
type request struct {
	params map[string]string
	files  map[string]File
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// The fake is an origin server only: a proxy-style request (absolute
	// URI or CONNECT) means some client was pointed at it as a proxy.
	if r.Method == http.MethodConnect || r.URL.IsAbs() {
		s.reporter.Errorf("telegramtest: refused a proxy request %s %s://%s%s", r.Method, r.URL.Scheme, r.URL.Host, redactToken(r.URL.Path))
		writeError(w, &apiError{code: http.StatusForbidden, desc: "Forbidden: not a proxy"})
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		s.reporter.Errorf("telegramtest: request to unknown path %s", r.URL.Path)
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	token, name, _ := strings.Cut(rest, "/")
	if token != Token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		writeError(w, &apiError{code: http.StatusMethodNotAllowed, desc: "Method Not Allowed"})
		return
	}

	req, err := parseRequest(r)
	if err != nil {
		s.reporter.Errorf("telegramtest: %s: cannot parse request: %v", name, err)
		s.finish(w, name, req, 0, badRequest("can't parse request: "+err.Error()), nil)
		return
	}

	// Telegram matches method names case-insensitively.
	m, known := methods[strings.ToLower(name)]
	if !known {
		s.reporter.Errorf("telegramtest: unknown Bot API method %q (params %v)", name, sortedKeys(req.params))
		s.finish(w, name, req, 0, &apiError{code: http.StatusNotFound, desc: "Not Found"}, nil)
		return
	}

	if m.name == "getUpdates" {
		result, e := s.getUpdates(r.Context(), req)
		s.finish(w, m.name, req, 0, e, result)
		return
	}

	s.mu.Lock()
	f := s.faultLocked(m.name)
	switch {
	case f == nil:
	case f.Network != NoNetworkFault:
		msgID, e := 0, (*apiError)(nil)
		if f.Network == Drop {
			_, msgID, e = m.fn(s, req) // it takes effect; its answer is lost
		}
		c := s.recordLocked(m.name, req, msgID, e)
		c.Network = f.Network
		s.calls[len(s.calls)-1] = c
		s.mu.Unlock()
		if f.Network == Hang {
			select {
			case <-r.Context().Done():
			case <-s.done:
			}
		}
		s.drop(w)
		s.callHook(c)
		return
	default:
		e := f.apiError()
		c := s.recordLocked(m.name, req, 0, e)
		s.mu.Unlock()
		s.respond(w, c, e, nil)
		return
	}
	if e := s.floodLocked(m.name, req); e != nil {
		c := s.recordLocked(m.name, req, 0, e)
		s.mu.Unlock()
		s.respond(w, c, e, nil)
		return
	}
	result, msgID, e := m.fn(s, req)
	c := s.recordLocked(m.name, req, msgID, e)
	s.mu.Unlock()
	s.respond(w, c, e, result)
}

// drop closes the connection of w without an answer.
func (s *Server) drop(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
		return
	}
	panic(http.ErrAbortHandler) // HTTP/2 or a recorder: abort the stream
}

// finish records a call made without the lock held and answers it.
func (s *Server) finish(w http.ResponseWriter, method string, req *request, msgID int, e *apiError, result any) {
	s.mu.Lock()
	c := s.recordLocked(method, req, msgID, e)
	s.mu.Unlock()
	s.respond(w, c, e, result)
}

func (s *Server) respond(w http.ResponseWriter, c Call, e *apiError, result any) {
	if e != nil {
		writeError(w, e)
	} else {
		writeResult(w, result)
	}
	s.callHook(c)
}

func (s *Server) callHook(c Call) {
	if s.hook != nil {
		s.hook(c.clone())
	}
}

func (s *Server) recordLocked(method string, req *request, msgID int, e *apiError) Call {
	s.seq++
	c := Call{Seq: s.seq, Method: method, MessageID: msgID, At: time.Now()}
	if req != nil {
		c.Params, c.Files = req.params, req.files
	}
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	if c.Files == nil {
		c.Files = map[string]File{}
	}
	if e != nil {
		c.ErrorCode, c.Description = e.code, e.desc
	}
	s.calls = append(s.calls, c)
	s.notifyLocked()
	return c
}

// parseRequest reads the query string and a multipart/form-data,
// application/json or x-www-form-urlencoded body into params and files.
func parseRequest(r *http.Request) (*request, error) {
	req := &request{params: map[string]string{}, files: map[string]File{}}
	for k, v := range r.URL.Query() {
		req.params[k] = v[len(v)-1]
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return req, err
	}
	if len(body) > maxBody {
		return req, fmt.Errorf("request body larger than %d bytes", maxBody)
	}
	// go-telegram/bot sends a multipart Content-Type with an empty body
	// for methods without parameters (getMe).
	if len(bytes.TrimSpace(body)) == 0 {
		return req, nil
	}
	mediaType, ctParams, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return req, fmt.Errorf("content type: %w", err)
	}
	switch mediaType {
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), ctParams["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return req, err
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return req, err
			}
			if p.FileName() != "" {
				req.files[p.FormName()] = File{Name: p.FormName(), Filename: p.FileName(), Data: data}
			} else {
				req.params[p.FormName()] = string(data)
			}
		}
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return req, err
		}
		for k, v := range vals {
			req.params[k] = v[len(v)-1]
		}
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return req, err
		}
		for k, raw := range obj {
			raw = bytes.TrimSpace(raw)
			switch {
			case bytes.Equal(raw, []byte("null")):
			case len(raw) > 0 && raw[0] == '"':
				var str string
				if err := json.Unmarshal(raw, &str); err != nil {
					return req, err
				}
				req.params[k] = str
			default:
				req.params[k] = string(raw)
			}
		}
	default:
		return req, fmt.Errorf("unsupported content type %q", mediaType)
	}
	return req, nil
}
