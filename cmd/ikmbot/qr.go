package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	tg "github.com/go-telegram/bot"

	"github.com/ikmbot/ikmbot/bot"
	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/cmd/internal/console"
	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/poster"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// qrUsage is printed for ikmbot qr -h.
const qrUsage = `usage: ikmbot qr --bot-username NAME --out DIR [--unit CODE] [--period P] [--db FILE] [--secret-file F]

Draws every unit's QR code (DIR/CODE.png) and A4 poster (DIR/CODE.pdf), and
one PDF with every unit's poster, one a page, for the print shop
(DIR/` + printShopPDF + `). With --unit, only that unit's two files.

The links are signed with the bot's secret (IKMBOT_SECRET, or the secret
file beside the database, created if missing, as serve does) and carry each
unit's current poster version from the database, which is read, never
changed. Run it where the bot runs, with the bot stopped, or ask the bot
for one unit's poster with /qr CODE. P is the period printed on the
posters: 2026, 2026-S1, 2026-Q3, ...; the default is the current year.
`

// printShopPDF is the file with every poster. Unit codes cannot contain a
// dot, so no unit's own file can have this name.
const printShopPDF = "semua-unit.cetak.pdf"

// runQR implements ikmbot qr.
func runQR(cfg *config.Config, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qr", flag.ContinueOnError)
	botName := fs.String("bot-username", "", "the bot's Telegram username, e.g. BekasiIKMBot (required)")
	outDir := fs.String("out", "", "directory for the PNG and PDF files, created if missing (required)")
	unitCode := fs.String("unit", "", "only this unit, by code; default: every unit")
	periodArg := fs.String("period", "", "the survey period printed on the posters (default: the current year)")
	dbPath := fs.String("db", defaultDB, "the bot's database file: poster versions, and the secret file beside it")
	secretFile := fs.String("secret-file", "", "file holding the bot's secret (default: DB.secret; IKMBOT_SECRET overrides)")
	if done, err := parseCommandFlags(fs, qrUsage, args, stdout); done || err != nil {
		return err
	}
	if *botName == "" || *outDir == "" {
		return errors.New("qr: --bot-username and --out are required (see ikmbot qr -h)")
	}
	name, err := checkBotUsername(*botName)
	if err != nil {
		return fmt.Errorf("qr: --bot-username: %w", err)
	}
	units := cfg.Catalog.Units()
	if *unitCode != "" {
		u, err := unitByCode(cfg, *unitCode)
		if err != nil {
			return fmt.Errorf("qr: --unit: %w", err)
		}
		units = []survey.Unit{u}
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	period := survey.PeriodOf(survey.PeriodYear, cmdNow().In(loc))
	if *periodArg != "" {
		if period, err = survey.ParsePeriod(*periodArg, loc); err != nil {
			return fmt.Errorf("qr: --period: %w", err)
		}
	}

	secret, err := loadSecret(getenv("IKMBOT_SECRET"), *secretFile, *dbPath)
	if err != nil {
		return fmt.Errorf("qr: %w", err)
	}
	versions, err := posterVersions(*dbPath, cfg, units)
	if err != nil {
		return fmt.Errorf("qr: %w", err)
	}
	signer := linkSigner{secret: secret, versions: versions, publicURL: cfg.PublicURL}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return fmt.Errorf("qr: %w", err)
	}

	progress := newProgress(stderr, len(units))
	pages := make([]poster.Page, 0, len(units))
	for i, u := range units {
		progress.show(i, u.Code)
		link := signer.link(name, u)
		page := bot.PosterPage(cfg.City, cfg.TypeNames, u, name, link, period.Label)
		pages = append(pages, page)
		png, err := poster.PNG(link)
		if err != nil {
			return fmt.Errorf("qr: %s: %w", u.Code, err)
		}
		pdf, err := poster.PDF([]poster.Page{page})
		if err != nil {
			return fmt.Errorf("qr: %s: %w", u.Code, err)
		}
		for _, f := range []struct {
			name string
			data []byte
		}{{u.Code + ".png", png}, {u.Code + ".pdf", pdf}} {
			if err := os.WriteFile(filepath.Join(*outDir, f.name), f.data, 0o644); err != nil {
				return fmt.Errorf("qr: %w", err)
			}
		}
	}
	progress.done()
	all := ""
	if *unitCode == "" {
		pdf, err := poster.PDF(pages)
		if err != nil {
			return fmt.Errorf("qr: %w", err)
		}
		if err := os.WriteFile(filepath.Join(*outDir, printShopPDF), pdf, 0o644); err != nil {
			return fmt.Errorf("qr: %w", err)
		}
		all = fmt.Sprintf(", and %s with all %d posters for printing", printShopPDF, len(pages))
	}
	noun := "units"
	if len(units) == 1 {
		noun = "unit"
	}
	_, err = fmt.Fprintf(stdout, "%d %s: QR code (PNG) and A4 poster (PDF) in %s%s; links to @%s, period %s\n",
		len(units), noun, *outDir, all, name, period.Label)
	return err
}

// linkSigner makes the deep links of units: signed with the bot's secret
// at each unit's current poster version, or bare unit codes when there is
// no secret yet (ikmbot units before the bot first ran).
type linkSigner struct {
	secret    []byte         // nil: unsigned links
	versions  map[string]int // unit code -> current poster version; absent = 1
	publicURL string         // the city's public site; "" links to Telegram directly
}

func (l linkSigner) payload(u survey.Unit) string {
	if l.secret == nil {
		return u.Code
	}
	v := l.versions[u.Code]
	if v < 1 {
		v = 1
	}
	return deeplink.SignPayload(l.secret, u.Code, v)
}

// link is what the unit's poster carries: the public site's landing page
// when the config names one, else the t.me deep link.
func (l linkSigner) link(botName string, u survey.Unit) string {
	return deeplink.PosterLink(l.publicURL, botName, l.payload(u))
}

// telegram is the unit's t.me deep link.
func (l linkSigner) telegram(botName string, u survey.Unit) string {
	return deeplink.DeepLink(botName, l.payload(u))
}

// posterVersions reads the current poster version of each unit. A
// database that does not exist yet has every poster at version 1; it is
// not created.
func posterVersions(dbPath string, cfg *config.Config, units []survey.Unit) (map[string]int, error) {
	versions := map[string]int{}
	if _, err := os.Stat(dbPath); errors.Is(err, os.ErrNotExist) {
		return versions, nil
	}
	if err := checkDBExists(dbPath); err != nil {
		return nil, err
	}
	st, err := store.Open(dbPath, store.Options{Timeout: storeTimeout, Location: cfg.Location, ReadOnly: true, Units: cfg.Catalog.Unit})
	if err != nil {
		return nil, friendlyOpenError(dbPath, err,
			"stop the bot and run this again, or send /qr CODE to the bot for one unit's poster")
	}
	defer st.Close()
	err = st.View(func(tx *store.Tx) error {
		for _, u := range units {
			v, err := tx.PosterVersion(u.Code)
			if err != nil {
				return err
			}
			versions[u.Code] = v
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dbPath, err)
	}
	return versions, st.Close()
}

// findSecret is loadSecret for commands that only read: it never creates
// the secret file, and returns nil when there is no secret yet.
func findSecret(env, file, dbPath string) ([]byte, error) {
	if env == "" {
		if file == "" {
			file = dbPath + ".secret"
		}
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
	}
	return loadSecret(env, file, dbPath)
}

// progress shows "posters 12/89 PKM-KRANJI" on one line of a terminal
// while a long run works, and nothing when stderr is a file or a pipe.
type progress struct {
	line  console.Progress
	total int
}

func newProgress(stderr io.Writer, total int) progress {
	if total < 2 {
		return progress{}
	}
	return progress{line: console.NewProgress(stderr), total: total}
}

func (p progress) show(i int, code string) { p.line.Show("posters %d/%d %s", i+1, p.total, code) }

func (p progress) done() { p.line.Clear() }

// askUsername asks Telegram for the bot's username, which the links of the
// posters that /qr sends need. Without an answer /qr says it is not set up;
// nothing else depends on it.
func askUsername(ctx context.Context, api *tg.Bot, log *slog.Logger) string {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	me, err := api.GetMe(ctx)
	if err != nil || me.Username == "" {
		log.Warn("bot username unknown: /qr cannot make poster links", "err", err)
		return ""
	}
	return me.Username
}
