package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram"
)

func TestGoldenAdminAlerts(t *testing.T) {
	h := golden(t, "admin_alerts")
	err := h.st.View(func(tx *store.Tx) error {
		if ns, _ := tx.Notices(10); len(ns) != 0 {
			t.Errorf("%d notices left in the queue after delivery", len(ns))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// completeDirect stores responses and runs the alerts for each, one after
// the other as conv.complete does, without playing the surveys; all in one
// transaction, so that thousands take a moment.
func completeDirect(t *testing.T, h *harness, rs ...survey.Response) {
	t.Helper()
	err := h.st.Update(func(tx *store.Tx) error {
		c := &conv{b: h.bot, tx: tx, now: h.now, out: &outbox{}, t: h.bot.localizer("id")}
		for _, r := range rs {
			if err := tx.AddResponse(&r, ""); err != nil {
				return err
			}
			year := survey.PeriodOf(survey.PeriodYear, h.now)
			tally, err := tx.Tally(r.Unit, year)
			if err != nil {
				return err
			}
			if err := c.alert(r, year, tally.Result(h.cfg.Weighting)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// newUnitAdminHarness starts a harness in which user 2001 administers unit,
// so that the unit's alerts have a unit admin to reach besides the city
// admin (testAdmin).
func newUnitAdminHarness(t *testing.T, unit string) *harness {
	t.Helper()
	h := newHarness(t)
	err := h.st.Update(func(tx *store.Tx) error {
		_, err := tx.GrantUnit(store.Grant{User: 2001, Unit: unit, By: testAdmin, At: h.now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func allScores(v uint8) survey.Scores {
	var s survey.Scores
	for i := range s {
		s[i] = v
	}
	return s
}

// TestAlertsDeduplicated drives a unit's IKM back and forth across band
// edges with thousands of responses, over a restart, and checks that each
// band entered is told once to each admin, and each 1-with-a-suggestion
// once to the unit's admins only.
func TestAlertsDeduplicated(t *testing.T) {
	h := newUnitAdminHarness(t, "PKM-KRANJI")
	add := func(n int, v uint8, suggestion string) {
		rs := make([]survey.Response, n)
		for i := range rs {
			rs[i] = survey.Response{Unit: "PKM-KRANJI", Submitted: h.now, Source: survey.SourcePaper, Scores: allScores(v), Suggestion: suggestion}
		}
		completeDirect(t, h, rs...)
	}
	add(10, 3, "")  // 75.00 C: the band is set, silently
	for range 200 { // 77.27 B, 75.00 C, ...: B is told once
		add(1, 4, "")
		add(1, 2, "")
	}
	h.restart()          // the dedup state is in the file
	add(290, 1, "")      // down to D: told once
	add(10, 1, "Tolong") // ten complaints with a suggestion, in D
	add(2200, 4, "")     // up through C and B (told already) to A: told once
	counts := map[int64]map[string]int{}
	err := h.st.View(func(tx *store.Tx) error {
		ns, err := tx.Notices(100000)
		for _, n := range ns {
			if counts[n.Chat] == nil {
				counts[n.Chat] = map[string]int{}
			}
			key := n.Kind
			if n.Kind == store.NoticeBand {
				key += ":" + string(n.From) + string(n.To)
			}
			counts[n.Chat][key]++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	bands := map[string]int{"band:CB": 1, "band:CD": 1, "band:BA": 1}
	wantUnit := map[string]int{store.NoticeLowScore: 10}
	for k, v := range bands {
		wantUnit[k] = v
	}
	if got := counts[2001]; !equalCounts(got, wantUnit) {
		t.Errorf("unit admin got %v, want %v", got, wantUnit)
	}
	if got := counts[testAdmin]; !equalCounts(got, bands) {
		t.Errorf("city admin got %v, want %v", got, bands)
	}
	if n := h.bot.DeliverNotices(context.Background()); n != 16 {
		t.Errorf("delivered %d notices, want 16", n)
	}
	sent := 0
	for _, c := range h.srv.Calls() {
		if c.Method == "sendMessage" && (c.Params["chat_id"] == "2001" || c.Params["chat_id"] == "9001") {
			sent++
		}
	}
	if sent != 16 {
		t.Errorf("%d messages reached the admins, want 16", sent)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestAlertsNeverHoldUpRespondents makes the unit admin's chat unable to
// take a message for a long while (the Pacer holds it) and checks
// that respondents are answered at once regardless, that the alert stays
// queued across a restart, and that it goes out once the chat can take it.
func TestAlertsNeverHoldUpRespondents(t *testing.T) {
	h := newUnitAdminHarness(t, "DISDUKCAPIL")
	h.bot.sender.Pace = telegram.NewPacer(0, 0)
	h.bot.sender.Pace.HoldChat(2001, time.Hour) // as a long retry_after for that chat would
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.bot.RunNotices(ctx)
	}()

	budi := h.srv.User(1001, "Budi", "id")
	l := h.bot.localizer("id")
	steps := []string{"/start DISDUKCAPIL", "Lewati »", "Tidak ingin menjawab", "Lewati »", "Lewati »", "Lewati »"}
	for _, e := range survey.Elements {
		steps = append(steps, l.text("element."+string(e)+".s1", nil))
	}
	start := time.Now()
	for i, s := range steps {
		if i == 0 {
			h.bot.Handle(ctx, ptr(budi.Send(s)))
			continue
		}
		upd, err := budi.Tap(s)
		if err != nil {
			t.Fatal(err)
		}
		h.bot.Handle(ctx, &upd)
	}
	h.bot.Handle(ctx, ptr(budi.Send("Antrean kacau")))
	h.bot.Handle(ctx, ptr(budi.Send("/start PKM-KRANJI")))
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the respondent's updates took %v with an admin's chat blocked", took)
	}
	if last := budi.Chat()[len(budi.Chat())-1].Text; !strings.Contains(last, "Apa jenis kelamin") {
		t.Errorf("the respondent's next survey did not start: %q", last)
	}
	time.Sleep(100 * time.Millisecond) // RunNotices is now waiting for the admin's chat
	stop()
	<-done
	for _, c := range h.srv.Calls() {
		if c.Params["chat_id"] == "2001" {
			t.Fatalf("a message reached the blocked admin chat: %v", c)
		}
	}
	h.restart()
	if n := h.bot.DeliverNotices(context.Background()); n != 1 {
		t.Fatalf("after a restart %d notices were delivered, want the 1 still queued", n)
	}
	got := h.srv.Chat(2001)
	if len(got) != 1 || !strings.Contains(got[0].Text, "Antrean kacau") {
		t.Errorf("the unit admin's chat holds %+v, want the alert", got)
	}
}

func ptr[T any](v T) *T { return &v }

// TestAlertForRevokedAdminDropped revokes a unit admin while an alert for
// them waits in the queue: it must not reach them.
func TestAlertForRevokedAdminDropped(t *testing.T) {
	h := newUnitAdminHarness(t, "DISDUKCAPIL")
	completeDirect(t, h, survey.Response{Unit: "DISDUKCAPIL", Submitted: h.now, Source: survey.SourcePaper, Scores: allScores(1), Suggestion: "rahasia"})
	err := h.st.Update(func(tx *store.Tx) error {
		_, err := tx.RevokeUnit(2001, "DISDUKCAPIL")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := h.bot.DeliverNotices(context.Background()); n != 1 {
		t.Errorf("%d notices taken off the queue, want the 1 dropped", n)
	}
	if got := h.srv.Chat(2001); len(got) != 0 {
		t.Errorf("the revoked admin got %+v", got)
	}
}
