package main

import (
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/survey"
)

// city is the part of ikmbot's configuration the load tool needs.
//
// It comes from ikmbot's own embedded Kota Bekasi configuration rather than
// made-up units, so that the load runs on the real 89 units (their names,
// service lists and so message sizes), the binary runs with its own default
// configuration, and a seeded database shows up in "ikmbot report" and /ikm
// without a --config.
type city struct {
	Name             string
	Location         *time.Location
	RespondentPeriod survey.PeriodKind
	SessionTTL       time.Duration
	ChatRetention    time.Duration
	SuggestionDays   int
	Catalog          *survey.Catalog
}

// loadCity loads the embedded Kota Bekasi configuration, as ikmbot does
// without --config.
func loadCity() (*city, error) {
	cfg, err := config.Load("")
	if err != nil {
		return nil, err
	}
	return &city{
		Name: cfg.City, Location: cfg.Location, RespondentPeriod: cfg.RespondentPeriod, SessionTTL: cfg.SessionTTL,
		ChatRetention: cfg.ChatRetention, SuggestionDays: cfg.SuggestionDays, Catalog: cfg.Catalog,
	}, nil
}
