package bot

import (
	"slices"
	"strings"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// Alerts are decided in the transaction that stores a response and queued
// as notices (notice.go), so they reach admins within seconds of the
// respondent's thanks, after it, and exactly as often as the stored state
// says:
//
//   - a response that rates any element 1 and leaves a suggestion goes to
//     the unit's admins: complaint handling is itself one of the nine
//     elements, and a complaint is worth an answer while it is fresh;
//   - when the unit's running IKM for the current year moves into a mutu
//     band it has not been in this year, its admins and the city admins
//     are told. alerts/<unit> remembers the band and the bands seen, so an
//     IKM wavering on a band edge is told once per band, not on every
//     response; the band is first set silently once the unit has
//     alertMinRespondents respondents, since below that one answer swings
//     the IKM across bands.

// alertMinRespondents is how many respondents a unit's running IKM needs
// before band crossings are told.
const alertMinRespondents = 10

// alert queues the notices a counted response causes; res is the unit's
// running result for period, this response included.
func (c *conv) alert(r survey.Response, period survey.Period, res survey.Result) error {
	unitAdmins, err := c.tx.AdminsOf(r.Unit)
	if err != nil {
		return err
	}
	if strings.TrimSpace(r.Suggestion) != "" && slices.Contains(r.Scores[:], survey.MinScore) {
		for _, id := range unitAdmins {
			if err := c.notify(store.Notice{Chat: id, Kind: store.NoticeLowScore, Unit: r.Unit, Response: r.ID, At: c.now}); err != nil {
				return err
			}
		}
	}
	if !res.Valid || res.Respondents < alertMinRespondents {
		return nil
	}
	st, err := c.tx.Band(r.Unit)
	if err != nil {
		return err
	}
	if st.Period != period.Label {
		// A new year, or a unit that has just reached enough respondents:
		// its band is where it starts, not a crossing.
		return c.tx.PutBand(r.Unit, store.BandState{Period: period.Label, Mutu: res.Mutu, Seen: string(res.Mutu)})
	}
	if st.Mutu == res.Mutu {
		return nil
	}
	from := st.Mutu
	fresh := !strings.Contains(st.Seen, string(res.Mutu))
	st.Mutu = res.Mutu
	if fresh {
		st.Seen += string(res.Mutu)
	}
	if err := c.tx.PutBand(r.Unit, st); err != nil || !fresh {
		return err
	}
	c.b.log.Info("mutu band crossed", "unit", r.Unit, "from", string(from), "to", string(res.Mutu))
	to := append(slices.Clone(unitAdmins), c.b.cfg.Admins...)
	slices.Sort(to)
	for _, id := range slices.Compact(to) {
		err := c.notify(store.Notice{Chat: id, Kind: store.NoticeBand, Unit: r.Unit, Period: period.Label, From: from, To: res.Mutu, IKM: res.IKM2, At: c.now})
		if err != nil {
			return err
		}
	}
	return nil
}
