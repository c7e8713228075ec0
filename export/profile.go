package export

import (
	"strconv"

	"github.com/ikmbot/ikmbot/survey"
)

// MinCell is the smallest profile count a file shows: the k of the
// disclosure rule (survey.PublishProfile).
const MinCell = survey.MinProfileCell

// ProfilesFrom counts the profiles of rep's units from the raw responses,
// month by month as the store's aggregates do, over the months of the
// period that had ended when the report was generated (rep.Generated; all
// of the period's months when that is zero), and publishes them.
func ProfilesFrom(rep Report, rs Responses) (survey.Profiles, error) {
	p := rep.Summary.Period
	at := rep.Generated
	if at.IsZero() {
		at = p.To.AddDate(0, 0, 1)
	}
	months, ok := survey.ProfileMonths(p, at)
	index := map[string]int{}
	for m, mp := range months {
		index[mp.Label] = m
	}
	blocks := make([][]survey.ProfileTally, len(rep.Summary.Units))
	for i := range blocks {
		blocks[i] = make([]survey.ProfileTally, len(months))
	}
	sc := newScope(rep.Summary)
	err := rs(func(r survey.Response) error {
		i := sc.unit(r)
		if i < 0 {
			return nil
		}
		if m, in := index[survey.MonthKey(r.Submitted.In(p.From.Location()))]; in {
			blocks[i][m].Add(r.Profile)
		}
		return nil
	})
	return survey.PublishProfiles(months, ok, blocks, MinCell), err
}

// dimTitle is a profile question's printed name.
func dimTitle(d survey.ProfileDim) string {
	if q := survey.ProfileQuestionOf(d); q != nil {
		return q.Title
	}
	return string(d)
}

// valueLabel is how a stored profile answer is printed.
func valueLabel(d survey.ProfileDim, v string) string {
	if v == "" {
		return "Tidak diisi"
	}
	if q := survey.ProfileQuestionOf(d); q != nil && q.Labels[v] != "" {
		return q.Labels[v]
	}
	return v
}

// hiddenLabel names the respondents whose answer a table does not show.
const hiddenLabel = "Tidak ditampilkan"

// profileNote explains, wherever a profile is printed, what it counts and
// what it leaves out.
func profileNote(pr survey.Profiles) string {
	return "Profil dihitung per unit per bulan yang sudah berakhir (" + monthsText(pr.Months) + "). " +
		"Agar tidak ada responden yang dapat dikenali, jumlah di bawah " + strconv.Itoa(MinCell) +
		" dalam satu bulan, dan jumlah yang dapat dihitung dari sel lain, tidak ditampilkan; " +
		"bulan dengan kurang dari " + strconv.Itoa(MinCell) + " responden tidak ditampilkan sama sekali. " +
		"Profil gabungan menjumlahkan yang ditampilkan per bulan."
}

// noProfile says why a scope shows no profile, or "" when it shows one.
func noProfile(pr survey.Profiles, t survey.ProfileTable) string {
	switch {
	case !pr.Available:
		return "Profil responden hanya disajikan per tahun, semester, triwulan atau bulan, tidak untuk rentang tanggal."
	case len(pr.Months) == 0:
		return "Profil responden disajikan setelah bulan pertama periode ini berakhir."
	case t.Rows == nil:
		return "Profil tidak ditampilkan: setiap bulan kurang dari " + strconv.Itoa(MinCell) + " responden."
	}
	return ""
}

// monthsText names the months counted: "Januari 2026", or "Januari s.d.
// Maret 2026".
func monthsText(ms []survey.Period) string {
	if len(ms) == 0 {
		return "belum ada bulan yang berakhir"
	}
	name := func(p survey.Period) string {
		return months[p.From.Month()-1] + " " + strconv.Itoa(p.From.Year())
	}
	first, last := ms[0], ms[len(ms)-1]
	if len(ms) == 1 {
		return name(first)
	}
	if first.From.Year() == last.From.Year() {
		return months[first.From.Month()-1] + " s.d. " + name(last)
	}
	return name(first) + " s.d. " + name(last)
}
