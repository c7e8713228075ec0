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
