// Package locales holds ikmbot's user-facing text as go-i18n message files,
// embedded in the binary: Indonesian first, English complete.
package locales

import (
	"embed"
	"fmt"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

//go:embed *.yaml
var files embed.FS

// Languages are the supported languages, the default first.
var Languages = []language.Tag{language.Indonesian, language.English}

// Default is the language used when a user's Telegram language is neither.
var Default = language.Indonesian

// Codes returns the codes of the supported languages as a config file and
// Telegram spell them ("id", "en"), the default first.
func Codes() []string {
	codes := make([]string, len(Languages))
	for i, tag := range Languages {
		codes[i] = tag.String()
	}
	return codes
}

// Bundle loads every embedded message file into a new bundle.
func Bundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(Default)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	for _, tag := range Languages {
		name := tag.String() + ".yaml"
		if _, err := b.LoadMessageFileFS(files, name); err != nil {
			return nil, fmt.Errorf("locales: %s: %w", name, err)
		}
	}
	return b, nil
}

// Files returns the raw message file of a language, for tests and tooling.
func Files(tag language.Tag) ([]byte, error) {
	return files.ReadFile(tag.String() + ".yaml")
}
