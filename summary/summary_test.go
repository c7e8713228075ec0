package summary

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

var when = time.Date(2027, 1, 5, 8, 0, 0, 0, time.UTC)

// city makes a city's summary from random answers: units U1..Un of two
// types, some without respondents.
func city(t *testing.T, name string, seed uint64, n int) (Summary, []survey.Tally) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed+1))
	p, err := survey.ParsePeriod("2026", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var units []survey.Unit
	var tallies []survey.Tally
	fu := map[string]FollowUps{}
	for i := range n {
		typ := survey.Puskesmas
		if i%3 == 0 {
			typ = survey.PerangkatDaerah
		}
		u := survey.Unit{Code: fmt.Sprintf("U%d", i), Name: fmt.Sprintf("Unit %d of %s", i, name), Type: typ, Users: 1000 * (i + 1)}
		var tl survey.Tally
		if i%4 != 3 {
			for range rng.IntN(200) + 1 {
				var sc survey.Scores
				for e := range sc {
					if rng.IntN(20) > 0 {
						sc[e] = uint8(rng.IntN(4) + 1)
					}
				}
				tl.Add(sc)
			}
		}
		units = append(units, u)
		tallies = append(tallies, tl)
		fu[u.Code] = FollowUps{Planned: 3, Done: i % 4, DoneWithin30Days: min(i%4, 1), MedianDays: 10 * (i % 4)}
		if fu[u.Code].Done > 3 {
			fu[u.Code] = FollowUps{Planned: 3, Done: 3, DoneWithin30Days: 1, MedianDays: 25}
		}
	}
	c := survey.Summarize(p, units, tallies, survey.ExactWeights)
	names := func(t survey.UnitType) string { return survey.TypeName(t, nil) }
	return FromCity(name, c, names, fu, survey.ExactWeights, when), tallies
}

func TestSignVerify(t *testing.T) {
	key := KeyFromSecret([]byte("bekasi-secret-0123456789"))
	if again := KeyFromSecret([]byte("bekasi-secret-0123456789")); !bytes.Equal(key, again) {
		t.Fatal("the same secret gave two keys")
	}
	s, _ := city(t, "Kota Bekasi", 1, 12)
	data, err := Sign(s, key)
	if err != nil {
		t.Fatal(err)
	}
	keys := Keys{EncodeKey(PublicKey(key)): "Kota Bekasi"}
	got, err := Verify(data, keys)
	if err != nil {
		t.Fatalf("Verify: %v\n%s", err, data)
	}
	if got.City != "Kota Bekasi" || len(got.Units) != 12 || got.Period != "2026" || !got.Generated.Equal(when) {
		t.Errorf("read back %+v", got)
	}
	if *got.Units[0].IKM != *s.Units[0].IKM || got.Units[0].Scores["waktu"] != s.Units[0].Scores["waktu"] {
		t.Errorf("unit 0 read back %+v, want %+v", got.Units[0], s.Units[0])
	}

	// Any change inside the signed figures is caught.
	start := bytes.Index(data, []byte(`"units"`))
	for i := start; i < bytes.Index(data, []byte(`"key"`)); i += 7 {
		c := data[i]
		if c < '0' || c > '9' {
			continue
		}
		bad := bytes.Clone(data)
		bad[i] = '0' + (c-'0'+1)%10
		if _, err := Verify(bad, keys); err == nil {
			t.Fatalf("a changed digit at %d verified", i)
		}
	}
	other := KeyFromSecret([]byte("another-city-secret-01234"))
	forged, _ := Sign(s, other)
	if _, err := Verify(forged, keys); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("signed by an unpublished key: %v, want ErrUnknownKey", err)
	}
	// The right key with another city's name: the key decides who it is.
	keys[EncodeKey(PublicKey(other))] = "Kota Depok"
	if _, err := Verify(forged, keys); err == nil || !strings.Contains(err.Error(), `signed for "Kota Bekasi" by the key published for "Kota Depok"`) {
		t.Errorf("a city signing for another: %v", err)
	}
	// Figures that do not add up are refused even when signed.
	bad := s
	bad.Units = append([]Unit(nil), s.Units...)
	ikm := 99.99
	bad.Units[0].IKM = &ikm
	data, _ = Sign(bad, key)
	if _, err := Verify(data, keys); err == nil || !strings.Contains(err.Error(), "printed, the scores give") {
		t.Errorf("a wrong IKM: %v", err)
	}
}

// TestMerge: a region's pooled IKM is the IKM of every city's score counts
// added together, and its mean is over every unit with respondents.
func TestMerge(t *testing.T) {
	a, ta := city(t, "Kota Bekasi", 1, 12)
	b, tb := city(t, "Kota Depok", 7, 9)
	r, err := Merge([]Summary{b, a})
	if err != nil {
		t.Fatal(err)
	}
	var all survey.Tally
	var sum float64
	units := 0
	for _, tl := range append(append([]survey.Tally(nil), ta...), tb...) {
		all.Merge(tl)
		if res := tl.Result(survey.ExactWeights); res.Valid {
			sum += res.IKM
			units++
		}
	}
	want := all.Result(survey.ExactWeights)
	if r.Result.IKM2 != want.IKM2 || r.Tally != all || r.WithData != units || r.Units != 21 {
		t.Errorf("region IKM %v over %d units (%d with data), want %v, 21, %d", r.Result.IKM2, r.Units, r.WithData, want.IKM2, units)
	}
	if r.MeanIKM2 != survey.Round2(sum/float64(units)) {
		t.Errorf("mean of units %v, want %v", r.MeanIKM2, survey.Round2(sum/float64(units)))
	}
	if r.Cities[0].City != "Kota Bekasi" || r.Cities[1].City != "Kota Depok" {
		t.Errorf("cities %v, want in name order", r.Cities)
	}
	if r.FollowUps.Planned != 63 {
		t.Errorf("plans %d, want 63", r.FollowUps.Planned)
	}
	if share, ok := r.FollowUps.Share(); !ok || share != survey.Round2(100*float64(r.FollowUps.Done)/63) {
		t.Errorf("share %v, %v", share, ok)
	}
	if len(r.Types) != 2 || r.Types[0].Units+r.Types[1].Units != 21 {
		t.Errorf("types %+v", r.Types)
	}

	for _, tt := range []struct {
		name string
		sums []Summary
		want string
	}{
		{"same city twice", []Summary{a, a}, "Kota Bekasi is given twice"},
		{"two periods", []Summary{a, func() Summary { c := b; c.Period = "2025"; return c }()}, "merge summaries of one period"},
		{"two weightings", []Summary{a, func() Summary { c := b; c.Weighting = "legacy"; return c }()}, "same weights"},
		{"none", nil, "no summaries"},
	} {
		if _, err := Merge(tt.sums); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestParseKeys(t *testing.T) {
	k := EncodeKey(PublicKey(KeyFromSecret([]byte("x-secret-0123456789"))))
	keys, err := ParseKeys([]byte("# published keys\n\n" + k + " Kota Bekasi\n"))
	if err != nil || keys[k] != "Kota Bekasi" {
		t.Errorf("ParseKeys = %v, %v", keys, err)
	}
	for _, bad := range []string{"", "# only a comment\n", "notakey Kota X\n", k + "\n", k + " A\n" + k + " B\n"} {
		if _, err := ParseKeys([]byte(bad)); err == nil {
			t.Errorf("ParseKeys(%q): want an error", bad)
		}
	}
}
