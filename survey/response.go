package survey

import "time"

// Source says how a response reached ikmbot.
type Source string

// Response sources.
const (
	SourceTelegram Source = "telegram"
	SourcePaper    Source = "paper"
	SourceWeb      Source = "web" // the browser form of the public site, from the same QR codes
)

// Via says by which door a Telegram respondent entered the survey, so that
// a city can tell posters that work from posters that were replaced.
type Via string

// Ways in. The zero value means none of these: the unit picker, a search,
// a "start again" button, or a paper form.
const (
	ViaPoster    Via = "poster"     // a signed deep link of the unit's current poster
	ViaOldPoster Via = "old_poster" // a signed deep link of a poster revoked since it was printed
	ViaPlainLink Via = "plain_link" // an unsigned deep link that names only the unit code
	ViaCounter   Via = "counter"    // a fresh code from the rotating QR on the unit's counter screen
)

// Verified reports whether the way in proves a visit: only a counter code
// that was current when scanned does, since it cannot be had away from the
// counter for more than a few minutes. Posters can be photographed and
// shared, so they prove nothing.
func (v Via) Verified() bool { return v == ViaCounter }

// Profile holds the respondent's optional profile answers. An empty string or
// a zero Age means the respondent skipped that question.
type Profile struct {
	Gender     string // "L" or "P"
	Age        int    // years; 0 = not given
	Education  string // one of Educations
	Occupation string // one of Occupations
	Service    string // the service received, as named in the unit's config, or "other"
}

// Choose records value as the answer to the profile question of step st
// ("" forgets it); a step that is no profile question leaves p as it is.
func (p *Profile) Choose(st Step, value string) {
	if st.Kind == StepProfile {
		st.Question.Set(p, value)
	}
}

// Profile answer choices, as printed in the regulation's sample form.
var (
	Genders     = []string{"L", "P"}
	Educations  = []string{"SD", "SMP", "SMA", "D1-D3", "D4/S1", "S2", "S3"}
	Occupations = []string{"PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Lainnya"}
)

// MinAge and MaxAge bound a typed age.
const (
	MinAge = 10
	MaxAge = 120
)

// MaxSuggestionRunes caps the free-text suggestion.
const MaxSuggestionRunes = 1000

// Response is one completed questionnaire: the unit of data that the index is
// computed from.
type Response struct {
	ID         uint64    // store sequence; 0 until stored
	Unit       string    // unit code
	Submitted  time.Time // when the last answer was given
	Source     Source
	Respondent string // keyed hash of the respondent's identity; empty for paper
	Profile    Profile
	Scores     Scores
	// Blocks are the answers to extra questionnaires (SPKP, SPAK), one
	// per questionnaire with at least one answer, in the order of
	// Questionnaires; nil for a unit that asks none, or when they were
	// skipped. They never enter the IKM.
	Blocks     []Block
	Suggestion string
	Via        Via // how the respondent reached the survey; "" = not by a deep link
	Poster     int // poster version of a signed deep link; 0 = none
}
