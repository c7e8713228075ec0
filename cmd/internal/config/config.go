package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the bot runs in minimal containers that have no zoneinfo; the survey day depends on it
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/locales"
	"github.com/ikmbot/ikmbot/survey"
)

// bekasiYAML is the default config, and the documented example a city copies.
//
//go:embed bekasi.yaml
var bekasiYAML []byte

// embeddedPath is Config.Path, and the file name in errors, for the default config.
const embeddedPath = "(embedded)"

// Defaults for optional keys; bekasi.yaml documents the same values.
const (
	defaultTimezone   = "Asia/Jakarta"
	defaultPeriod     = survey.PeriodYear
	defaultSessionTTL = 24 * time.Hour
	// defaultChatRetention: a chat with no survey open keeps only a chosen
	// language; a day is enough for a person who comes back to rate another unit.
	defaultChatRetention = 24 * time.Hour
	minSessionTTL        = time.Minute
	maxConfigErrors      = 20
)

// Config is everything a city configures: who it is, how the survey runs, and
// which units take part.
type Config struct {
	Path             string // file it came from, "(embedded)" for the default
	City             string
	Location         *time.Location
	RespondentPeriod survey.PeriodKind // one response per person per unit per period
	AllowReplace     bool
	SessionTTL       time.Duration
	DefaultLanguage  string
	Admins           []int64
	SignedLinksOnly  bool                       // refuse deep links without a signature (see package deeplink)
	ChatRetention    time.Duration              // how long a chat id outlives its last survey (a chosen language keeps it)
	SuggestionDays   int                        // suggestions' free text is blanked after this many days; 0 = kept
	Digest           bool                       // send every admin a daily digest at DigestHour
	DigestHour       int                        // 0-23, in Location
	TypeNames        map[survey.UnitType]string // display names for extra types
	// PublicURL is the public site's base URL (https://ikm.example.go.id),
	// without a trailing slash; "" when the city has no public site. With
	// it, posters and ikmbot units carry PublicURL/s/<signed payload>.
	PublicURL string
	Catalog   *survey.Catalog
}

// Keys accepted in a config file. A key outside these lists is an error, so
// that a typo such as "servics:" does not silently drop a city's services.
var (
	topKeys           = []string{"city", "timezone", "respondent_period", "allow_replace", "session_ttl", "default_language", "admins", "signed_links_only", "chat_retention", "suggestion_retention_days", "digest_hour", "public_url", "unit_types", "services", "questionnaires", "units"}
	unitKeys          = []string{"code", "name", "type", "area", "services", "users_per_year", "questionnaires"}
	unitTypeKeys      = []string{"key", "name"}
	questionnaireKeys = []string{"scale", "report", "bands"}
)

// builtinTypes are the unit types every city has; their order is report order.
var builtinTypes = []survey.UnitType{survey.PerangkatDaerah, survey.RSUD, survey.Puskesmas}

// respondentPeriods are the periods the regulation reports on; a free date
// range cannot bound "one response per person".
var respondentPeriods = []survey.PeriodKind{survey.PeriodMonth, survey.PeriodQuarter, survey.PeriodSemester, survey.PeriodYear}

// typeKeyPattern keeps extra type keys in the same shape as the built-in ones,
// because they appear in reports and JSON; such a key also keeps the unit-code
// rule (deeplink.CheckCode), as admin buttons carry it where a code may go.
var typeKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Load reads the config at path, or the embedded Kota Bekasi config when path
// is empty.
func Load(path string) (*Config, error) {
	if path == "" {
		return Parse(embeddedPath, bekasiYAML)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		// *PathError already names the path: "open x.yaml: no such file or directory".
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// Parse parses and validates a config; name is used for Config.Path and
// in errors. Every error it returns names the file and, where there is one,
// the line and the field, so a city admin can fix the file without reading Go.
func Parse(name string, data []byte) (*Config, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: config is empty: it needs at least city and units", name)
	}
	if line, ok := binaryLine(data); ok {
		return nil, fmt.Errorf("%s:%d: not a YAML text file (binary data or invalid UTF-8)", name, line)
	}
	root, err := decodeYAML(name, data)
	if err != nil {
		return nil, err
	}
	p := &configParser{name: name, lists: map[*yaml.Node][]string{}}
	cfg := p.config(root)
	if err := p.err(); err != nil {
		return nil, err
	}
	cfg.Path = name
	return cfg, nil
}

// binaryLine reports the line of the first NUL byte or invalid UTF-8, which
// the YAML parser would report with a less helpful message or none.
func binaryLine(data []byte) (int, bool) {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == 0 || (r == utf8.RuneError && size <= 1) {
			return 1 + bytes.Count(data[:i], []byte{'\n'}), true
		}
		i += size
	}
	return 0, false
}

// yamlLine matches the line number the YAML parser puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decodeYAML parses exactly one YAML document into a node tree and returns
// its top-level mapping. Decoding into yaml.Node keeps line numbers for every
// value, which a struct decode would lose.
func decodeYAML(name string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		// A parser bug must not crash the bot at startup with a stack trace
		// instead of pointing at the file.
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("%s: cannot parse YAML: %v", name, r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: config is empty: it needs at least city and units", name)
		}
		return nil, yamlError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("%s:%d: a second YAML document (---) is not allowed; put everything in one", name, extra.Line)
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(name, err)
	}
	n := &doc
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	n = resolve(n)
	switch {
	case n.Kind == yaml.MappingNode:
		return n, nil
	case isNull(n):
		// A file of comments only.
		return nil, fmt.Errorf("%s: config is empty: it needs at least city and units", name)
	default:
		return nil, fmt.Errorf("%s:%d: the top level must be a mapping of settings (city:, units:, ...), not %s", name, n.Line, kindName(n))
	}
}

// yamlError turns a YAML syntax error into the file:line: form of every other
// config error.
func yamlError(name string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: invalid YAML: %s", name, m[1], m[2])
	}
	return fmt.Errorf("%s: invalid YAML: %s", name, strings.TrimPrefix(msg, "yaml: "))
}

// FileError is one problem at a place in a file: a config file here, and
// the paper-form CSV of ikmbot import. Line 0 means the problem has no line
// of its own, such as a missing top-level key.
type FileError struct {
	File  string
	Line  int
	Field string // path of the field, e.g. "units[3].type"; indexes count from 0
	Msg   string
}

// Error formats the error as compilers do, file:line: field: message, so that
// editors can jump to it.
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// configParser walks the node tree, collecting every error rather than
// stopping at the first, so that one run shows an admin all that is wrong.
type configParser struct {
	name string
	errs []*FileError
	// lists caches service lists by node, so that a list shared through an
	// alias is checked, and its errors reported, once.
	lists map[*yaml.Node][]string
}

// errorf records an error at node n.
func (p *configParser) errorf(n *yaml.Node, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &FileError{File: p.name, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// err returns the collected errors in line order, capped so that a wrong
// file does not scroll the first error off the screen.
func (p *configParser) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	sort.SliceStable(p.errs, func(i, j int) bool {
		li, lj := p.errs[i].Line, p.errs[j].Line
		if li == 0 || lj == 0 {
			return lj == 0 && li != 0 // errors without a line go last
		}
		return li < lj
	})
	var errs []error
	for i, e := range p.errs {
		if i == maxConfigErrors {
			errs = append(errs, fmt.Errorf("%s: and %d more errors", p.name, len(p.errs)-i))
			break
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// config walks the top-level mapping.
func (p *configParser) config(root *yaml.Node) *Config {
	f := p.fields(root, "", topKeys)
	cfg := &Config{
		RespondentPeriod: defaultPeriod,
		SessionTTL:       defaultSessionTTL,
		ChatRetention:    defaultChatRetention,
		DefaultLanguage:  locales.Default.String(),
		TypeNames:        map[survey.UnitType]string{},
	}

	cfg.City = p.required(f["city"], nil, "city", "missing: name the city or regency, e.g. Kota Bekasi")

	tz := defaultTimezone
	if s := p.str(f["timezone"], "timezone"); s != "" {
		tz = s
	}
	if tz == "Local" {
		// "Local" is whatever the server says, which would move survey days
		// when the bot moves to another host.
		p.errorf(f["timezone"], "timezone", `"Local" depends on the server; name the zone, e.g. Asia/Jakarta, Asia/Makassar or Asia/Jayapura`)
	} else if loc, err := time.LoadLocation(tz); err != nil {
		p.errorf(f["timezone"], "timezone", "unknown time zone %q (want an IANA name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura)", tz)
	} else {
		cfg.Location = loc
	}

	if s := p.str(f["respondent_period"], "respondent_period"); s != "" {
		cfg.RespondentPeriod = survey.PeriodKind(s)
		if !slices.Contains(respondentPeriods, cfg.RespondentPeriod) {
			p.errorf(f["respondent_period"], "respondent_period", "unknown period %q (want month, quarter, semester or year)", s)
		}
	}

	if n := resolve(f["allow_replace"]); n != nil && !isNull(n) {
		if n.Kind != yaml.ScalarNode || n.Decode(&cfg.AllowReplace) != nil {
			p.errorf(n, "allow_replace", "want true or false, got %s", describe(n))
		}
	}

	if n := resolve(f["signed_links_only"]); n != nil && !isNull(n) {
		if n.Kind != yaml.ScalarNode || n.Decode(&cfg.SignedLinksOnly) != nil {
			p.errorf(n, "signed_links_only", "want true or false, got %s", describe(n))
		}
	}

	if s := p.str(f["session_ttl"], "session_ttl"); s != "" {
		d, err := time.ParseDuration(s)
		switch {
		case err != nil:
			p.errorf(f["session_ttl"], "session_ttl", "bad duration %q (want a Go duration such as 30m, 24h or 72h)", s)
		case d < minSessionTTL:
			p.errorf(f["session_ttl"], "session_ttl", "%s is too short: respondents need at least 1m to answer", s)
		default:
			cfg.SessionTTL = d
		}
	}

	if s := p.str(f["chat_retention"], "chat_retention"); s != "" {
		d, err := time.ParseDuration(s)
		switch {
		case err != nil:
			p.errorf(f["chat_retention"], "chat_retention", "bad duration %q (want a Go duration such as 24h or 168h)", s)
		case d < time.Hour:
			p.errorf(f["chat_retention"], "chat_retention", "%s is too short: keep a chat at least 1h so a language choice survives", s)
		default:
			cfg.ChatRetention = d
		}
	}

	if n := resolve(f["suggestion_retention_days"]); n != nil && !isNull(n) {
		var days int
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&days) != nil || days < 0 {
			p.errorf(n, "suggestion_retention_days", "want a whole number of days (0 keeps suggestions), got %s", describe(n))
		} else {
			cfg.SuggestionDays = days
		}
	}

	if n := resolve(f["digest_hour"]); n != nil && !isNull(n) {
		var hour int
		switch {
		case n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&hour) != nil:
			p.errorf(n, "digest_hour", "want an hour from 0 to 23 (the digest goes out at that hour in the timezone), or no digest_hour for no digest, got %s", describe(n))
		case hour < 0 || hour > 23:
			p.errorf(n, "digest_hour", "%d is not an hour: want 0 to 23 (the digest goes out at that hour in the timezone), or no digest_hour for no digest", hour)
		default:
			cfg.Digest, cfg.DigestHour = true, hour
		}
	}

	if s := p.str(f["default_language"], "default_language"); s != "" {
		if langs := locales.Codes(); !slices.Contains(langs, s) {
			p.errorf(f["default_language"], "default_language", "unsupported language %q (want %s)", s, strings.Join(langs, " or "))
		} else {
			cfg.DefaultLanguage = s
		}
	}

	cfg.PublicURL = p.publicURL(f["public_url"])
	cfg.Admins = p.admins(f["admins"])
	extra := p.unitTypes(f["unit_types"], cfg.TypeNames)
	defaults := p.serviceDefaults(f["services"], cfg.TypeNames)
	extras := p.questionnaires(f["questionnaires"])
	units := p.units(f["units"], cfg.TypeNames, defaults, extras)
	cfg.Catalog = survey.NewCatalog(units, typeOrder(units, extra)...)
	return cfg
}

// publicURL parses the public site's base URL: absolute http or https,
// a host, no query or fragment; a trailing slash is dropped. Plain http is
// accepted for a test setup, though a real site belongs behind TLS.
func (p *configParser) publicURL(n *yaml.Node) string {
	s := p.str(n, "public_url")
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil:
		p.errorf(n, "public_url", "%q is not an http(s) URL with a host, e.g. https://ikm.bekasikota.go.id", s)
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "#"):
		p.errorf(n, "public_url", "%q has a query or fragment; give the site's base URL only", s)
	default:
		return strings.TrimRight(s, "/")
	}
	return ""
}

// admins parses the Telegram user ids of city admins.
func (p *configParser) admins(n *yaml.Node) []int64 {
	items, ok := p.seq(n, "admins", "a list of Telegram user ids, e.g. [123456789]")
	if !ok {
		return nil
	}
	var ids []int64
	seen := map[int64]bool{}
	for i, item := range items {
		field := fmt.Sprintf("admins[%d]", i)
		id, ok := p.int(item, field, "a Telegram user id (a whole number)")
		if !ok {
			continue
		}
		if id <= 0 {
			p.errorf(item, field, "want a Telegram user id (a positive whole number), got %d", id)
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// unitTypes parses the extra unit types into names, keyed by type, and
// returns them in file order.
func (p *configParser) unitTypes(n *yaml.Node, names map[survey.UnitType]string) []survey.UnitType {
	items, ok := p.seq(n, "unit_types", "a list of {key, name}")
	if !ok {
		return nil
	}
	var order []survey.UnitType
	lines := map[survey.UnitType]int{}
	for i, item := range items {
		path := fmt.Sprintf("unit_types[%d]", i)
		f, _, ok := p.mapping(item, path, unitTypeKeys)
		if !ok {
			continue
		}
		key := p.required(f["key"], item, path+".key", "missing: give a key such as kelurahan")
		name := p.str(f["name"], path+".name")
		t := survey.UnitType(key)
		switch {
		case key == "":
			continue
		case !typeKeyPattern.MatchString(key):
			p.errorf(f["key"], path+".key", "%q: want lowercase letters, digits and _, starting with a letter, at most 32", key)
			continue
		case slices.Contains(builtinTypes, t):
			p.errorf(f["key"], path+".key", "%q is built in; unit_types only adds new types", key)
			continue
		case lines[t] != 0:
			p.errorf(f["key"], path+".key", "duplicate type %q (also on line %d)", key, lines[t])
			continue
		}
		lines[t] = lineOf(f["key"], item).Line
		if name == "" {
			p.errorf(lineOf(f["name"], item), path+".name", "missing: give the display name, e.g. Kelurahan")
			name = key // keep the type known, so its units do not also fail
		}
		names[t] = name
		order = append(order, t)
	}
	return order
}

// serviceDefaults parses the default service list of each unit type.
func (p *configParser) serviceDefaults(n *yaml.Node, extra map[survey.UnitType]string) map[survey.UnitType][]string {
	f, keys, ok := p.mapping(n, "services", nil)
	if !ok {
		return nil
	}
	defaults := map[survey.UnitType][]string{}
	for _, k := range keys {
		t := survey.UnitType(k.Value)
		path := join("services", k.Value)
		if !knownType(t, extra) {
			p.errorf(k, path, "unknown unit type %q %s", k.Value, wantTypes(extra))
			continue
		}
		defaults[t] = p.services(f[k.Value], path)
	}
	return defaults
}

// questionnaireNames lists the questionnaires a config may set up, for
// error messages.
func questionnaireNames() []string {
	var out []string
	for _, q := range survey.Questionnaires {
		out = append(out, string(q.Key))
	}
	return out
}

// questionnaires parses the settings of the extra questionnaires (SPKP,
// SPAK) that units may ask: scale and report are required, bands optional.
func (p *configParser) questionnaires(n *yaml.Node) map[survey.QuestionnaireKey]survey.Extra {
	if n == nil {
		return nil
	}
	f, keys, ok := p.mapping(n, "questionnaires", questionnaireNames())
	if !ok {
		return nil
	}
	out := map[survey.QuestionnaireKey]survey.Extra{}
	for _, k := range keys {
		path := join("questionnaires", k.Value)
		q := survey.QuestionnaireOf(survey.QuestionnaireKey(k.Value))
		if q == nil {
			continue // mapping has said so
		}
		qf, _, ok := p.mapping(f[k.Value], path, questionnaireKeys)
		if !ok {
			continue
		}
		x := survey.Extra{Questionnaire: q}
		valid := true
		if n := qf["scale"]; n == nil {
			p.errorf(lineOf(n, f[k.Value]), path+".scale", "missing: %d or %d, the highest score of the form", survey.Scale4, survey.Scale6)
			valid = false
		} else if v, ok := p.int(n, path+".scale", "4 or 6"); !ok {
			valid = false
		} else if !survey.ValidScale(int(v)) {
			p.errorf(n, path+".scale", "%d: want %d or %d (the highest score of the form)", v, survey.Scale4, survey.Scale6)
			valid = false
		} else {
			x.Scale = int(v)
		}
		switch s := survey.Conversion(p.str(qf["report"], path+".report")); s {
		case survey.ReportMean, survey.Report100:
			x.Report = s
		case "":
			p.errorf(lineOf(qf["report"], f[k.Value]), path+".report", "missing: mean (the mean on the scale) or 100 (converted to 100)")
			valid = false
		default:
			p.errorf(qf["report"], path+".report", "%q: want mean (the mean on the scale) or 100 (converted to 100)", s)
			valid = false
		}
		if n := resolve(qf["bands"]); n != nil && !isNull(n) {
			switch s := p.str(n, path+".bands"); {
			case s == "skm" && x.Report == survey.Report100:
				x.Bands = true
			case s == "skm":
				p.errorf(n, path+".bands", "the SKM bands grade a figure out of 100: set report: 100, or leave bands out")
				valid = false
			case s != "none":
				p.errorf(n, path+".bands", "%q: want skm (the mutu bands of PermenPANRB 14/2017 on the figure out of 100) or none", s)
				valid = false
			}
		}
		if !valid {
			x = survey.Extra{} // reported here; units asking it are left out quietly
		}
		out[q.Key] = x
	}
	return out
}

// unitExtras parses a unit's list of extra questionnaires, in the order
// survey.Questionnaires asks them whatever the order listed.
func (p *configParser) unitExtras(n *yaml.Node, path string, extras map[survey.QuestionnaireKey]survey.Extra) ([]survey.Extra, bool) {
	items, ok := p.seq(n, path, "a list of questionnaires, e.g. [spkp, spak]")
	if !ok {
		return nil, false
	}
	listed := map[survey.QuestionnaireKey]bool{}
	valid := true
	for i, item := range items {
		field := fmt.Sprintf("%s[%d]", path, i)
		key := survey.QuestionnaireKey(p.str(item, field))
		switch x, set := extras[key]; {
		case survey.QuestionnaireOf(key) == nil:
			p.errorf(item, field, "unknown questionnaire %q (%s)", key, Suggest(string(key), questionnaireNames()))
			valid = false
		case listed[key]:
			p.errorf(item, field, "%s is listed twice", key)
			valid = false
		case !set:
			p.errorf(item, field, "%s is not set up: give its scale and report under questionnaires:", key)
			valid = false
		case x.Questionnaire == nil: // its settings are wrong, and reported
			valid = false
		default:
			listed[key] = true
		}
	}
	var out []survey.Extra
	for _, q := range survey.Questionnaires {
		if listed[q.Key] {
			out = append(out, extras[q.Key])
		}
	}
	return out, valid
}

// units parses the unit list.
func (p *configParser) units(n *yaml.Node, extra map[survey.UnitType]string, defaults map[survey.UnitType][]string, extras map[survey.QuestionnaireKey]survey.Extra) []survey.Unit {
	if isNull(resolve(n)) {
		p.errorf(n, "units", "missing: list at least one unit")
		return nil
	}
	items, ok := p.seq(n, "units", "a list of units")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.errorf(n, "units", "empty: list at least one unit")
		return nil
	}
	type seen struct {
		index, line int
	}
	codes := map[string]seen{}
	names := map[string]seen{}
	var units []survey.Unit
	for i, item := range items {
		path := fmt.Sprintf("units[%d]", i)
		f, _, ok := p.mapping(item, path, unitKeys)
		if !ok {
			continue
		}
		u := survey.Unit{
			Code: p.required(f["code"], item, path+".code", "missing: give a short code such as DISDUKCAPIL"),
			Name: p.required(f["name"], item, path+".name", "missing: give the unit's official name"),
			Type: survey.UnitType(p.required(f["type"], item, path+".type", "missing "+wantTypes(extra))),
			Area: p.str(f["area"], path+".area"),
		}
		valid := u.Code != "" && u.Name != "" && u.Type != ""
		codeNode := lineOf(f["code"], item)
		err := deeplink.CheckCode(u.Code)
		switch {
		case u.Code == "":
			// already reported by required
		case errors.Is(err, deeplink.ErrCodeTooLong):
			p.errorf(codeNode, path+".code", "%q is %d characters; keep codes to %d (deep links also carry a signature)", u.Code, utf8.RuneCountInString(u.Code), deeplink.MaxCodeLen)
			valid = false
		case errors.Is(err, deeplink.ErrCodeChars):
			p.errorf(codeNode, path+".code", "%q: use only letters, digits, - and _ (it goes into a Telegram link)", u.Code)
			valid = false
		case errors.Is(err, deeplink.ErrCodeLooksSigned):
			// Otherwise a bare code could not be told from a signed link.
			p.errorf(codeNode, path+".code", "%q ends like a signed deep link (-v<number>-<12 characters>); choose another code", u.Code)
			valid = false
		case errors.Is(err, deeplink.ErrCodeLooksCounter):
			p.errorf(codeNode, path+".code", "%q ends like a counter-screen code (-c<minutes>-<number>-<12 characters>); choose another code", u.Code)
			valid = false
		case err != nil:
			p.errorf(codeNode, path+".code", "%q: %v", u.Code, err)
			valid = false
		default:
			key := strings.ToUpper(u.Code)
			if first, dup := codes[key]; dup {
				p.errorf(codeNode, path+".code", "duplicate code %q: units[%d] on line %d has it too (codes ignore case)", u.Code, first.index, first.line)
				valid = false
			} else {
				codes[key] = seen{i, codeNode.Line}
			}
		}
		nameNode := lineOf(f["name"], item)
		if u.Name != "" {
			key := strings.ToLower(u.Name)
			if first, dup := names[key]; dup {
				// Respondents pick units by name; two alike cannot be told apart.
				p.errorf(nameNode, path+".name", "duplicate name %q: units[%d] on line %d has it too", u.Name, first.index, first.line)
				valid = false
			} else {
				names[key] = seen{i, nameNode.Line}
			}
		}
		if u.Type != "" && !knownType(u.Type, extra) {
			p.errorf(f["type"], path+".type", "unknown unit type %q %s", u.Type, wantTypes(extra))
			valid = false
		}
		if n := f["users_per_year"]; n != nil && !isNull(resolve(n)) {
			if users, ok := p.int(n, path+".users_per_year", "a whole number"); !ok {
				valid = false
			} else if users < 0 {
				p.errorf(n, path+".users_per_year", "must not be negative, got %d (0 = unknown)", users)
				valid = false
			} else if users > maxUsers {
				p.errorf(n, path+".users_per_year", "%d is not plausible for one unit in a year", users)
				valid = false
			} else {
				u.Users = int(users)
			}
		}
		if n := f["questionnaires"]; n != nil {
			var ok bool
			if u.Extras, ok = p.unitExtras(n, path+".questionnaires", extras); !ok {
				valid = false
			}
		}
		u.Services = p.services(f["services"], path+".services")
		if len(u.Services) == 0 {
			// A type without defaults is allowed: the respondent is then offered
			// only "other", and the service question still records that.
			u.Services = defaults[u.Type]
		}
		if valid {
			units = append(units, u)
		}
	}
	return units
}

// maxUsers bounds users_per_year; a larger number is a typo, and the sample
// size has long stopped growing (384 from about a million).
const maxUsers = 1_000_000_000

// services parses a list of service names.
func (p *configParser) services(n *yaml.Node, path string) []string {
	r := resolve(n)
	if list, ok := p.lists[r]; ok {
		return list
	}
	items, ok := p.seq(n, path, "a list of service names, e.g. [KTP-el, Kartu Keluarga]")
	if !ok {
		return nil
	}
	var out []string
	first := map[string]int{}
	for i, item := range items {
		field := fmt.Sprintf("%s[%d]", path, i)
		s := p.str(item, field)
		key := strings.ToLower(s)
		j, dup := first[key]
		switch {
		case s == "":
			p.errorf(item, field, "empty service name")
		case key == survey.ServiceOther:
			p.errorf(item, field, `"other" is reserved: every unit offers it already`)
		case dup:
			// Two buttons that read alike split one service's answers in two.
			p.errorf(item, field, "duplicate service %q: [%d] on line %d has it too (names ignore case)", s, j, items[j].Line)
		default:
			first[key] = i
			out = append(out, s)
		}
	}
	if r != nil {
		p.lists[r] = out
	}
	return out
}

// mapping checks that n is a mapping and returns its values by key and its
// keys in file order, reporting unknown and duplicate keys (the YAML library
// keeps both in a node tree). known == nil accepts any key. A null n is an
// empty mapping where that makes sense (known == nil).
func (p *configParser) mapping(n *yaml.Node, path string, known []string) (map[string]*yaml.Node, []*yaml.Node, bool) {
	vals := map[string]*yaml.Node{}
	r := resolve(n)
	if isNull(r) {
		if known != nil {
			p.errorf(n, path, "empty: want a mapping with %s", strings.Join(known, ", "))
			return vals, nil, false
		}
		return vals, nil, true
	}
	if r.Kind != yaml.MappingNode {
		want := "a mapping of unit type to service list"
		if known != nil {
			want = "a mapping with " + strings.Join(known, ", ")
		}
		p.errorf(n, path, "want %s, got %s", want, describe(r))
		return vals, nil, false
	}
	var keys []*yaml.Node
	first := map[string]int{}
	for i := 0; i+1 < len(r.Content); i += 2 {
		k, v := resolve(r.Content[i]), r.Content[i+1]
		field := join(path, k.Value)
		switch {
		case k.Kind != yaml.ScalarNode || k.Value == "":
			p.errorf(r.Content[i], path, "keys must be plain words, got %s", describe(k))
		case k.ShortTag() == "!!merge":
			p.errorf(r.Content[i], field, "merge keys are not supported: repeat the keys, or use an alias (*name) for a value")
		case known != nil && !slices.Contains(known, k.Value):
			p.errorf(r.Content[i], field, "unknown key (%s)", Suggest(k.Value, known))
		case first[k.Value] != 0:
			p.errorf(r.Content[i], field, "duplicate key (first on line %d)", first[k.Value])
		default:
			first[k.Value] = r.Content[i].Line
			vals[k.Value] = v
			keys = append(keys, k)
		}
	}
	return vals, keys, true
}

// fields returns the values of a mapping by key; see mapping.
func (p *configParser) fields(n *yaml.Node, path string, known []string) map[string]*yaml.Node {
	vals, _, _ := p.mapping(n, path, known)
	return vals
}

// seq checks that n is a sequence and returns its items; a null n is an empty
// list. want describes the expected value for the error.
func (p *configParser) seq(n *yaml.Node, path, want string) ([]*yaml.Node, bool) {
	r := resolve(n)
	if isNull(r) {
		return nil, true
	}
	if r.Kind != yaml.SequenceNode {
		p.errorf(n, path, "want %s, got %s", want, describe(r))
		return nil, false
	}
	return r.Content, true
}

// str returns a scalar as trimmed text; null and absent are "". Any scalar is
// accepted, so that a name such as 2024 or a code such as 0123 needs no quotes.
func (p *configParser) str(n *yaml.Node, path string) string {
	r := resolve(n)
	if isNull(r) {
		return ""
	}
	if r.Kind != yaml.ScalarNode {
		p.errorf(n, path, "want text, got %s", describe(r))
		return ""
	}
	return strings.TrimSpace(r.Value)
}

// required is str for a key that must have a value: it reports msg at n, or
// at parent when the key is absent, unless str has already reported a bad
// value.
func (p *configParser) required(n, parent *yaml.Node, path, msg string) string {
	before := len(p.errs)
	s := p.str(n, path)
	if s == "" && len(p.errs) == before {
		p.errorf(lineOf(n, parent), path, "%s", msg)
	}
	return s
}

// int returns a whole number; want describes it for the error. Floats are
// refused: the YAML library would silently truncate 1.5 to 1.
func (p *configParser) int(n *yaml.Node, path, want string) (int64, bool) {
	r := resolve(n)
	var v int64
	if r == nil || r.Kind != yaml.ScalarNode || r.ShortTag() != "!!int" || r.Decode(&v) != nil {
		p.errorf(n, path, "want %s, got %s", want, describe(r))
		return 0, false
	}
	return v, true
}

// typeOrder lists the types that have units: built-in ones first, then extra
// ones in unit_types order, so reports are ordered alike in every city.
func typeOrder(units []survey.Unit, extra []survey.UnitType) []survey.UnitType {
	used := map[survey.UnitType]bool{}
	for _, u := range units {
		used[u.Type] = true
	}
	var out []survey.UnitType
	for _, t := range append(append([]survey.UnitType(nil), builtinTypes...), extra...) {
		if used[t] {
			out = append(out, t)
		}
	}
	return out
}

// knownType reports whether t is built in or declared under unit_types.
func knownType(t survey.UnitType, extra map[survey.UnitType]string) bool {
	_, ok := extra[t]
	return ok || slices.Contains(builtinTypes, t)
}

// wantTypes lists the accepted unit types for an error message.
func wantTypes(extra map[survey.UnitType]string) string {
	if len(extra) == 0 {
		return "(want perangkat_daerah, rsud, puskesmas, or a key under unit_types)"
	}
	var keys []string
	for t := range extra {
		keys = append(keys, string(t))
	}
	sort.Strings(keys)
	return fmt.Sprintf("(want perangkat_daerah, rsud, puskesmas, or a key under unit_types: %s)", strings.Join(keys, ", "))
}

// resolve follows an alias (*name) to its anchored node. Aliases let a city
// share one service list among many units.
func resolve(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// isNull reports whether n is absent or an explicit null (a key with no value).
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// kindName names a node's kind for an error message.
func kindName(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.ScalarNode:
		return "a single value"
	}
	return "something else"
}

// describe shows a node in an error message: a scalar by its value, which is
// what the admin will search the file for, shortened to keep one error a line.
func describe(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return kindName(n)
	}
	const max = 60
	if r := []rune(n.Value); len(r) > max {
		return strconv.Quote(string(r[:max])) + "..."
	}
	return strconv.Quote(n.Value)
}

// lineOf returns n, or fallback when n is absent, so an error about a missing
// key points at its enclosing mapping.
func lineOf(n, fallback *yaml.Node) *yaml.Node {
	if n != nil {
		return n
	}
	return fallback
}

// join builds a field path such as units[3].type. An odd key is quoted, so
// that a key holding a newline or a colon cannot garble the message.
func join(path, key string) string {
	if !plainKey.MatchString(key) {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// plainKey matches keys that read unambiguously unquoted in a field path.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_<-]{1,64}$`)

// Suggest names the known key closest to key, since most unknown keys are
// typos, or else lists the known keys.
func Suggest(key string, known []string) string {
	best := Closest(key, known)
	if best == "" {
		return "want " + strings.Join(known, ", ")
	}
	return fmt.Sprintf("did you mean %q?", best)
}

// Closest returns the name in known closest to s, ignoring case, when it
// is at most two edits away (a typo), the first of equals; "" otherwise.
// Every "did you mean" of the CLI asks it: config keys, import columns,
// unit codes.
func Closest(s string, known []string) string {
	s = strings.ToLower(s)
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(s, strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
