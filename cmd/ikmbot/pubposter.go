package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/export"
	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// posterUsage is printed for ikmbot poster -h.
const posterUsage = `usage: ikmbot poster --out DIR [--unit CODE] [--period P] [--db FILE] [--legacy-weights] [--charts]

Draws the publication poster of every unit with respondents in the period,
the result a unit posts on its wall and website: unit, period, IKM, mutu,
kinerja, respondents, the IPKP and IPAK of a unit that asks them, the NRR
of each element and the respondents' profile (counts under 5 suppressed). For each unit DIR/CODE-ikm-P.png (A4, 1240
pixels wide) and DIR/CODE-ikm-P.pdf (A4), and, without --unit,
DIR/` + "semua-unit.ikm-P.pdf" + ` with every poster, one a page, for the
print shop.

--charts also draws, sized for a phone: DIR/CODE-unsur-P.png (the unit's
element NRRs against the mutu bands), DIR/CODE-ipkp-P.png and
DIR/CODE-ipak-P.png for a unit that asks them, and without --unit
DIR/peringkat-P.png (all units ranked) and DIR/tren-P.png (the city's
IKM over the last five periods of the same length).

P is 2026, 2026-S1, 2026-Q3, 2026-07 or 2026-01-01..2026-03-31; the
default is the current year. The database is only read; the bot holds it
while it runs, so stop it or use a hot backup (ikmbot backup --out COPY).
`

// trendPeriods is how many periods the trend chart shows, the chosen one last.
const trendPeriods = 5

// runPoster implements ikmbot poster.
func runPoster(cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("poster", flag.ContinueOnError)
	outDir := fs.String("out", "", "directory for the posters, created if missing (required)")
	unitCode := fs.String("unit", "", "only this unit, by code; default: every unit with respondents")
	periodArg := fs.String("period", "", "the period of the figures (default: the current year)")
	dbPath := fs.String("db", defaultDB, "the bot's database file")
	legacy := fs.Bool("legacy-weights", false, "weigh each element 0.111 as the regulation's worksheets print it")
	charts := fs.Bool("charts", false, "also draw the element, ranking and trend charts (PNG)")
	if done, err := parseCommandFlags(fs, posterUsage, args, stdout); done || err != nil {
		return err
	}
	if *outDir == "" {
		return errors.New("poster: --out is required (see ikmbot poster -h)")
	}
	units := cfg.Catalog.Units()
	if *unitCode != "" {
		u, err := unitByCode(cfg, *unitCode)
		if err != nil {
			return fmt.Errorf("poster: --unit: %w", err)
		}
		units = []survey.Unit{u}
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	p := survey.PeriodOf(survey.PeriodYear, cmdNow().In(loc))
	if *periodArg != "" {
		var err error
		if p, err = survey.ParsePeriod(*periodArg, loc); err != nil {
			return fmt.Errorf("poster: --period: %w", err)
		}
	}
	w := survey.ExactWeights
	if *legacy {
		w = survey.LegacyWeights
	}
	if err := checkDBExists(*dbPath); err != nil {
		return fmt.Errorf("poster: %w", err)
	}

	// The trend chart's periods, the chosen one last.
	periods := 1
	if *charts && *unitCode == "" {
		periods = trendPeriods
	}
	sums, profiles, indexes, err := readPosterFigures(*dbPath, cfg, units, p, periods, w, cmdNow().In(loc))
	if err != nil {
		return fmt.Errorf("poster: %w", err)
	}
	sum := sums[len(sums)-1]
	rep := exportReport(cfg, sum, indexes, w)
	rep.Profiles = profiles
	posters := export.Posters(rep)
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return fmt.Errorf("poster: %w", err)
	}
	write := func(name string, data []byte) error {
		// Posters and charts are published: readable by all.
		if err := os.WriteFile(filepath.Join(*outDir, name), data, 0o644); err != nil {
			return fmt.Errorf("poster: %w", err)
		}
		return nil
	}

	prog := newProgress(stderr, len(posters))
	for i, ps := range posters {
		prog.show(i, ps.Unit.Unit.Code)
		png, err := export.PosterPNG(ps)
		if err != nil {
			return fmt.Errorf("poster: %s: %w", ps.Unit.Unit.Code, err)
		}
		pdf, err := export.PosterPDF([]export.Poster{ps})
		if err != nil {
			return fmt.Errorf("poster: %s: %w", ps.Unit.Unit.Code, err)
		}
		base := ps.Unit.Unit.Code + "-ikm-" + p.Label
		if err := write(base+".png", png); err != nil {
			return err
		}
		if err := write(base+".pdf", pdf); err != nil {
			return err
		}
		if *charts {
			chart, err := export.ElementChart(ps.Unit.Unit.Name, p, ps.Unit.Result)
			if err != nil {
				return fmt.Errorf("poster: %s: %w", ps.Unit.Unit.Code, err)
			}
			if err := write(ps.Unit.Unit.Code+"-unsur-"+p.Label+".png", chart); err != nil {
				return err
			}
			for _, r := range ps.Indexes {
				chart, err := export.IndexChart(ps.Unit.Unit.Name, p, r)
				if err != nil {
					return fmt.Errorf("poster: %s: %w", ps.Unit.Unit.Code, err)
				}
				if err := write(ps.Unit.Unit.Code+"-"+strings.ToLower(r.Extra.Index)+"-"+p.Label+".png", chart); err != nil {
					return err
				}
			}
		}
	}
	prog.done()

	extra := ""
	if *unitCode == "" && len(posters) > 0 {
		all, err := export.PosterPDF(posters)
		if err != nil {
			return fmt.Errorf("poster: %w", err)
		}
		name := "semua-unit.ikm-" + p.Label + ".pdf"
		if err := write(name, all); err != nil {
			return err
		}
		extra = fmt.Sprintf(", and %s with all %d for printing", name, len(posters))
		if *charts {
			if err := writeCityCharts(cfg, sums, write); err != nil {
				return fmt.Errorf("poster: %w", err)
			}
			extra += "; charts peringkat-" + p.Label + ".png and tren-" + p.Label + ".png"
		}
	}
	skipped := ""
	if n := len(units) - len(posters); n > 0 {
		skipped = fmt.Sprintf("; %d of %d units have no respondents in %s and get no poster", n, len(units), p.Label)
	}
	_, err = fmt.Fprintf(stdout, "%d posters (PNG and A4 PDF) of period %s in %s%s%s\n", len(posters), p.Label, *outDir, extra, skipped)
	return err
}

// readPosterFigures reads, in one read transaction, the units' summaries
// over the n periods ending with p, oldest first, their profiles for p as
// published at now (report.Profiles), and the indexes of the extra
// questionnaires they ask.
func readPosterFigures(dbPath string, cfg *config.Config, units []survey.Unit, p survey.Period, n int, w survey.Weighting, now time.Time) ([]survey.CitySummary, survey.Profiles, []survey.IndexSummary, error) {
	st, err := store.Open(dbPath, store.Options{Timeout: storeTimeout, Location: cfg.Location, ReadOnly: true, Units: cfg.Catalog.Unit})
	if err != nil {
		return nil, survey.Profiles{}, nil, friendlyOpenError(dbPath, err,
			"take a hot backup with \"ikmbot backup --out COPY\" and run this on it with --db COPY, or stop the bot first")
	}
	defer st.Close()
	var sums []survey.CitySummary
	var profiles survey.Profiles
	var indexes []survey.IndexSummary
	err = st.View(func(tx *store.Tx) error {
		var err error
		if sums, err = report.Trend(tx, units, p, n, w); err != nil {
			return err
		}
		if indexes, err = report.Indexes(tx, units, p); err != nil {
			return err
		}
		profiles, err = report.Profiles(tx, units, p, now)
		return err
	})
	if err != nil {
		return nil, survey.Profiles{}, nil, fmt.Errorf("read %s: %w", dbPath, err)
	}
	return sums, profiles, indexes, st.Close()
}

// writeCityCharts draws the ranking of the last period and the city's
// trend over all of sums (both figures, pooled and the mean of units, are
// published; the trend shows the pooled one and says so).
func writeCityCharts(cfg *config.Config, sums []survey.CitySummary, write func(string, []byte) error) error {
	last := sums[len(sums)-1]
	ranked := last.Ranked()
	if len(ranked) > export.MaxRankingUnits {
		ranked = slices.Clip(ranked[:export.MaxRankingUnits])
	}
	rank, err := export.RankingChart("Peringkat IKM unit, "+cfg.City, last.Period, ranked)
	if err != nil {
		return err
	}
	if err := write("peringkat-"+last.Period.Label+".png", rank); err != nil {
		return err
	}
	trend, err := export.TrendChart("IKM "+cfg.City, "gabungan seluruh responden, per periode", export.PooledTrend(sums))
	if err != nil {
		return err
	}
	return write("tren-"+last.Period.Label+".png", trend)
}
