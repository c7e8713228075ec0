package survey

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// StepKind says what a step of the questionnaire asks.
type StepKind int

// Step kinds, in the order the questionnaire asks them.
const (
	StepProfile    StepKind = iota // a question of the respondent profile (Step.Question)
	StepElement                    // one of the nine SKM elements (Step.Element)
	StepItem                       // an item of an extra questionnaire (Step.Extra, Step.Item)
	StepSuggestion                 // the free-text suggestion
)

// Step is one question of the questionnaire.
type Step struct {
	Kind     StepKind
	Name     string           // stable id: a profile Dim, an element key, "<questionnaire>.<item>", "suggestion"
	Question *ProfileQuestion // for StepProfile
	Element  ElementKey       // for StepElement
	Extra    Extra            // for StepItem: the questionnaire as the unit asks it
	Block    int              // for StepItem: the index of Extra in the unit's Extras (and the session's Blocks)
	Item     int              // for StepItem: the index of the item in Extra.Items
}

// Skippable reports whether the respondent may skip the step: every profile
// question and the suggestion are optional, and so is each extra
// questionnaire as a whole (skipping one of its items skips the rest of
// it); the nine elements are not.
func (st Step) Skippable() bool { return st.Kind != StepElement }

// Choices returns the values a respondent picks from at this step, or nil
// when the step takes typed text (age, suggestion). Element choices are the
// scores "1".."4"; the service step offers the unit's services then ServiceOther.
func (st Step) Choices(u Unit) []string {
	switch st.Kind {
	case StepProfile:
		return st.Question.Options(u)
	case StepElement:
		return scoreChoices[:MaxScore:MaxScore]
	case StepItem:
		return scoreChoices[:st.Extra.Scale:st.Extra.Scale]
	}
	return nil
}

// scoreChoices are the choices of a rating step, "1" up to its scale.
var scoreChoices = []string{"1", "2", "3", "4", "5", "6"}

// ServiceOther is the service choice for "a service not in the list".
const ServiceOther = "other"

// Steps is the questionnaire of a unit without extra questionnaires: the
// profile, the nine elements, the suggestion. StepsFor gives any unit's.
var Steps = func() []Step {
	var s []Step
	for _, q := range ProfileQuestions {
		s = append(s, Step{Kind: StepProfile, Name: string(q.Dim), Question: q})
	}
	for _, e := range Elements {
		s = append(s, Step{Kind: StepElement, Name: string(e), Element: e})
	}
	return append(s, Step{Kind: StepSuggestion, Name: "suggestion"})
}()

// FirstElementStep is the index in Steps of the first element question:
// the profile questions come first.
var FirstElementStep = len(ProfileQuestions)

// StepsFor returns the questionnaire unit u asks: Steps, with the items of
// each of u's extra questionnaires after the nine elements and before the
// suggestion. A unit without any gets Steps itself.
func StepsFor(u Unit) []Step {
	if len(u.Extras) == 0 {
		return Steps
	}
	n := len(Steps)
	for _, x := range u.Extras {
		n += len(x.Items)
	}
	out := make([]Step, 0, n)
	out = append(out, Steps[:len(Steps)-1]...)
	for b, x := range u.Extras {
		for i, it := range x.Items {
			out = append(out, Step{Kind: StepItem, Name: string(x.Key) + "." + it.Key, Extra: x, Block: b, Item: i})
		}
	}
	return append(out, Steps[len(Steps)-1])
}

// InputKind says what the respondent did.
type InputKind int

// Input kinds.
const (
	InputChoice InputKind = iota // tapped an answer button
	InputText                    // typed text
	InputSkip                    // tapped "skip"
	InputBack                    // tapped "back"
)

// CurrentStep in Input.Step means "whatever the session is asking now": typed
// text carries no step, unlike a button press.
const CurrentStep = -1

// Input is one thing the respondent did, as the session sees it.
type Input struct {
	Kind   InputKind
	Step   int // the step the button belonged to, or CurrentStep
	Choice int // index into the step's Choices, for InputChoice
	Text   string
}

// RejectReason says why an input changed nothing.
type RejectReason int

// Reasons for rejecting an input. Every rejection leaves the session as it
// was, so the respondent can simply answer again.
const (
	RejectStale        RejectReason = iota + 1 // a button of a question that is no longer current
	RejectNeedsButton                          // text where a button answer is expected
	RejectBadChoice                            // a choice outside the step's options
	RejectBadAge                               // age text that is not a plausible age
	RejectTooLong                              // suggestion over MaxSuggestionRunes
	RejectEmpty                                // blank text
	RejectNotSkippable                         // skip on an element question
	RejectNoBack                               // back on the first question
	RejectFinished                             // any input after completion
)

// Event is what the session reports back; the bot renders events.
type Event interface{ isEvent() }

// QuestionAsked says the respondent should now see Steps[Step].
type QuestionAsked struct {
	Step  int
	Again bool // the same question, shown again after a rejected input
}

// AnswerAccepted says the answer to Steps[Step] was recorded.
type AnswerAccepted struct{ Step int }

// AnswerRejected says an input changed nothing, and why.
type AnswerRejected struct {
	Step   int
	Reason RejectReason
}

// Completed says the questionnaire is finished; Response is ready to store.
type Completed struct{ Response Response }

func (QuestionAsked) isEvent()  {}
func (AnswerAccepted) isEvent() {}
func (AnswerRejected) isEvent() {}
func (Completed) isEvent()      {}

// Session is one respondent's way through the questionnaire for one unit.
// It is plain data so a store can persist it between any two inputs.
type Session struct {
	ID         string // short, unique per chat; buttons carry it so stale presses are detected
	Unit       Unit
	Respondent string // keyed hash of the respondent's identity
	Started    time.Time
	Updated    time.Time
	Step       int // index into Steps; len(Steps) when done
	Profile    Profile
	Scores     Scores
	// Blocks holds the answers to the unit's extra questionnaires, indexed
	// like Unit.Extras; nil until the first of them is answered.
	Blocks     []Block
	Suggestion string
	Via        Via // how the respondent got here; copied to the response
	Poster     int // poster version of the deep link scanned; 0 = none
}

// NewSession starts a questionnaire for unit and returns the first question.
func NewSession(id string, unit Unit, respondent string, now time.Time) (*Session, []Event) {
	s := &Session{ID: id, Unit: unit, Respondent: respondent, Started: now, Updated: now}
	return s, []Event{QuestionAsked{Step: 0}}
}

// Steps returns the questionnaire the session walks: StepsFor its unit.
func (s *Session) Steps() []Step { return StepsFor(s.Unit) }

// Done reports whether the questionnaire was completed.
func (s *Session) Done() bool { return s.Step >= len(s.Steps()) }

// Current returns the step being asked. It must not be called when Done.
func (s *Session) Current() Step { return s.Steps()[s.Step] }

// Expired reports whether the session sat idle for ttl or longer.
func (s *Session) Expired(now time.Time, ttl time.Duration) bool {
	return ttl > 0 && !s.Done() && now.Sub(s.Updated) >= ttl
}

// Answered reports whether the respondent has given any answer yet (skips
// do not count), which decides whether an abandoned session is worth keeping
// as incomplete.
func (s *Session) Answered() bool {
	return s.Profile != (Profile{}) || s.Scores.Answered() > 0 || s.Suggestion != "" || len(s.answeredBlocks()) > 0
}

// answeredBlocks returns copies of the blocks with at least one answer, in
// the unit's order: a skipped questionnaire leaves nothing in a response.
func (s *Session) answeredBlocks() []Block {
	var out []Block
	for _, b := range s.Blocks {
		if b.Answered() > 0 {
			b.Scores = append([]uint8(nil), b.Scores...)
			out = append(out, b)
		}
	}
	return out
}

// Partial returns what the respondent answered so far, for keeping an
// abandoned or expired session as an incomplete response (never counted).
func (s *Session) Partial(now time.Time) Response {
	return Response{
		Unit: s.Unit.Code, Submitted: now, Source: SourceTelegram, Respondent: s.Respondent,
		Profile: s.Profile, Scores: s.Scores, Blocks: s.answeredBlocks(), Suggestion: s.Suggestion, Via: s.Via, Poster: s.Poster,
	}
}

// Reask returns the event that shows the current question again, e.g. after
// the respondent sent a sticker or returned to a half-done survey.
func (s *Session) Reask() []Event {
	if s.Done() {
		return nil
	}
	return []Event{QuestionAsked{Step: s.Step, Again: true}}
}

// Apply feeds one input to the session at time now and returns what happened.
// A rejected input leaves the session unchanged (except nothing at all), so a
// repeated or stale input is harmless.
func (s *Session) Apply(now time.Time, in Input) []Event {
	if s.Done() {
		return []Event{AnswerRejected{Step: s.Step, Reason: RejectFinished}}
	}
	if in.Step != CurrentStep && in.Step != s.Step {
		return s.reject(RejectStale)
	}
	st := s.Current()
	switch in.Kind {
	case InputBack:
		if s.Step == 0 {
			return s.reject(RejectNoBack)
		}
		s.Step--
		if prev := s.Current(); prev.Kind == StepItem && s.block(prev).Answered() == 0 {
			// Back into a questionnaire skipped as a whole: to its start.
			s.Step -= prev.Item
		}
		s.Updated = now
		return []Event{QuestionAsked{Step: s.Step}}
	case InputSkip:
		if !st.Skippable() {
			return s.reject(RejectNotSkippable)
		}
		s.clear(st)
		at := s.Step
		if st.Kind == StepItem {
			// The rest of the questionnaire goes with it.
			s.Step += len(st.Extra.Items) - 1 - st.Item
		}
		return s.advanceFrom(at, now)
	case InputChoice:
		choices := st.Choices(s.Unit)
		if in.Choice < 0 || in.Choice >= len(choices) {
			return s.reject(RejectBadChoice)
		}
		s.choose(st, choices[in.Choice], in.Choice)
		return s.advance(now)
	case InputText:
		return s.text(now, st, in.Text)
	}
	return s.reject(RejectBadChoice)
}

func (s *Session) text(now time.Time, st Step, text string) []Event {
	text = strings.TrimSpace(text)
	switch {
	case st.Kind == StepProfile && st.Question.Answer == AnswerAge:
		age, ok := ParseAge(text)
		if !ok {
			return s.reject(RejectBadAge)
		}
		st.Question.Set(&s.Profile, strconv.Itoa(age))
		return s.advance(now)
	case st.Kind == StepSuggestion:
		if text == "" {
			return s.reject(RejectEmpty)
		}
		if utf8.RuneCountInString(text) > MaxSuggestionRunes {
			return s.reject(RejectTooLong)
		}
		s.Suggestion = text
		return s.advance(now)
	}
	return s.reject(RejectNeedsButton)
}

func (s *Session) choose(st Step, value string, index int) {
	switch st.Kind {
	case StepElement:
		s.Scores[ElementIndex(st.Element)] = uint8(index + 1)
	case StepItem:
		s.block(st).Scores[st.Item] = uint8(index + 1)
	default:
		s.Profile.Choose(st, value)
	}
}

// block returns the session's answers to the questionnaire of item step
// st, making room for them on first use.
func (s *Session) block(st Step) *Block {
	if len(s.Blocks) < len(s.Unit.Extras) {
		s.Blocks = append(s.Blocks, make([]Block, len(s.Unit.Extras)-len(s.Blocks))...)
	}
	b := &s.Blocks[st.Block]
	if b.Key != st.Extra.Key || b.Scale != st.Extra.Scale || len(b.Scores) != len(st.Extra.Items) {
		*b = Block{Key: st.Extra.Key, Scale: st.Extra.Scale, Scores: make([]uint8, len(st.Extra.Items))}
	}
	return b
}

// clear forgets an earlier answer to st, so that "skip" after "back" really
// means "no answer".
func (s *Session) clear(st Step) {
	switch st.Kind {
	case StepProfile:
		st.Question.Set(&s.Profile, "")
	case StepItem:
		clear(s.block(st).Scores) // skipping one item skips the whole questionnaire
	case StepSuggestion:
		s.Suggestion = ""
	}
}

func (s *Session) advance(now time.Time) []Event { return s.advanceFrom(s.Step, now) }

// advanceFrom moves past the current step after the answer to step at
// (the same step, or the first item of a questionnaire skipped whole).
func (s *Session) advanceFrom(at int, now time.Time) []Event {
	ev := []Event{AnswerAccepted{Step: at}}
	s.Step++
	s.Updated = now
	if s.Done() {
		r := s.Partial(now)
		return append(ev, Completed{Response: r})
	}
	return append(ev, QuestionAsked{Step: s.Step})
}

func (s *Session) reject(r RejectReason) []Event {
	return []Event{AnswerRejected{Step: s.Step, Reason: r}, QuestionAsked{Step: s.Step, Again: true}}
}
