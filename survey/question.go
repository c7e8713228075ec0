package survey

import (
	"strconv"
	"strings"
)

// AnswerKind says how a profile question is answered.
type AnswerKind int

// Ways of answering a profile question.
const (
	AnswerChoice  AnswerKind = iota // a button among the question's Choices
	AnswerService                   // a button among the unit's services, then ServiceOther
	AnswerAge                       // whole years, typed
)

// ProfileQuestion is one question of the respondent profile, and the one
// place that says everything about it: the step that asks it, the field of
// Profile that holds the answer, the key of that answer in stored records,
// its column in CSV exports and paper imports, its title in reports and
// files, and (through Dim) its locale keys: q.<Dim> for the question and
// opt.<Dim>.<OptionKey(choice)> for the label of each choice. Every other
// package walks ProfileQuestions instead of naming the questions, so a new
// question is a field of Profile and a row here (TestEveryQuestion in
// cmd/ikmbot walks each row through all of them).
type ProfileQuestion struct {
	Dim     ProfileDim // stable id: the step's name and the dimension of profile tallies
	Record  string     // key of the answer in stored records
	Column  string     // column of the CSV export and of the paper import
	Title   string     // printed name in reports and files, as the regulation's forms name it
	Answer  AnswerKind
	Choices []string // for AnswerChoice: the values, as the regulation's sample form prints them
	// Labels print the choices whose stored value is a code (L for
	// Laki-laki) in reports and files; other values print as stored.
	Labels map[string]string

	get func(Profile) string
	set func(*Profile, string)
}

// ProfileQuestions is the profile part of the questionnaire, in the order
// the bot asks it and reports show it.
var ProfileQuestions = []*ProfileQuestion{
	{Dim: DimGender, Record: "sex", Column: "jenis_kelamin", Title: "Jenis kelamin", Answer: AnswerChoice, Choices: Genders,
		Labels: map[string]string{"L": "Laki-laki", "P": "Perempuan"},
		get:    func(p Profile) string { return p.Gender }, set: func(p *Profile, v string) { p.Gender = v }},
	{Dim: DimAge, Record: "age", Column: "usia", Title: "Usia (tahun)", Answer: AnswerAge,
		get: func(p Profile) string {
			if p.Age <= 0 {
				return ""
			}
			return strconv.Itoa(p.Age)
		},
		set: func(p *Profile, v string) { p.Age, _ = strconv.Atoi(v) }},
	{Dim: DimEducation, Record: "edu", Column: "pendidikan", Title: "Pendidikan", Answer: AnswerChoice, Choices: Educations,
		get: func(p Profile) string { return p.Education }, set: func(p *Profile, v string) { p.Education = v }},
	{Dim: DimOccupation, Record: "job", Column: "pekerjaan", Title: "Pekerjaan", Answer: AnswerChoice, Choices: Occupations,
		get: func(p Profile) string { return p.Occupation }, set: func(p *Profile, v string) { p.Occupation = v }},
	{Dim: DimService, Record: "svc", Column: "layanan", Title: "Jenis layanan", Answer: AnswerService,
		Labels: map[string]string{ServiceOther: "Lainnya"},
		get:    func(p Profile) string { return p.Service }, set: func(p *Profile, v string) { p.Service = v }},
}

// ProfileQuestionOf returns the question of dimension d, or nil.
func ProfileQuestionOf(d ProfileDim) *ProfileQuestion {
	for _, q := range ProfileQuestions {
		if q.Dim == d {
			return q
		}
	}
	return nil
}

// Value returns the answer to q in p as stored (age in whole years), or ""
// when it was skipped.
func (q *ProfileQuestion) Value(p Profile) string { return q.get(p) }

// Set records v as the answer to q in p; "" forgets the answer. v must be
// an answer Parse or Choices gave: Set does not check it.
func (q *ProfileQuestion) Set(p *Profile, v string) { q.set(p, v) }

// Counted is the value profile tallies count the answer under: the answer
// itself, or its band for age; "" when it was skipped.
func (q *ProfileQuestion) Counted(p Profile) string {
	if q.Answer == AnswerAge {
		return AgeBand(p.Age)
	}
	return q.get(p)
}

// Options returns the values a respondent picks from for q at unit u, or
// nil for a typed answer.
func (q *ProfileQuestion) Options(u Unit) []string {
	switch q.Answer {
	case AnswerChoice:
		return q.Choices
	case AnswerService:
		return append(append([]string(nil), u.Services...), ServiceOther)
	}
	return nil
}

// Parse reads a written answer to q for unit u, as a paper form or a file
// gives it, and returns it as stored: a choice in its canonical spelling
// (ignoring case; "lainnya" and "other" both name ServiceOther), or an age
// in whole years within MinAge..MaxAge. ok is false when s is none of
// these; "" is not an answer (a blank is the caller's to allow).
func (q *ProfileQuestion) Parse(u Unit, s string) (string, bool) {
	switch q.Answer {
	case AnswerAge:
		age, err := strconv.Atoi(s)
		if err != nil || age < MinAge || age > MaxAge {
			return "", false
		}
		return strconv.Itoa(age), true
	case AnswerService:
		if strings.EqualFold(s, ServiceOther) || strings.EqualFold(s, ServiceOtherWord) {
			if v, ok := oneOf(s, u.Services); ok {
				return v, true // a unit may name a service "Lainnya" itself
			}
			return ServiceOther, true
		}
	}
	return oneOf(s, q.Options(u))
}

// ServiceOtherWord is ServiceOther as Indonesian forms write it.
const ServiceOtherWord = "lainnya"

// oneOf returns the choice that s names, ignoring case, in its canonical
// spelling.
func oneOf(s string, choices []string) (string, bool) {
	for _, c := range choices {
		if strings.EqualFold(s, c) {
			return c, true
		}
	}
	return "", false
}

// OptionID is the locale message id that names answer value of q in a
// language: opt.<Dim>.<OptionKey> for a fixed choice, opt.service_other for
// "another service"; "" for a value shown as it is (a unit's own service,
// an age).
func (q *ProfileQuestion) OptionID(value string) string {
	switch {
	case q.Answer == AnswerChoice:
		return "opt." + string(q.Dim) + "." + OptionKey(value)
	case value == ServiceOther:
		return "opt.service_other"
	}
	return ""
}

// OptionKey turns a choice such as "D4/S1" into the last part of its
// locale key (opt.<Dim>.d4s1): lowercase letters and digits only.
func OptionKey(v string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(v) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ParseAge reads an age as people type it in a chat: "35", "35 tahun" or
// "35 years"; ok is false unless it is a whole number within MinAge..MaxAge.
func ParseAge(text string) (int, bool) {
	num := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(text)), "tahun"), "years"))
	age, err := strconv.Atoi(num)
	if err != nil || age < MinAge || age > MaxAge {
		return 0, false
	}
	return age, true
}
