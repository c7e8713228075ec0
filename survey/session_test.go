package survey

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// sessionT0 is the fixed test clock's start; a session never reads the real clock.
var sessionT0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

func testUnit() Unit {
	return Unit{
		Code:     "DUKCAPIL",
		Name:     "Dinas Kependudukan dan Pencatatan Sipil",
		Type:     PerangkatDaerah,
		Services: []string{"KTP", "Akta"},
		Users:    1000,
	}
}

func choiceAt(step, i int) Input { return Input{Kind: InputChoice, Step: step, Choice: i} }
func skipAt(step int) Input      { return Input{Kind: InputSkip, Step: step} }
func backAt(step int) Input      { return Input{Kind: InputBack, Step: step} }
func typed(text string) Input    { return Input{Kind: InputText, Step: CurrentStep, Text: text} }

// snapshot deep-copies a session, so that a later comparison also catches a
// change made through the shared Services slice.
func snapshot(s *Session) Session {
	c := *s
	c.Unit.Services = slices.Clone(s.Unit.Services)
	return c
}

// sessionAt returns a new session that has answered every step before step
// with a valid answer (first choice; age "35").
func sessionAt(t *testing.T, step int) *Session {
	t.Helper()
	s, _ := NewSession("s1", testUnit(), "resp-hash", sessionT0)
	for i := 0; i < step; i++ {
		in := choiceAt(i, 0)
		switch {
		case Steps[i].Kind == StepProfile && Steps[i].Question.Answer == AnswerAge:
			in = typed("35")
		case Steps[i].Kind == StepSuggestion:
			in = typed("ok")
		}
		evs := s.Apply(sessionT0.Add(time.Duration(i+1)*time.Minute), in)
		if i == len(Steps)-1 {
			wantCompleted(t, evs)
		} else {
			wantAdvanced(t, evs, i)
		}
	}
	if s.Step != step {
		t.Fatalf("sessionAt(%d): session is at step %d", step, s.Step)
	}
	return s
}

// wantAdvanced checks the events of an accepted answer to step that is not
// the last one.
func wantAdvanced(t *testing.T, got []Event, step int) {
	t.Helper()
	want := []Event{AnswerAccepted{Step: step}, QuestionAsked{Step: step + 1}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("answer to step %d: events = %#v, want %#v", step, got, want)
	}
}

// wantRejected checks that an input was rejected for reason at step and that
// the same question is shown again.
func wantRejected(t *testing.T, got []Event, step int, reason RejectReason) {
	t.Helper()
	want := []Event{AnswerRejected{Step: step, Reason: reason}, QuestionAsked{Step: step, Again: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events = %#v, want %#v", got, want)
	}
}

// wantCompleted checks the events of the last answer and returns the response.
func wantCompleted(t *testing.T, got []Event) Response {
	t.Helper()
	if len(got) != 2 {
		t.Fatalf("last answer: %d events %#v, want AnswerAccepted then Completed", len(got), got)
	}
	if want := (AnswerAccepted{Step: len(Steps) - 1}); got[0] != want {
		t.Errorf("last answer: events[0] = %#v, want %#v", got[0], want)
	}
	c, ok := got[1].(Completed)
	if !ok {
		t.Fatalf("last answer: events[1] = %#v, want Completed", got[1])
	}
	return c.Response
}

func TestSteps(t *testing.T) {
	if got, want := len(Steps), 5+NumElements+1; got != want {
		t.Fatalf("len(Steps) = %d, want %d", got, want)
	}
	profile := []struct {
		answer AnswerKind
		name   string
	}{
		{AnswerChoice, "gender"},
		{AnswerAge, "age"},
		{AnswerChoice, "education"},
		{AnswerChoice, "occupation"},
		{AnswerService, "service"},
	}
	for i, p := range profile {
		if got := Steps[i]; got.Kind != StepProfile || got.Question.Answer != p.answer || got.Name != p.name || got.Element != "" {
			t.Errorf("Steps[%d] = %+v, want a profile question answered by %d, name %q", i, got, p.answer, p.name)
		}
		if !Steps[i].Skippable() {
			t.Errorf("Steps[%d] (%s) is not skippable, want every profile step skippable", i, p.name)
		}
	}
	for i, key := range Elements {
		st := Steps[FirstElementStep+i]
		if st.Kind != StepElement || st.Element != key || st.Name != string(key) {
			t.Errorf("Steps[%d] = %+v, want element %q", FirstElementStep+i, st, key)
		}
		if st.Skippable() {
			t.Errorf("Steps[%d] (%s) is skippable, want elements mandatory", FirstElementStep+i, key)
		}
	}
	last := Steps[len(Steps)-1]
	if last.Kind != StepSuggestion || last.Name != "suggestion" || !last.Skippable() {
		t.Errorf("last step = %+v (skippable %v), want the skippable suggestion", last, last.Skippable())
	}
	if got := Steps[FirstElementStep].Element; got != Persyaratan {
		t.Errorf("Steps[FirstElementStep].Element = %q, want %q", got, Persyaratan)
	}
	if FirstElementStep != 5 {
		t.Errorf("FirstElementStep = %d, want 5 (after the five profile questions)", FirstElementStep)
	}
	names := map[string]bool{}
	for i, st := range Steps {
		if names[st.Name] {
			t.Errorf("Steps[%d].Name %q is not unique", i, st.Name)
		}
		names[st.Name] = true
	}
}

func TestStepChoices(t *testing.T) {
	u := testUnit()
	tests := []struct {
		step int
		want []string
	}{
		{0, []string{"L", "P"}},
		{1, nil},
		{2, []string{"SD", "SMP", "SMA", "D1-D3", "D4/S1", "S2", "S3"}},
		{3, []string{"PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Lainnya"}},
		{4, []string{"KTP", "Akta", ServiceOther}},
		{FirstElementStep, []string{"1", "2", "3", "4"}},
		{FirstElementStep + NumElements - 1, []string{"1", "2", "3", "4"}},
		{len(Steps) - 1, nil},
	}
	for _, tt := range tests {
		if got := Steps[tt.step].Choices(u); !slices.Equal(got, tt.want) {
			t.Errorf("Steps[%d] (%s).Choices = %q, want %q", tt.step, Steps[tt.step].Name, got, tt.want)
		}
	}
	if got := Steps[4].Choices(Unit{}); !slices.Equal(got, []string{ServiceOther}) {
		t.Errorf("service choices of a unit without services = %q, want only %q", got, ServiceOther)
	}

	// The service choices must not share memory with the unit's config.
	svc := Steps[4].Choices(u)
	svc[0] = "changed"
	if u.Services[0] != "KTP" {
		t.Errorf("writing to Choices changed Unit.Services to %q", u.Services)
	}
	roomy := Unit{Services: make([]string, 1, 4)}
	roomy.Services[0] = "KTP"
	_ = Steps[4].Choices(roomy)
	if got := roomy.Services[:2][1]; got != "" {
		t.Errorf("Choices wrote %q into the spare capacity of Unit.Services", got)
	}
}

func TestNewSession(t *testing.T) {
	u := testUnit()
	s, evs := NewSession("abc", u, "resp-hash", sessionT0)
	if want := []Event{QuestionAsked{Step: 0}}; !reflect.DeepEqual(evs, want) {
		t.Errorf("NewSession events = %#v, want %#v", evs, want)
	}
	if s.ID != "abc" || s.Unit.Code != u.Code || s.Respondent != "resp-hash" {
		t.Errorf("NewSession = ID %q unit %q respondent %q, want abc DUKCAPIL resp-hash", s.ID, s.Unit.Code, s.Respondent)
	}
	if !s.Started.Equal(sessionT0) || !s.Updated.Equal(sessionT0) {
		t.Errorf("Started, Updated = %v, %v, want both %v", s.Started, s.Updated, sessionT0)
	}
	if s.Step != 0 || s.Done() || s.Profile != (Profile{}) || s.Scores != (Scores{}) || s.Suggestion != "" {
		t.Errorf("new session is not blank: %+v", s)
	}
	if got := s.Current(); got != Steps[0] {
		t.Errorf("Current() = %+v, want %+v", got, Steps[0])
	}
}

func TestSessionFullWalk(t *testing.T) {
	// Scores per element, deliberately all different from their neighbours so
	// that an answer stored under the wrong key shows.
	scores := map[ElementKey]uint8{
		Persyaratan: 4, Prosedur: 3, Waktu: 2, Biaya: 1, Produk: 4,
		Kompetensi: 3, Perilaku: 2, Pengaduan: 1, Sarana: 3,
	}
	u := testUnit()
	tests := []struct {
		name                      string
		gender, edu, occ, service int
		age                       string
		suggestion                string
		want                      Profile
		wantSuggestion            string
	}{
		{
			name: "other service", gender: 1, age: "35", edu: 3, occ: 4, service: len(u.Services),
			suggestion: "  Antrean terlalu panjang.\n", wantSuggestion: "Antrean terlalu panjang.",
			want: Profile{Gender: "P", Age: 35, Education: "D1-D3", Occupation: "Wirausaha", Service: ServiceOther},
		},
		{
			name: "listed service", gender: 0, age: " 72 tahun ", edu: 6, occ: 0, service: 1,
			suggestion: "Terima kasih 🙏", wantSuggestion: "Terima kasih 🙏",
			want: Profile{Gender: "L", Age: 72, Education: "S3", Occupation: "PNS", Service: "Akta"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := NewSession("s1", u, "resp-hash", sessionT0)
			inputs := []Input{
				choiceAt(0, tt.gender),
				typed(tt.age),
				choiceAt(2, tt.edu),
				choiceAt(3, tt.occ),
				choiceAt(4, tt.service),
			}
			for i, key := range Elements {
				inputs = append(inputs, choiceAt(FirstElementStep+i, int(scores[key])-1))
			}
			inputs = append(inputs, typed(tt.suggestion))
			if len(inputs) != len(Steps) {
				t.Fatalf("test walks %d inputs, want %d", len(inputs), len(Steps))
			}

			var completed []Response
			var now time.Time
			for i, in := range inputs {
				now = sessionT0.Add(time.Duration(i+1) * time.Minute)
				evs := s.Apply(now, in)
				if i < len(inputs)-1 {
					wantAdvanced(t, evs, i)
					if !s.Updated.Equal(now) {
						t.Errorf("after step %d Updated = %v, want %v", i, s.Updated, now)
					}
				}
				for _, ev := range evs {
					if c, ok := ev.(Completed); ok {
						completed = append(completed, c.Response)
					}
				}
			}
			if len(completed) != 1 {
				t.Fatalf("got %d Completed events, want exactly 1", len(completed))
			}
			r := completed[0]
			if r.Unit != u.Code {
				t.Errorf("Unit = %q, want %q", r.Unit, u.Code)
			}
			if r.Respondent != "resp-hash" {
				t.Errorf("Respondent = %q, want %q", r.Respondent, "resp-hash")
			}
			if r.Profile != tt.want {
				t.Errorf("Profile = %+v, want %+v", r.Profile, tt.want)
			}
			for _, key := range Elements {
				if got := r.Scores.Get(key); got != scores[key] {
					t.Errorf("Scores.Get(%q) = %d, want %d", key, got, scores[key])
				}
			}
			if r.Suggestion != tt.wantSuggestion {
				t.Errorf("Suggestion = %q, want %q", r.Suggestion, tt.wantSuggestion)
			}
			if !r.Submitted.Equal(now) {
				t.Errorf("Submitted = %v, want the last input's time %v", r.Submitted, now)
			}
			if r.Source != SourceTelegram {
				t.Errorf("Source = %q, want %q", r.Source, SourceTelegram)
			}
			if r.ID != 0 {
				t.Errorf("ID = %d, want 0 until stored", r.ID)
			}
			if !s.Done() || s.Step != len(Steps) {
				t.Errorf("after the walk Done() = %v, Step = %d, want true, %d", s.Done(), s.Step, len(Steps))
			}
			if !s.Started.Equal(sessionT0) {
				t.Errorf("Started = %v, want %v", s.Started, sessionT0)
			}
			if got := s.Reask(); got != nil {
				t.Errorf("Reask() after completion = %#v, want nil", got)
			}
		})
	}
}

func TestSessionSkipAllOptional(t *testing.T) {
	s, _ := NewSession("s1", testUnit(), "resp-hash", sessionT0)
	now := sessionT0
	for i := 0; i < FirstElementStep; i++ {
		now = now.Add(time.Minute)
		wantAdvanced(t, s.Apply(now, skipAt(i)), i)
	}
	for i := range NumElements {
		now = now.Add(time.Minute)
		wantAdvanced(t, s.Apply(now, choiceAt(FirstElementStep+i, 1)), FirstElementStep+i)
	}
	now = now.Add(time.Minute)
	r := wantCompleted(t, s.Apply(now, skipAt(len(Steps)-1)))
	if r.Profile != (Profile{}) {
		t.Errorf("Profile = %+v, want zero after skipping every profile question", r.Profile)
	}
	if r.Suggestion != "" {
		t.Errorf("Suggestion = %q, want empty after skipping it", r.Suggestion)
	}
	if want := (Scores{2, 2, 2, 2, 2, 2, 2, 2, 2}); r.Scores != want {
		t.Errorf("Scores = %v, want %v", r.Scores, want)
	}
	if !r.Submitted.Equal(now) {
		t.Errorf("Submitted = %v, want %v", r.Submitted, now)
	}
}

func TestSessionSkipElementRejected(t *testing.T) {
	for _, step := range []int{FirstElementStep, FirstElementStep + 4, FirstElementStep + NumElements - 1} {
		t.Run(Steps[step].Name, func(t *testing.T) {
			s := sessionAt(t, step)
			before := snapshot(s)
			wantRejected(t, s.Apply(sessionT0.Add(time.Hour), skipAt(step)), step, RejectNotSkippable)
			if !reflect.DeepEqual(snapshot(s), before) {
				t.Errorf("rejected skip changed the session:\n got %+v\nwant %+v", snapshot(s), before)
			}
		})
	}
}

func TestSessionBackOnFirstStep(t *testing.T) {
	for _, in := range []Input{backAt(0), {Kind: InputBack, Step: CurrentStep}} {
		s, _ := NewSession("s1", testUnit(), "resp-hash", sessionT0)
		before := snapshot(s)
		wantRejected(t, s.Apply(sessionT0.Add(time.Minute), in), 0, RejectNoBack)
		if !reflect.DeepEqual(snapshot(s), before) {
			t.Errorf("back on step 0 changed the session:\n got %+v\nwant %+v", snapshot(s), before)
		}
	}
}

func TestSessionBackReplacesElement(t *testing.T) {
	s := sessionAt(t, FirstElementStep)
	wantAdvanced(t, s.Apply(sessionT0.Add(time.Hour), choiceAt(FirstElementStep, 1)), FirstElementStep)
	if got := s.Scores.Get(Persyaratan); got != 2 {
		t.Fatalf("persyaratan = %d after answering 2", got)
	}

	back := sessionT0.Add(2 * time.Hour)
	evs := s.Apply(back, backAt(FirstElementStep+1))
	if want := []Event{QuestionAsked{Step: FirstElementStep}}; !reflect.DeepEqual(evs, want) {
		t.Fatalf("back: events = %#v, want %#v", evs, want)
	}
	if s.Step != FirstElementStep {
		t.Fatalf("after back Step = %d, want %d", s.Step, FirstElementStep)
	}
	if !s.Updated.Equal(back) {
		t.Errorf("back did not refresh Updated: %v, want %v", s.Updated, back)
	}

	wantAdvanced(t, s.Apply(sessionT0.Add(3*time.Hour), choiceAt(FirstElementStep, 3)), FirstElementStep)
	if got := s.Scores.Get(Persyaratan); got != 4 {
		t.Errorf("persyaratan = %d after going back and answering 4, want 4", got)
	}

	// Finish: the response carries the replaced answer, and nothing else moved.
	for i := FirstElementStep + 1; i < len(Steps)-1; i++ {
		wantAdvanced(t, s.Apply(sessionT0.Add(4*time.Hour), choiceAt(i, 0)), i)
	}
	r := wantCompleted(t, s.Apply(sessionT0.Add(5*time.Hour), skipAt(len(Steps)-1)))
	if want := (Scores{4, 1, 1, 1, 1, 1, 1, 1, 1}); r.Scores != want {
		t.Errorf("Scores = %v, want %v", r.Scores, want)
	}
}

func TestSessionBackThenSkipClears(t *testing.T) {
	tests := []struct {
		step   int
		answer Input
		field  func(Profile) any
		set    any
	}{
		{0, choiceAt(0, 1), func(p Profile) any { return p.Gender }, "P"},
		{1, typed("35"), func(p Profile) any { return p.Age }, 35},
		{2, choiceAt(2, 4), func(p Profile) any { return p.Education }, "D4/S1"},
		{3, choiceAt(3, 2), func(p Profile) any { return p.Occupation }, "POLRI"},
		{4, choiceAt(4, 2), func(p Profile) any { return p.Service }, ServiceOther},
	}
	for _, tt := range tests {
		t.Run(Steps[tt.step].Name, func(t *testing.T) {
			s := sessionAt(t, tt.step)
			s.Profile = Profile{} // only the step under test holds an answer
			wantAdvanced(t, s.Apply(sessionT0.Add(time.Hour), tt.answer), tt.step)
			if got := tt.field(s.Profile); got != tt.set {
				t.Fatalf("after answering: %v, want %v", got, tt.set)
			}
			if evs := s.Apply(sessionT0.Add(2*time.Hour), backAt(tt.step+1)); !reflect.DeepEqual(evs, []Event{QuestionAsked{Step: tt.step}}) {
				t.Fatalf("back: events = %#v", evs)
			}
			if got := tt.field(s.Profile); got != tt.set {
				t.Errorf("back alone changed the answer to %v, want it kept (%v)", got, tt.set)
			}
			wantAdvanced(t, s.Apply(sessionT0.Add(3*time.Hour), skipAt(tt.step)), tt.step)
			if s.Profile != (Profile{}) {
				t.Errorf("after back then skip Profile = %+v, want the earlier answer cleared", s.Profile)
			}
		})
	}
}

func TestSessionStaleInput(t *testing.T) {
	const at = 3
	tests := []struct {
		name string
		in   Input
	}{
		{"earlier choice", choiceAt(0, 1)},
		{"previous choice", choiceAt(at-1, 0)},
		{"next choice", choiceAt(at+1, 0)},
		{"far step", choiceAt(len(Steps)-1, 0)},
		{"beyond the end", choiceAt(99, 0)},
		{"other negative step", Input{Kind: InputChoice, Step: -2}},
		{"earlier skip", skipAt(1)},
		{"earlier back", backAt(at - 1)},
		{"later back", backAt(at + 1)},
		{"text with an old step", Input{Kind: InputText, Step: 1, Text: "35"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sessionAt(t, at)
			before := snapshot(s)
			wantRejected(t, s.Apply(sessionT0.Add(time.Hour), tt.in), at, RejectStale)
			if !reflect.DeepEqual(snapshot(s), before) {
				t.Errorf("stale input changed the session:\n got %+v\nwant %+v", snapshot(s), before)
			}
		})
	}
}

func TestSessionDoubleTap(t *testing.T) {
	tests := []struct {
		name  string
		at    int
		in    Input
		check func(*Session) bool
	}{
		{"choice", 0, choiceAt(0, 1), func(s *Session) bool { return s.Step == 1 && s.Profile.Gender == "P" }},
		{"element", FirstElementStep, choiceAt(FirstElementStep, 2), func(s *Session) bool {
			return s.Step == FirstElementStep+1 && s.Scores.Get(Persyaratan) == 3
		}},
		{"skip", 2, skipAt(2), func(s *Session) bool { return s.Step == 3 }},
		{"back", 3, backAt(3), func(s *Session) bool { return s.Step == 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sessionAt(t, tt.at)
			first := s.Apply(sessionT0.Add(time.Hour), tt.in)
			if len(first) == 0 {
				t.Fatal("first tap: no events")
			}
			if _, ok := first[0].(AnswerRejected); ok {
				t.Fatalf("first tap rejected: %#v", first)
			}
			after := snapshot(s)
			if !tt.check(s) {
				t.Fatalf("first tap: session %+v not as expected", after)
			}
			wantRejected(t, s.Apply(sessionT0.Add(time.Hour+time.Second), tt.in), s.Step, RejectStale)
			if !reflect.DeepEqual(snapshot(s), after) {
				t.Errorf("second tap changed the session:\n got %+v\nwant %+v", snapshot(s), after)
			}
		})
	}
}

func TestSessionTextOnButtonStep(t *testing.T) {
	for step, st := range Steps {
		if st.Choices(testUnit()) == nil {
			continue
		}
		t.Run(st.Name, func(t *testing.T) {
			for _, in := range []Input{typed("1"), typed("L"), typed("KTP"), {Kind: InputText, Step: step, Text: "4"}} {
				s := sessionAt(t, step)
				before := snapshot(s)
				wantRejected(t, s.Apply(sessionT0.Add(time.Hour), in), step, RejectNeedsButton)
				if !reflect.DeepEqual(snapshot(s), before) {
					t.Errorf("text %q changed the session", in.Text)
				}
			}
		})
	}
}

func TestSessionAge(t *testing.T) {
	tests := []struct {
		text string
		want int // 0 = rejected with RejectBadAge
	}{
		{"35", 35},
		{" 35 ", 35},
		{"35 tahun", 35},
		{"35 Tahun", 35},
		{"35 years", 35},
		{"35tahun", 35},
		{"10", MinAge},
		{"120", MaxAge},
		{"9", 0},
		{"0", 0},
		{"121", 0},
		{"abc", 0},
		{"", 0},
		{"   ", 0},
		{"3.5", 0},
		{"35,5", 0},
		{"-5", 0},
		{"tahun", 0},
		{"tiga puluh", 0},
		{"35 36", 0},
		{"99999999999999999999", 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.text), func(t *testing.T) {
			s := sessionAt(t, 1)
			before := snapshot(s)
			evs := s.Apply(sessionT0.Add(time.Hour), typed(tt.text))
			if tt.want == 0 {
				wantRejected(t, evs, 1, RejectBadAge)
				if !reflect.DeepEqual(snapshot(s), before) {
					t.Errorf("rejected age changed the session")
				}
				return
			}
			wantAdvanced(t, evs, 1)
			if s.Profile.Age != tt.want {
				t.Errorf("Age = %d, want %d", s.Profile.Age, tt.want)
			}
		})
	}
}

func TestSessionSuggestion(t *testing.T) {
	last := len(Steps) - 1
	full := strings.Repeat("é", MaxSuggestionRunes)
	emoji := strings.Repeat("😀", MaxSuggestionRunes)
	tests := []struct {
		name   string
		text   string
		reason RejectReason // 0 = accepted
		want   string
	}{
		{"plain", "Pelayanan cepat", 0, "Pelayanan cepat"},
		{"trimmed", " \t Pelayanan cepat \n", 0, "Pelayanan cepat"},
		{"inner spaces kept", "a  b\nc", 0, "a  b\nc"},
		{"empty", "", RejectEmpty, ""},
		{"spaces", "   ", RejectEmpty, ""},
		{"whitespace", "\n\t \u00a0\u3000", RejectEmpty, ""},
		{"max two-byte runes", full, 0, full},
		{"max emoji", emoji, 0, emoji},
		{"max after trim", "  " + full + "\n", 0, full},
		{"one over two-byte runes", full + "é", RejectTooLong, ""},
		{"one over emoji", emoji + "😀", RejectTooLong, ""},
		{"one over ascii", strings.Repeat("a", MaxSuggestionRunes+1), RejectTooLong, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sessionAt(t, last)
			before := snapshot(s)
			now := sessionT0.Add(time.Hour)
			evs := s.Apply(now, typed(tt.text))
			if tt.reason != 0 {
				wantRejected(t, evs, last, tt.reason)
				if !reflect.DeepEqual(snapshot(s), before) {
					t.Errorf("rejected suggestion changed the session")
				}
				return
			}
			r := wantCompleted(t, evs)
			if r.Suggestion != tt.want {
				t.Errorf("Suggestion = %.40q (%d bytes), want %.40q (%d bytes)", r.Suggestion, len(r.Suggestion), tt.want, len(tt.want))
			}
			if s.Suggestion != tt.want {
				t.Errorf("Session.Suggestion = %.40q, want %.40q", s.Suggestion, tt.want)
			}
		})
	}
}

func TestSessionBadChoice(t *testing.T) {
	u := testUnit()
	steps := []int{0, 1, 2, 3, 4, FirstElementStep, FirstElementStep + NumElements - 1, len(Steps) - 1}
	for _, step := range steps {
		n := len(Steps[step].Choices(u))
		for _, choice := range []int{-1, n, n + 1, 99} {
			t.Run(fmt.Sprintf("%s/%d", Steps[step].Name, choice), func(t *testing.T) {
				s := sessionAt(t, step)
				before := snapshot(s)
				wantRejected(t, s.Apply(sessionT0.Add(time.Hour), choiceAt(step, choice)), step, RejectBadChoice)
				if !reflect.DeepEqual(snapshot(s), before) {
					t.Errorf("bad choice changed the session")
				}
			})
		}
	}

	// The last valid choice is accepted, so the bound above is the right one.
	s := sessionAt(t, 4)
	wantAdvanced(t, s.Apply(sessionT0.Add(time.Hour), choiceAt(4, len(u.Services))), 4)
	if s.Profile.Service != ServiceOther {
		t.Errorf("service choice %d = %q, want %q", len(u.Services), s.Profile.Service, ServiceOther)
	}
}

func TestSessionUnknownInputKind(t *testing.T) {
	s := sessionAt(t, 2)
	before := snapshot(s)
	evs := s.Apply(sessionT0.Add(time.Hour), Input{Kind: InputKind(42), Step: 2})
	if len(evs) != 2 {
		t.Fatalf("events = %#v, want a rejection and the question again", evs)
	}
	if rej, ok := evs[0].(AnswerRejected); !ok || rej.Step != 2 {
		t.Errorf("events[0] = %#v, want AnswerRejected for step 2", evs[0])
	}
	if want := (QuestionAsked{Step: 2, Again: true}); evs[1] != want {
		t.Errorf("events[1] = %#v, want %#v", evs[1], want)
	}
	if !reflect.DeepEqual(snapshot(s), before) {
		t.Errorf("unknown input changed the session")
	}
}

func TestSessionAfterCompletion(t *testing.T) {
	s := sessionAt(t, len(Steps))
	if !s.Done() {
		t.Fatal("session not done")
	}
	inputs := []Input{
		choiceAt(len(Steps)-1, 0),
		choiceAt(len(Steps), 0),
		choiceAt(0, 0),
		{Kind: InputChoice, Step: CurrentStep},
		skipAt(CurrentStep),
		skipAt(len(Steps) - 1),
		backAt(CurrentStep),
		backAt(len(Steps)),
		typed("lagi"),
		typed(""),
	}
	for _, in := range inputs {
		before := snapshot(s)
		evs := s.Apply(sessionT0.Add(time.Hour), in)
		// There is no question left to ask again, so the rejection stands alone.
		if want := []Event{AnswerRejected{Step: len(Steps), Reason: RejectFinished}}; !reflect.DeepEqual(evs, want) {
			t.Errorf("Apply(%+v) after completion = %#v, want %#v", in, evs, want)
		}
		if !reflect.DeepEqual(snapshot(s), before) {
			t.Errorf("Apply(%+v) after completion changed the session", in)
		}
	}
}

func TestSessionExpired(t *testing.T) {
	const ttl = 30 * time.Minute
	last := sessionT0.Add(10 * time.Minute)
	s, _ := NewSession("s1", testUnit(), "resp-hash", sessionT0)
	wantAdvanced(t, s.Apply(last, choiceAt(0, 0)), 0)
	// A rejected input is not activity: the session stays as it was.
	s.Apply(last.Add(20*time.Minute), choiceAt(0, 0))

	done := sessionAt(t, len(Steps))
	tests := []struct {
		name string
		s    *Session
		now  time.Time
		ttl  time.Duration
		want bool
	}{
		{"just answered", s, last, ttl, false},
		{"ttl after start, not after last input", s, sessionT0.Add(ttl), ttl, false},
		{"one second before ttl", s, last.Add(ttl - time.Second), ttl, false},
		{"one nanosecond before ttl", s, last.Add(ttl - 1), ttl, false},
		{"exactly ttl", s, last.Add(ttl), ttl, true},
		{"after ttl", s, last.Add(ttl + time.Nanosecond), ttl, true},
		{"days later", s, last.Add(72 * time.Hour), ttl, true},
		{"clock behind", s, last.Add(-time.Hour), ttl, false},
		{"ttl 0", s, last.Add(1000 * time.Hour), 0, false},
		{"negative ttl", s, last.Add(1000 * time.Hour), -time.Minute, false},
		{"done", done, done.Updated.Add(1000 * time.Hour), ttl, false},
	}
	for _, tt := range tests {
		if got := tt.s.Expired(tt.now, tt.ttl); got != tt.want {
			t.Errorf("%s: Expired(Updated%+v, %v) = %v, want %v", tt.name, tt.now.Sub(tt.s.Updated), tt.ttl, got, tt.want)
		}
	}
	if !s.Updated.Equal(last) {
		t.Errorf("Updated = %v, want the last accepted input's time %v", s.Updated, last)
	}
}

func TestSessionAnswered(t *testing.T) {
	s, _ := NewSession("s1", testUnit(), "resp-hash", sessionT0)
	if s.Answered() {
		t.Error("new session: Answered() = true, want false")
	}
	s.Apply(sessionT0.Add(time.Minute), choiceAt(5, 0)) // stale: changes nothing
	if s.Answered() {
		t.Error("after a rejected input: Answered() = true, want false")
	}
	wantAdvanced(t, s.Apply(sessionT0.Add(2*time.Minute), choiceAt(0, 1)), 0)
	if !s.Answered() {
		t.Error("after answering gender: Answered() = false, want true")
	}
	// Back to the first question keeps the answer, so the session still counts.
	s.Apply(sessionT0.Add(3*time.Minute), backAt(1))
	if s.Step != 0 || !s.Answered() {
		t.Errorf("after back to step 0 with gender answered: Step %d, Answered() = %v, want 0, true", s.Step, s.Answered())
	}
}

func TestSessionPartial(t *testing.T) {
	s := sessionAt(t, FirstElementStep+2)
	now := sessionT0.Add(5 * time.Hour)
	r := s.Partial(now)
	want := Response{
		Unit:       "DUKCAPIL",
		Submitted:  now,
		Source:     SourceTelegram,
		Respondent: "resp-hash",
		Profile:    Profile{Gender: "L", Age: 35, Education: "SD", Occupation: "PNS", Service: "KTP"},
		Scores:     Scores{1, 1},
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Partial =\n %+v\nwant\n %+v", r, want)
	}
	// The response is a copy: answering on must not change it.
	s.Apply(now, choiceAt(s.Step, 3))
	if r.Scores != (Scores{1, 1}) {
		t.Errorf("Partial's Scores changed with the session: %v", r.Scores)
	}
}

func TestSessionReask(t *testing.T) {
	for _, step := range []int{0, 1, FirstElementStep, len(Steps) - 1} {
		s := sessionAt(t, step)
		before := snapshot(s)
		if got, want := s.Reask(), []Event{QuestionAsked{Step: step, Again: true}}; !reflect.DeepEqual(got, want) {
			t.Errorf("Reask at step %d = %#v, want %#v", step, got, want)
		}
		if !reflect.DeepEqual(snapshot(s), before) {
			t.Errorf("Reask at step %d changed the session", step)
		}
	}
	if got := sessionAt(t, len(Steps)).Reask(); got != nil {
		t.Errorf("Reask when done = %#v, want nil", got)
	}
}

// TestSessionInvariants feeds random inputs, valid and not, and checks the
// contract every renderer relies on: a rejection changes nothing and is
// followed by the same question again; an acceptance moves exactly one step
// and asks the next question or completes.
func TestSessionInvariants(t *testing.T) {
	u := testUnit()
	texts := []string{"", " ", "35", "9", "35 tahun", "abc", "saran", strings.Repeat("x", MaxSuggestionRunes+1)}
	rng := rand.New(rand.NewPCG(1, 2))
	completions := 0
	for run := range 200 {
		s, _ := NewSession(fmt.Sprint(run), u, "resp-hash", sessionT0)
		now := sessionT0
		for i := 0; i < 500 && !s.Done(); i++ {
			now = now.Add(time.Second)
			step := s.Step
			if rng.IntN(5) == 0 {
				step = rng.IntN(len(Steps)+2) - 1 // sometimes stale, sometimes CurrentStep
			}
			// Mostly choices, rarely back, so that most runs reach the end.
			kind := []InputKind{InputChoice, InputChoice, InputChoice, InputChoice, InputChoice, InputText, InputText, InputSkip, InputSkip, InputBack}[rng.IntN(10)]
			in := Input{Kind: kind, Step: step, Choice: rng.IntN(7) - 1, Text: texts[rng.IntN(len(texts))]}
			before := snapshot(s)
			evs := s.Apply(now, in)
			if len(evs) == 0 {
				t.Fatalf("run %d: Apply(%+v) at step %d returned no events", run, in, before.Step)
			}
			switch ev := evs[0].(type) {
			case AnswerRejected:
				want := []Event{AnswerRejected{Step: before.Step, Reason: ev.Reason}, QuestionAsked{Step: before.Step, Again: true}}
				if !reflect.DeepEqual(evs, want) {
					t.Fatalf("run %d: Apply(%+v) = %#v, want %#v", run, in, evs, want)
				}
				if ev.Reason < RejectStale || ev.Reason > RejectFinished {
					t.Fatalf("run %d: unknown reason %d", run, ev.Reason)
				}
				if !reflect.DeepEqual(snapshot(s), before) {
					t.Fatalf("run %d: rejected %+v changed the session", run, in)
				}
			case AnswerAccepted:
				if ev.Step != before.Step || s.Step != before.Step+1 || len(evs) != 2 {
					t.Fatalf("run %d: Apply(%+v) at step %d = %#v, now at step %d", run, in, before.Step, evs, s.Step)
				}
				if s.Done() {
					if _, ok := evs[1].(Completed); !ok {
						t.Fatalf("run %d: last answer gave %#v, want Completed", run, evs[1])
					}
					completions++
				} else if evs[1] != (QuestionAsked{Step: s.Step}) {
					t.Fatalf("run %d: after an answer got %#v, want QuestionAsked{%d}", run, evs[1], s.Step)
				}
				if !s.Updated.Equal(now) {
					t.Fatalf("run %d: accepted input did not refresh Updated", run)
				}
			case QuestionAsked:
				if in.Kind != InputBack || s.Step != before.Step-1 || len(evs) != 1 || ev != (QuestionAsked{Step: s.Step}) {
					t.Fatalf("run %d: Apply(%+v) at step %d = %#v, now at step %d", run, in, before.Step, evs, s.Step)
				}
			default:
				t.Fatalf("run %d: Apply(%+v) = %#v: unexpected first event", run, in, evs)
			}
			if !s.Scores.Valid() {
				t.Fatalf("run %d: invalid scores %v", run, s.Scores)
			}
			if a := s.Profile.Age; a != 0 && (a < MinAge || a > MaxAge) {
				t.Fatalf("run %d: implausible age %d", run, a)
			}
		}
	}
	if completions == 0 {
		t.Error("no random run completed; the walk does not reach the end")
	}
}

// TestResponseCarriesHowTheRespondentCame: the deep link a survey began
// from travels with the session into the completed (or partial) response.
func TestResponseCarriesHowTheRespondentCame(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	s, _ := NewSession("1", Unit{Code: "U"}, "h", now)
	s.Via, s.Poster = ViaOldPoster, 3
	if p := s.Partial(now); p.Via != ViaOldPoster || p.Poster != 3 {
		t.Errorf("Partial: via %q, poster %d; want old_poster, 3", p.Via, p.Poster)
	}
	var done *Completed
	for i := 0; i < 100 && done == nil; i++ {
		in := Input{Kind: InputChoice, Step: s.Step}
		if st := s.Current(); st.Choices(s.Unit) == nil {
			in = Input{Kind: InputSkip, Step: s.Step}
		}
		for _, ev := range s.Apply(now, in) {
			if c, ok := ev.(Completed); ok {
				done = &c
			}
		}
	}
	if done == nil || done.Response.Via != ViaOldPoster || done.Response.Poster != 3 {
		t.Errorf("completed response = %+v; want via old_poster, poster 3", done)
	}
}
