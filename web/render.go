package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
)

//go:embed templates/*.html static/*
var files embed.FS

// templates are the pages, each parsed with the layout around it.
type templates map[string]*template.Template

func parseTemplates() (templates, error) {
	base, err := template.New("layout.html").ParseFS(files, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	pages, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := templates{}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(files, p)
		if err != nil {
			return nil, fmt.Errorf("web: %s: %w", p, err)
		}
		out[name] = t
	}
	return out, nil
}

// page is what the layout needs of every page; Body is the page's own data.
type page struct {
	texts
	Title    string
	City     string
	Home     string // the site's root, in this language
	LangURL  string // this page in the other language; "" hides the switch
	LangName string
	Refresh  int // seconds; the kiosk view reloads itself
	Body     any
}

// Lang is the page's language, for <html lang>.
func (p page) Lang() string { return p.lang }

// T renders a message as trusted markup, for templates: {{.T "id" "Unit" .Name}}.
func (p page) T(id string, kv ...any) template.HTML { return p.html(id, kv...) }

// Num formats a figure for the page's language.
func (p page) Num(x float64) string { return p.num(x) }

// newPage fills the layout's fields for a page in language t at path.
func (s *Server) newPage(t texts, title, path string, body any) page {
	p := page{texts: t, Title: title, City: s.cfg.City, Home: withLang("/", t.lang), Body: body}
	if path != "" {
		other := otherLang(t.lang)
		p.LangURL = withLang(path, other)
		p.LangName = t.plain("language.name_" + other)
	}
	return p
}

// render writes a page with status. Pages are drawn into a buffer first,
// so that a template error becomes the error page, not half a page.
// Pages that show a person's answers or a form are never cached.
func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	var buf bytes.Buffer
	t := s.tmpl[name]
	if t == nil {
		s.log.Error("web: no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, p); err != nil {
		s.log.Error("web: render", "page", name, "err", err)
		if name != "error" {
			s.fail(w, nil, http.StatusInternalServerError, "web.error.internal")
			return
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorView is the body of the error page.
type errorView struct {
	Heading string
	Message template.HTML
	Status  int
}

// fail answers with the localized error page of message id: what went
// wrong, and that nothing was recorded wrongly. r may be nil (a render
// failure), which gives the default language.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, id string, kv ...any) {
	lang := s.cfg.DefaultLanguage
	if r != nil {
		lang = s.pageLang(r, "")
	}
	t := s.texts(lang)
	body := errorView{Heading: t.plain(id + ".title"), Message: t.html(id+".text", kv...), Status: status}
	s.render(w, status, "error", s.newPage(t, body.Heading, "", body))
}

// asset is an embedded static file served with a strong ETag.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

func loadAsset(name, ctype string) (asset, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return asset{}, err
	}
	sum := sha256.Sum256(b)
	return asset{body: b, ctype: ctype, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}, nil
}

func (a asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", "public, max-age=86400")
	serveETag(w, r, a.etag, a.body)
}

// serveETag writes body with its ETag, or 304 when the client has it.
func serveETag(w http.ResponseWriter, r *http.Request, etag string, body []byte) {
	w.Header().Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatch(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

func etagMatch(header, etag string) bool {
	for _, e := range strings.Split(header, ",") {
		e = strings.TrimPrefix(strings.TrimSpace(e), "W/")
		if e == etag || e == "*" {
			return true
		}
	}
	return false
}
