package export

import (
	"testing"

	"github.com/ikmbot/ikmbot/survey"
)

func TestProfiles(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	got, err := Profiles(rep.Summary, Slice(rs))
	if err != nil {
		t.Fatal(err)
	}
	// Only the period's responses of each unit: the 2025 one is left out.
	if got[0].Respondents != 8 || got[1].Respondents != 2 || got[2].Respondents != 0 {
		t.Fatalf("respondents %d, %d, %d; want 8, 2, 0", got[0].Respondents, got[1].Respondents, got[2].Respondents)
	}
	if n := got[0].Counts[survey.DimEducation]["D4/S1"]; n != 6 {
		t.Errorf("DISDUKCAPIL D4/S1 = %d, want 6", n)
	}
	if n := got[0].Counts[survey.DimAge]["20-29"]; n != 3 {
		t.Errorf("DISDUKCAPIL aged 20-29 = %d, want 3", n)
	}
}

func TestValueLabels(t *testing.T) {
	for _, c := range []struct {
		d    survey.ProfileDim
		v    string
		want string
	}{
		{survey.DimGender, "L", "Laki-laki"},
		{survey.DimGender, "P", "Perempuan"},
		{survey.DimService, "other", "Lainnya"},
		{survey.DimEducation, "", "Tidak diisi"},
		{survey.DimEducation, "D4/S1", "D4/S1"},
	} {
		if got := valueLabel(c.d, c.v); got != c.want {
			t.Errorf("valueLabel(%s, %q) = %q, want %q", c.d, c.v, got, c.want)
		}
	}
}
