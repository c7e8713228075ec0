package main

import (
	"hash/fnv"
	mrand "math/rand/v2"
	"strconv"

	"github.com/ikmbot/ikmbot/survey"
)

// action is what a simulated respondent does at one step of the
// questionnaire: type text, or tap a choice, or tap skip.
type action struct {
	text   string // typed text; "" for a tap
	choice int    // index into the step's choices; skip when negative
}

const skip = -1

// plan decides a whole survey up front, one action per survey.Steps entry,
// so that the echo run can replay exactly the same kinds of updates.
func plan(rng *mrand.Rand, u survey.Unit) []action {
	out := make([]action, len(survey.Steps))
	q := unitQuality(u.Code)
	for i, st := range survey.Steps {
		choices := len(st.Choices(u))
		var a action
		switch {
		case st.Kind == survey.StepProfile && st.Question.Answer == survey.AnswerAge:
			// Most people type their age; the rest tap "no answer".
			a = action{choice: skip}
			if rng.Float64() < 0.7 {
				a = action{text: strconv.Itoa(age(rng))}
			}
		case st.Kind == survey.StepProfile:
			p := profileAnswers[st.Question.Dim]
			a = pick(rng, p.skip, choices, p.weights)
		case st.Kind == survey.StepElement:
			// Skewed towards 3 and 4 as real SKM results are, shifted per
			// unit so that units end up with different grades.
			a = action{choice: weighted(rng, []float64{3 - q, 12 - 4*q, 55 - 10*q, 30 + 15*q})}
		case st.Kind == survey.StepSuggestion:
			a = action{choice: skip}
			if rng.Float64() < 0.25 {
				a = action{text: suggestions[rng.IntN(len(suggestions))]}
			}
		default:
			// A step added to the questionnaire after this tool was written:
			// answer it if it has buttons, else skip it.
			a = pick(rng, 0, choices, nil)
		}
		if a.text == "" && a.choice == skip && !st.Skippable() {
			a.choice = 0
		}
		out[i] = a
	}
	return out
}

// profileAnswers are how often simulated people skip each profile question
// and how they answer it (weights in choice order; none: all alike); a
// question added since this tool was written is answered alike by all.
var profileAnswers = map[survey.ProfileDim]struct {
	skip    float64
	weights []float64
}{
	survey.DimGender:     {0.08, nil},
	survey.DimEducation:  {0.10, []float64{5, 10, 40, 12, 25, 6, 2}},
	survey.DimOccupation: {0.10, []float64{10, 2, 2, 35, 25, 26}},
	survey.DimService:    {0.05, nil},
}

// pick taps one of n choices, by weight when weights fit, or skips with
// probability pSkip (or when there is nothing to choose).
func pick(rng *mrand.Rand, pSkip float64, n int, weights []float64) action {
	if n == 0 || rng.Float64() < pSkip {
		return action{choice: skip}
	}
	if len(weights) != n {
		return action{choice: rng.IntN(n)}
	}
	return action{choice: weighted(rng, weights)}
}

func weighted(rng *mrand.Rand, w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	r := rng.Float64() * sum
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}

// age is a plausible adult respondent's age: mostly 20 to 55.
func age(rng *mrand.Rand) int { return 17 + rng.IntN(25) + rng.IntN(25) }

// unitQuality is a fixed per-unit shift in [-1, 1]: some units serve better.
func unitQuality(code string) float64 {
	h := fnv.New32a()
	h.Write([]byte(code))
	return float64(h.Sum32()%201)/100 - 1
}

// unitWeights says how often each unit is surveyed: puskesmas and the
// civil registry see far more people than a secretariat.
func unitWeights(units []survey.Unit) []float64 {
	w := make([]float64, len(units))
	for i, u := range units {
		switch {
		case u.Code == "DISDUKCAPIL":
			w[i] = 6
		case u.Type == survey.RSUD:
			w[i] = 3
		case u.Type == survey.Puskesmas:
			w[i] = 2
		default:
			w[i] = 0.6
		}
	}
	return w
}

// suggestions are typical free-text remarks left at the end of an SKM.
var suggestions = []string{
	"Antrean terlalu lama, mohon ditambah loket pelayanan.",
	"Petugas ramah dan cepat, pertahankan.",
	"Ruang tunggu panas, mohon AC diperbaiki.",
	"Informasi persyaratan di website belum lengkap.",
	"Parkiran sempit dan tidak teratur.",
	"Pelayanan sudah baik, semoga semakin cepat.",
	"Mohon disediakan kursi roda untuk lansia.",
	"Tolong jam pelayanan diperpanjang sampai sore.",
	"Toilet kurang bersih.",
	"Sangat puas dengan pelayanan hari ini, terima kasih.",
	"Please add an English information desk.",
	"Nomor antrean online sering error, mohon diperbaiki.",
}
