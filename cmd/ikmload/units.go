package main

import (
	_ "embed"
	"fmt"
	"time"
	_ "time/tzdata" // Asia/Jakarta decides the survey day, as in ikmbot

	"go.yaml.in/yaml/v3"

	"github.com/ikmbot/ikmbot/survey"
)

// bekasiYAML is a copy of cmd/ikmbot/bekasi.yaml, the configuration ikmbot
// embeds. Package main cannot be imported and go:embed cannot reach a
// sibling directory, so the file is copied; TestCityMatchesIkmbot fails when
// the two lists of units drift apart.
//
// A copy rather than made-up units, so that the load runs on the real 89
// units (their names, service lists and so message sizes), the binary runs
// with its own default configuration, and a seeded database shows up in
// "ikmbot report" and /ikm without a --config.
//
//go:embed bekasi.yaml
var bekasiYAML []byte

// city is the part of ikmbot's configuration the load tool needs.
type city struct {
	Name             string
	Location         *time.Location
	RespondentPeriod survey.PeriodKind
	SessionTTL       time.Duration
	ChatRetention    time.Duration
	SuggestionDays   int
	Catalog          *survey.Catalog
}

// cityFile is bekasi.yaml as far as the load tool reads it. ikmbot's own
// loader validates the file; this one only needs it to be the same file.
type cityFile struct {
	City             string              `yaml:"city"`
	Timezone         string              `yaml:"timezone"`
	RespondentPeriod string              `yaml:"respondent_period"`
	SessionTTL       string              `yaml:"session_ttl"`
	ChatRetention    string              `yaml:"chat_retention"`
	SuggestionDays   int                 `yaml:"suggestion_retention_days"`
	Services         map[string][]string `yaml:"services"`
	Units            []struct {
		Code     string   `yaml:"code"`
		Name     string   `yaml:"name"`
		Type     string   `yaml:"type"`
		Area     string   `yaml:"area"`
		Services []string `yaml:"services"`
		Users    int      `yaml:"users_per_year"`
	} `yaml:"units"`
}

// loadCity parses the embedded Kota Bekasi configuration.
func loadCity() (*city, error) { return parseCity(bekasiYAML) }

func parseCity(data []byte) (*city, error) {
	var f cityFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("city config: %w", err)
	}
	loc, err := time.LoadLocation(f.Timezone)
	if err != nil {
		return nil, fmt.Errorf("city config: %w", err)
	}
	ttl, err := time.ParseDuration(f.SessionTTL)
	if err != nil {
		return nil, fmt.Errorf("city config: session_ttl: %w", err)
	}
	var keep time.Duration
	if f.ChatRetention != "" {
		if keep, err = time.ParseDuration(f.ChatRetention); err != nil {
			return nil, fmt.Errorf("city config: chat_retention: %w", err)
		}
	}
	units := make([]survey.Unit, len(f.Units))
	for i, u := range f.Units {
		units[i] = survey.Unit{Code: u.Code, Name: u.Name, Type: survey.UnitType(u.Type), Area: u.Area, Services: u.Services, Users: u.Users}
		if units[i].Services == nil {
			units[i].Services = f.Services[u.Type]
		}
	}
	if len(units) == 0 {
		return nil, fmt.Errorf("city config: no units")
	}
	return &city{
		Name: f.City, Location: loc, RespondentPeriod: survey.PeriodKind(f.RespondentPeriod), SessionTTL: ttl,
		ChatRetention: keep, SuggestionDays: f.SuggestionDays,
		Catalog: survey.NewCatalog(units, survey.PerangkatDaerah, survey.RSUD, survey.Puskesmas),
	}, nil
}
