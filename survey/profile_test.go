package survey

import (
	"testing"
)

func TestProfileTallyAddRemoveMerge(t *testing.T) {
	var a, b ProfileTally
	p1 := Profile{Gender: "P", Age: 35, Education: "SMA", Occupation: "Swasta", Service: "KTP"}
	p2 := Profile{Gender: "L", Age: 19}
	a.Add(p1)
	a.Add(p2)
	b.Add(p1)
	a.Merge(b)
	if a.Respondents != 3 || a.Counts[DimGender]["P"] != 2 || a.Counts[DimAge]["<20"] != 1 || a.Counts[DimAge]["30-39"] != 2 {
		t.Errorf("after adds and merge: %+v", a)
	}
	a.Remove(p1)
	a.Remove(p1)
	a.Remove(p2)
	if !a.Empty() || !a.Equal(ProfileTally{}) {
		t.Errorf("after removing everything: %+v, want empty", a)
	}
	a.Remove(p1) // never below zero
	if a.Respondents != 0 || len(a.Counts) != 0 {
		t.Errorf("removing from empty: %+v", a)
	}
}

func TestOptionID(t *testing.T) {
	for _, tt := range []struct {
		dim   ProfileDim
		value string
		want  string
	}{
		{DimEducation, "D4/S1", "opt.education.d4s1"},
		{DimGender, "L", "opt.gender.l"},
		{DimService, ServiceOther, "opt.service_other"},
		{DimService, "KTP-el", ""},
		{DimAge, "35", ""},
	} {
		if got := ProfileQuestionOf(tt.dim).OptionID(tt.value); got != tt.want {
			t.Errorf("%s %q: OptionID = %q, want %q", tt.dim, tt.value, got, tt.want)
		}
	}
}
