package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/survey"
)

// placeholderBot stands in for the bot's username until the admin gives it,
// so that the listing is still useful for checking codes and names.
const placeholderBot = "YOUR_BOT"

// botUsernamePattern is Telegram's rule for usernames: 5-32 characters of
// [A-Za-z0-9_], starting with a letter. Bot usernames must also end in "bot".
var botUsernamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{4,31}$`)

// unitsUsage is printed for ikmbot units -h.
const unitsUsage = `usage: ikmbot units [--bot-username NAME] [--format text|json] [--db FILE] [--secret-file F]

Lists every configured unit with its link, to print on posters and QR codes
at the place of service (ikmbot qr draws them): the Telegram deep link, or,
when the config sets public_url, the public site's landing page
PUBLIC_URL/s/<payload>, which offers Telegram and a browser form. The JSON
gives both ("link" and "telegram").

Links are signed with the bot's secret (IKMBOT_SECRET, or the secret file
beside the database) and carry each unit's current poster version from the
database. Until the bot has a secret (serve and qr create it), links name
only the unit code; those work unless the config sets signed_links_only.
`

// unitJSON is one unit in ikmbot units --format json.
type unitJSON struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Area     string `json:"area,omitempty"`
	Link     string `json:"link"`     // what the poster carries: the public site's page, or the t.me link
	Telegram string `json:"telegram"` // the t.me deep link
}

// runUnits implements ikmbot units: it lists the units with their deep links.
func runUnits(cfg *config.Config, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("units", flag.ContinueOnError)
	botName := fs.String("bot-username", "", "the bot's Telegram username, e.g. BekasiIKMBot (default: placeholder "+placeholderBot+")")
	format := fs.String("format", "text", "output format: text or json")
	dbPath := fs.String("db", defaultDB, "the bot's database file: poster versions, and the secret file beside it")
	secretFile := fs.String("secret-file", "", "file holding the bot's secret (default: DB.secret; IKMBOT_SECRET overrides)")
	if done, err := parseCommandFlags(fs, unitsUsage, args, stdout); done || err != nil {
		return err
	}
	bot := placeholderBot
	if *botName != "" {
		name, err := checkBotUsername(*botName)
		if err != nil {
			return fmt.Errorf("units: --bot-username: %w", err)
		}
		bot = name
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("units: --format: unknown format %q (want text or json)", *format)
	}
	secret, err := findSecret(getenv("IKMBOT_SECRET"), *secretFile, *dbPath)
	if err != nil {
		return fmt.Errorf("units: %w", err)
	}
	signer := linkSigner{secret: secret, publicURL: cfg.PublicURL}
	if secret != nil {
		if signer.versions, err = posterVersions(*dbPath, cfg, cfg.Catalog.Units()); err != nil {
			return fmt.Errorf("units: %w", err)
		}
	}
	if *format == "json" {
		return writeUnitsJSON(stdout, cfg.Catalog, bot, signer)
	}
	return writeUnitsText(stdout, cfg.Catalog, bot, signer)
}

// checkBotUsername validates a bot username and returns it without a leading
// "@", which people copy from Telegram along with the name.
func checkBotUsername(name string) (string, error) {
	name = strings.TrimPrefix(name, "@")
	switch {
	case !botUsernamePattern.MatchString(name):
		return "", fmt.Errorf("%q is not a Telegram username (5-32 letters, digits or _, starting with a letter)", name)
	case !strings.HasSuffix(strings.ToLower(name), "bot"):
		return "", fmt.Errorf("%q is not a bot username: Telegram bot usernames end in \"bot\"", name)
	}
	return name, nil
}

// writeUnitsText writes an aligned table, a count per type, and a reminder
// when the links use the placeholder bot name.
func writeUnitsText(w io.Writer, cat *survey.Catalog, bot string, signer linkSigner) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tNAME\tTYPE\tAREA\tLINK")
	for _, u := range cat.Units() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Code, u.Name, u.Type, u.Area, signer.link(bot, u))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var counts []string
	for _, t := range cat.Types() {
		counts = append(counts, fmt.Sprintf("%d %s", len(cat.OfType(t)), t))
	}
	noun := "units"
	if cat.Len() == 1 {
		noun = "unit"
	}
	if _, err := fmt.Fprintf(w, "\n%d %s: %s\n", cat.Len(), noun, strings.Join(counts, ", ")); err != nil {
		return err
	}
	if bot == placeholderBot {
		if _, err := fmt.Fprintf(w, "Links use the placeholder %s: pass --bot-username with your bot's username for real ones.\n", placeholderBot); err != nil {
			return err
		}
	}
	if signer.secret == nil {
		_, err := fmt.Fprintln(w, "Links are not signed: the bot has no secret yet (IKMBOT_SECRET, or the DB.secret file that serve and qr create).")
		return err
	}
	return nil
}

// writeUnitsJSON writes the units as a JSON array, for scripts that make
// posters or QR codes.
func writeUnitsJSON(w io.Writer, cat *survey.Catalog, bot string, signer linkSigner) error {
	out := make([]unitJSON, 0, cat.Len())
	for _, u := range cat.Units() {
		out = append(out, unitJSON{Code: u.Code, Name: u.Name, Type: string(u.Type), Area: u.Area, Link: signer.link(bot, u), Telegram: signer.telegram(bot, u)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // names such as "Pengaduan & Saran" stay readable
	return enc.Encode(out)
}
