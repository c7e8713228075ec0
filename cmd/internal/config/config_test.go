package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/survey"
)

// fixture is the path of a config file under testdata/config.
func fixture(name string) string {
	return filepath.Join("testdata", "config", name)
}

func TestEmbeddedConfig(t *testing.T) {
	cfg, err := Load("")
	if err != nil {
		t.Fatalf("Load(\"\"): %v", err)
	}
	if got, want := cfg.Path, "(embedded)"; got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	if got, want := cfg.City, "Kota Bekasi"; got != want {
		t.Errorf("City = %q, want %q", got, want)
	}
	if got, want := cfg.Location.String(), "Asia/Jakarta"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got, want := cfg.RespondentPeriod, survey.PeriodYear; got != want {
		t.Errorf("RespondentPeriod = %q, want %q", got, want)
	}
	if len(cfg.Admins) != 0 {
		t.Errorf("Admins = %v, want none", cfg.Admins)
	}
	if got, want := cfg.Catalog.Len(), 89; got != want {
		t.Fatalf("%d units, want %d", got, want)
	}
	if got, want := cfg.Catalog.Types(), []survey.UnitType{survey.PerangkatDaerah, survey.RSUD, survey.Puskesmas}; !reflect.DeepEqual(got, want) {
		t.Errorf("Types() = %v, want %v", got, want)
	}
	for typ, want := range map[survey.UnitType]int{survey.PerangkatDaerah: 44, survey.RSUD: 3, survey.Puskesmas: 42} {
		if got := len(cfg.Catalog.OfType(typ)); got != want {
			t.Errorf("%d units of type %s, want %d", got, typ, want)
		}
	}
	seen := map[string]bool{}
	for _, u := range cfg.Catalog.Units() {
		key := strings.ToUpper(u.Code)
		if seen[key] {
			t.Errorf("code %s appears twice", u.Code)
		}
		seen[key] = true
		if err := deeplink.CheckCode(u.Code); err != nil {
			t.Errorf("code %q: %v", u.Code, err)
		}
		if len(u.Services) == 0 {
			t.Errorf("unit %s offers no service but \"other\"", u.Code)
		}
		if u.Name == "" {
			t.Errorf("unit %s has no name", u.Code)
		}
	}
	// Spot checks against the CSV the file was written from.
	for code, want := range map[string]survey.Unit{
		"DISDUKCAPIL":   {Code: "DISDUKCAPIL", Name: "Dinas Kependudukan dan Pencatatan Sipil", Type: survey.PerangkatDaerah, Services: []string{"KTP-el", "Kartu Keluarga", "Akta Kelahiran", "Akta Kematian", "Pindah Datang", "KIA"}},
		"rsud-pdgede":   {Code: "RSUD-PDGEDE", Name: "RSUD Tipe D Pondokgede", Type: survey.RSUD, Services: []string{"Rawat Jalan", "Rawat Inap", "IGD", "Laboratorium", "Farmasi", "Radiologi"}},
		"PKM-KRANJI":    {Code: "PKM-KRANJI", Name: "Puskesmas Kranji", Type: survey.Puskesmas, Area: "Bekasi Barat", Services: []string{"Poli Umum", "Poli Gigi", "KIA dan KB", "Imunisasi", "Laboratorium", "Farmasi"}},
		"KEC-RAWALUMBU": {Code: "KEC-RAWALUMBU", Name: "Kecamatan Rawalumbu", Type: survey.PerangkatDaerah, Area: "Rawalumbu", Services: []string{"PATEN", "Surat Pengantar", "Legalisir", "Surat Keterangan Ahli Waris", "Izin Keramaian", "Perekaman KTP-el"}},
		"SETDA":         {Code: "SETDA", Name: "Sekretariat Daerah", Type: survey.PerangkatDaerah, Services: []string{"Informasi Publik", "Pengaduan", "Konsultasi", "Layanan Administrasi"}},
	} {
		got, ok := cfg.Catalog.Unit(code)
		if !ok {
			t.Errorf("Unit(%q) not found", code)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Unit(%q) = %+v, want %+v", code, got, want)
		}
	}
}

func TestEmbeddedConfigMatchesFile(t *testing.T) {
	// The file a city copies must be the one the binary runs with.
	data, err := os.ReadFile("bekasi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(bekasiYAML) {
		t.Error("embedded config differs from bekasi.yaml")
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := Load(fixture("valid_minimal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Path, fixture("valid_minimal.yaml"); got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	if got, want := cfg.Location.String(), "Asia/Jakarta"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got, want := cfg.RespondentPeriod, survey.PeriodYear; got != want {
		t.Errorf("RespondentPeriod = %q, want %q", got, want)
	}
	if cfg.AllowReplace {
		t.Error("AllowReplace = true, want false")
	}
	if got, want := cfg.SessionTTL, 24*time.Hour; got != want {
		t.Errorf("SessionTTL = %v, want %v", got, want)
	}
	if got, want := cfg.DefaultLanguage, "id"; got != want {
		t.Errorf("DefaultLanguage = %q, want %q", got, want)
	}
	if cfg.Admins != nil || len(cfg.TypeNames) != 0 {
		t.Errorf("Admins = %v, TypeNames = %v, want none", cfg.Admins, cfg.TypeNames)
	}
	if cfg.Digest {
		t.Errorf("Digest on at hour %d without digest_hour", cfg.DigestHour)
	}
	// A unit whose type has no default list is allowed: it offers only "other".
	u, ok := cfg.Catalog.Unit("DISDUKCAPIL")
	if !ok {
		t.Fatal("DISDUKCAPIL not found")
	}
	if len(u.Services) != 0 {
		t.Errorf("Services = %q, want none", u.Services)
	}
}

func TestConfigEveryKey(t *testing.T) {
	cfg, err := Load(fixture("valid_full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Location.String(), "Asia/Makassar"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got, want := cfg.RespondentPeriod, survey.PeriodQuarter; got != want {
		t.Errorf("RespondentPeriod = %q, want %q", got, want)
	}
	if !cfg.AllowReplace {
		t.Error("AllowReplace = false, want true")
	}
	if got, want := cfg.SessionTTL, 90*time.Minute; got != want {
		t.Errorf("SessionTTL = %v, want %v", got, want)
	}
	if got, want := cfg.DefaultLanguage, "en"; got != want {
		t.Errorf("DefaultLanguage = %q, want %q", got, want)
	}
	if !cfg.Digest || cfg.DigestHour != 0 {
		t.Errorf("Digest, DigestHour = %v, %d; want on at midnight (0 is an hour, not \"off\")", cfg.Digest, cfg.DigestHour)
	}
	if got, want := cfg.PublicURL, "https://ikm.contoh.go.id"; got != want {
		t.Errorf("PublicURL = %q, want %q (no trailing slash)", got, want)
	}
	if got, want := cfg.Admins, []int64{123456789, 5012345678}; !reflect.DeepEqual(got, want) {
		t.Errorf("Admins = %v, want %v", got, want)
	}
	if got, want := cfg.TypeNames, map[survey.UnitType]string{"kelurahan": "Kelurahan"}; !reflect.DeepEqual(got, want) {
		t.Errorf("TypeNames = %v, want %v", got, want)
	}
	// Built-in types first, then extra ones, whatever the order of units.
	if got, want := cfg.Catalog.Types(), []survey.UnitType{survey.PerangkatDaerah, survey.Puskesmas, "kelurahan"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Types() = %v, want %v", got, want)
	}
	spkp := survey.Extra{Questionnaire: survey.QuestionnaireOf(survey.SPKP), Scale: 6, Report: survey.ReportMean}
	spak := survey.Extra{Questionnaire: survey.QuestionnaireOf(survey.SPAK), Scale: 4, Report: survey.Report100, Bands: true}
	want := []survey.Unit{
		{Code: "KEL-MARGAHAYU", Name: "Kelurahan Margahayu", Type: "kelurahan", Area: "Bekasi Timur", Services: []string{"Surat Pengantar", "Surat Keterangan Domisili"}},
		// Asked in the order of survey.Questionnaires, whatever the order listed.
		{Code: "PKM-A", Name: "Puskesmas A", Type: survey.Puskesmas, Services: []string{"Poli Umum", "Poli Gigi"}, Users: 12000, Extras: []survey.Extra{spkp, spak}},
		{Code: "PKM-B", Name: "Puskesmas B", Type: survey.Puskesmas, Services: []string{"Poli Umum", "Poli Gigi"}},
		{Code: "DISDUKCAPIL", Name: "Dinas Kependudukan dan Pencatatan Sipil", Type: survey.PerangkatDaerah, Services: []string{"KTP-el", "Kartu Keluarga"}, Extras: []survey.Extra{spak}},
	}
	if got := cfg.Catalog.Units(); !reflect.DeepEqual(got, want) {
		t.Errorf("Units() =\n%+v\nwant\n%+v", got, want)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		file string
		want string // after the file name
	}{
		{"unknown_key.yaml", `:6: servics: unknown key (did you mean "services"?)`},
		{"unknown_unit_key.yaml", `:6: units[0].servics: unknown key (did you mean "services"?)`},
		{"duplicate_key.yaml", `:6: city: duplicate key (first on line 1)`},
		{"merge_key.yaml", `:2: base: unknown key (want city, timezone, respondent_period, allow_replace, session_ttl, default_language, admins, signed_links_only, chat_retention, suggestion_retention_days, digest_hour, public_url, unit_types, services, questionnaires, units)` +
			"\n{file}:5: units[0].<<: merge keys are not supported: repeat the keys, or use an alias (*name) for a value" +
			"\n{file}:5: units[0].type: missing (want perangkat_daerah, rsud, puskesmas, or a key under unit_types)"},
		{"city_missing.yaml", `: city: missing: name the city or regency, e.g. Kota Bekasi`},
		{"code_missing.yaml", `:6: units[1].code: missing: give a short code such as DISDUKCAPIL`},
		{"code_chars.yaml", `:6: units[1].code: "PKM JATI": use only letters, digits, - and _ (it goes into a Telegram link)`},
		{"code_long.yaml", `:6: units[1].code: "PUSKESMAS-KALIABANG-TENGAH-BEKASI-UTARA" is 39 characters; keep codes to 32 (deep links also carry a signature)`},
		{"code_duplicate.yaml", `:9: units[2].code: duplicate code "pkm-jati": units[0] on line 3 has it too (codes ignore case)`},
		{"name_empty.yaml", `:7: units[1].name: missing: give the unit's official name`},
		{"name_duplicate.yaml", `:7: units[1].name: duplicate name "dinas kependudukan dan pencatatan sipil": units[0] on line 4 has it too`},
		{"type_unknown.yaml", `:14: units[3].type: unknown unit type "rsudx" (want perangkat_daerah, rsud, puskesmas, or a key under unit_types)`},
		{"type_missing.yaml", `:6: units[1].type: missing (want perangkat_daerah, rsud, puskesmas, or a key under unit_types)`},
		{"users_negative.yaml", `:6: units[0].users_per_year: must not be negative, got -250 (0 = unknown)`},
		{"users_float.yaml", `:6: units[0].users_per_year: want a whole number, got "1500.5"`},
		{"timezone_bad.yaml", `:1: timezone: unknown time zone "Asia/Bekasi" (want an IANA name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura)`},
		{"timezone_local.yaml", `:1: timezone: "Local" depends on the server; name the zone, e.g. Asia/Jakarta, Asia/Makassar or Asia/Jayapura`},
		{"ttl_bad.yaml", `:1: session_ttl: bad duration "1d" (want a Go duration such as 30m, 24h or 72h)`},
		{"ttl_short.yaml", `:1: session_ttl: 30s is too short: respondents need at least 1m to answer`},
		{"period_bad.yaml", `:1: respondent_period: unknown period "weekly" (want month, quarter, semester or year)`},
		{"period_range.yaml", `:1: respondent_period: unknown period "range" (want month, quarter, semester or year)`},
		{"admins_not_int.yaml", `:3: admins[1]: want a Telegram user id (a whole number), got "@budi"`},
		{"admins_float.yaml", `:1: admins[0]: want a Telegram user id (a whole number), got "1.5e9"`},
		{"admins_negative.yaml", `:1: admins[0]: want a Telegram user id (a positive whole number), got -100123`},
		{"admins_not_list.yaml", `:1: admins: want a list of Telegram user ids, e.g. [123456789], got "123456789"`},
		{"language_bad.yaml", `:1: default_language: unsupported language "jv" (want id or en)`},
		{"allow_replace_bad.yaml", `:1: allow_replace: want true or false, got "maybe"`},
		{"signed_links_only_bad.yaml", `:1: signed_links_only: want true or false, got "yes please"`},
		{"digest_hour_24.yaml", `:2: digest_hour: 24 is not an hour: want 0 to 23 (the digest goes out at that hour in the timezone), or no digest_hour for no digest`},
		{"digest_hour_clock.yaml", `:2: digest_hour: want an hour from 0 to 23 (the digest goes out at that hour in the timezone), or no digest_hour for no digest, got "07:30"`},
		{"public_url_scheme.yaml", `:2: public_url: "ftp://ikm.contoh.go.id" is not an http(s) URL with a host, e.g. https://ikm.bekasikota.go.id`},
		{"public_url_relative.yaml", `:2: public_url: "ikm.contoh.go.id" is not an http(s) URL with a host, e.g. https://ikm.bekasikota.go.id`},
		{"public_url_query.yaml", `:2: public_url: "https://ikm.contoh.go.id/?x=1" has a query or fragment; give the site's base URL only`},
		{"code_signed_layout.yaml", `:6: units[1].code: "PKM-v2-ABCDEFGHIJKL" ends like a signed deep link (-v<number>-<12 characters>); choose another code`},
		{"code_counter_layout.yaml", `:6: units[1].code: "PKM-c5-123-ABCDEFGHIJKL" ends like a counter-screen code (-c<minutes>-<number>-<12 characters>); choose another code`},
		{"units_empty.yaml", `:2: units: empty: list at least one unit`},
		{"units_missing.yaml", `: units: missing: list at least one unit`},
		{"units_not_list.yaml", `:3: units: want a list of units, got a mapping`},
		{"unit_not_mapping.yaml", `:6: units[1]: want a mapping with code, name, type, area, services, users_per_year, questionnaires, got "DINSOS"`},
		{"questionnaire_unknown.yaml", `:3: questionnaires.spkpp: unknown key (did you mean "spkp"?)`},
		{"questionnaire_scale.yaml", `:3: questionnaires.spkp.scale: 5: want 4 or 6 (the highest score of the form)`},
		{"questionnaire_scale_missing.yaml", `:4: questionnaires.spkp.scale: missing: 4 or 6, the highest score of the form`},
		{"questionnaire_report.yaml", `:3: questionnaires.spak.report: "percent": want mean (the mean on the scale) or 100 (converted to 100)`},
		{"questionnaire_bands_mean.yaml", `:3: questionnaires.spak.bands: the SKM bands grade a figure out of 100: set report: 100, or leave bands out`},
		{"questionnaire_bands_bad.yaml", `:3: questionnaires.spak.bands: "ipak": want skm (the mutu bands of PermenPANRB 14/2017 on the figure out of 100) or none`},
		{"unit_questionnaire_not_set.yaml", `:8: units[0].questionnaires[1]: spkp is not set up: give its scale and report under questionnaires:`},
		{"unit_questionnaire_unknown.yaml", `:8: units[0].questionnaires[0]: unknown questionnaire "ipak" (did you mean "spak"?)`},
		{"unit_questionnaire_twice.yaml", `:8: units[0].questionnaires[1]: spak is listed twice`},
		{"services_unknown_type.yaml", `:2: services.kelurahan: unknown unit type "kelurahan" (want perangkat_daerah, rsud, puskesmas, or a key under unit_types)`},
		{"services_not_list.yaml", `:6: units[0].services: want a list of service names, e.g. [KTP-el, Kartu Keluarga], got "KTP-el"`},
		{"service_other.yaml", `:6: units[0].services[1]: "other" is reserved: every unit offers it already`},
		{"service_duplicate.yaml", `:6: units[0].services[2]: duplicate service "ktp-el": [0] on line 6 has it too (names ignore case)`},
		// A list shared through an alias is reported once, where it is written.
		{"service_alias_other.yaml", `:6: units[0].services[1]: "other" is reserved: every unit offers it already`},
		{"service_empty.yaml", `:2: services.puskesmas[1]: empty service name`},
		{"unit_type_builtin.yaml", `:2: unit_types[0].key: "rsud" is built in; unit_types only adds new types`},
		{"unit_type_duplicate.yaml", `:4: unit_types[1].key: duplicate type "kelurahan" (also on line 2)`},
		{"unit_type_bad_key.yaml", `:2: unit_types[0].key: "Kelurahan Kota": want lowercase letters, digits and _, starting with a letter, at most 32`},
		// unit_types comes after units in the file; errors still come in line order.
		{"many_errors.yaml", ":2: session_ttl: 10s is too short: respondents need at least 1m to answer" +
			"\n{file}:9: unit_types[0].name: missing: give the display name, e.g. Kelurahan"},
		{"empty.yaml", `: config is empty: it needs at least city and units`},
		{"whitespace.yaml", `: config is empty: it needs at least city and units`},
		{"comments_only.yaml", `: config is empty: it needs at least city and units`},
		{"binary.yaml", `:1: not a YAML text file (binary data or invalid UTF-8)`},
		{"toplevel_list.yaml", `:1: the top level must be a mapping of settings (city:, units:, ...), not a list`},
		{"toplevel_scalar.yaml", `:1: the top level must be a mapping of settings (city:, units:, ...), not a single value`},
		{"syntax.yaml", `:5: invalid YAML: did not find expected ',' or ']'`},
		{"multi_doc.yaml", `:6: a second YAML document (---) is not allowed; put everything in one`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := fixture(tt.file)
			cfg, err := Load(path)
			if err == nil {
				t.Fatalf("Load(%s) = %+v, want an error", path, cfg)
			}
			want := path + strings.ReplaceAll(tt.want, "{file}", path)
			if got := err.Error(); got != want {
				t.Errorf("error\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

func TestConfigMissingFile(t *testing.T) {
	path := fixture("no-such-file.yaml")
	_, err := Load(path)
	if err == nil {
		t.Fatal("no error for a missing file")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %q is not fs.ErrNotExist", err)
	}
}

func TestConfigErrorCap(t *testing.T) {
	// A file with many mistakes lists the first ones and counts the rest,
	// instead of scrolling the first off the screen.
	var b strings.Builder
	b.WriteString("city: Kota Contoh\nunits:\n")
	for range 25 {
		b.WriteString("  - {code: X, name: \"\", type: puskesmas}\n")
	}
	_, err := Parse("many.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if got, want := len(lines), maxConfigErrors+1; got != want {
		t.Errorf("%d lines, want %d", got, want)
	}
	if got, want := lines[len(lines)-1], "many.yaml: and 29 more errors"; got != want {
		t.Errorf("last line = %q, want %q", got, want)
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		key  string
		want string
	}{
		{"servics", `did you mean "services"?`},
		{"City", `did you mean "city"?`},
		{"timezon", `did you mean "timezone"?`},
		{"bogus", "want code, name, type, area, services, users_per_year, questionnaires"},
	}
	for _, tt := range tests {
		known := topKeys
		if tt.key == "bogus" {
			known = unitKeys
		}
		if got := Suggest(tt.key, known); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// FuzzParseConfig checks that no input panics, that every error names the
// file, and that a config that parses has units to survey.
func FuzzParseConfig(f *testing.F) {
	files, err := filepath.Glob(fixture("*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range append(files, "bekasi.yaml") {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz.yaml") {
					t.Fatalf("error line %q does not name the file", line)
				}
			}
			return
		}
		if cfg.Catalog == nil || cfg.Catalog.Len() == 0 {
			t.Fatal("success with no units")
		}
		if cfg.Location == nil || cfg.City == "" {
			t.Fatalf("success without location or city: %+v", cfg)
		}
		for _, u := range cfg.Catalog.Units() {
			if err := deeplink.CheckCode(u.Code); err != nil {
				t.Fatalf("success with bad code %q: %v", u.Code, err)
			}
		}
	})
}

func TestClosest(t *testing.T) {
	codes := []string{"DISDUKCAPIL", "PKM-KRANJI", "PKM-JATIBENING", "RSUD-CAM"}
	tests := []struct {
		s     string
		known []string
		want  string
	}{
		{"disdukcapil", codes, "DISDUKCAPIL"}, // case only
		{"DISDUKCAPL", codes, "DISDUKCAPIL"},  // one letter dropped
		{"PKM-KRANJ1", codes, "PKM-KRANJI"},   // one changed
		{"PKM-KARNJI", codes, "PKM-KRANJI"},   // two: a swap
		{"PKM-KRN", codes, ""},                // three away
		{"SETDA", codes, ""},                  // nothing like it
		{"servics", []string{"services", "units"}, "services"},
		{"ab", []string{"ax", "ay"}, "ax"}, // the first of equals
		{"x", nil, ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.s, tt.known); got != tt.want {
			t.Errorf("Closest(%q, %v) = %q, want %q", tt.s, tt.known, got, tt.want)
		}
	}
}
