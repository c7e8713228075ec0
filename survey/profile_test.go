package survey

import (
	"reflect"
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

func TestBreakdownSuppressesSmallCells(t *testing.T) {
	var pt ProfileTally
	add := func(n int, p Profile) {
		for range n {
			pt.Add(p)
		}
	}
	add(12, Profile{Gender: "P", Education: "SMA", Service: "KTP"})
	add(7, Profile{Gender: "L", Education: "SMA", Service: "Akta"})
	add(3, Profile{Gender: "L", Education: "S3", Service: "KTP"})
	add(1, Profile{Education: "SD", Service: "other"})
	rows := pt.Breakdown(5)
	got := map[ProfileDim][]ProfileCell{}
	for _, r := range rows {
		got[r.Dim] = r.Cells
	}
	want := map[ProfileDim][]ProfileCell{
		// 1 skipped is the only small cell: the next smallest (L 10) goes too.
		DimGender: {{"L", 10, true}, {"P", 12, false}, {"", 1, true}},
		// Two small cells already hide each other.
		DimEducation: {{"SD", 1, true}, {"SMA", 19, false}, {"S3", 3, true}},
		// "other" 1 is alone, so Akta 7 is hidden too.
		DimService:    {{"Akta", 7, true}, {"KTP", 15, false}, {"other", 1, true}},
		DimAge:        {{"", 23, false}},
		DimOccupation: {{"", 23, false}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Breakdown(5) =\n%+v\nwant\n%+v", got, want)
	}
	var tiny ProfileTally
	tiny.Add(Profile{Gender: "P"})
	if rows := tiny.Breakdown(5); rows != nil {
		t.Errorf("Breakdown of 1 respondent = %+v, want nil", rows)
	}
}
