package store

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Jakarta even where the host has no zoneinfo

	"github.com/ikmbot/ikmbot/survey"
	bolt "go.etcd.io/bbolt"
)

func jakarta(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// open opens a store in a fresh temp dir and closes it when the test ends.
func open(t testing.TB, opts Options) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "ikmbot.db"), opts)
}

func openAt(t testing.TB, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func update(t testing.TB, s *Store, fn func(tx *Tx) error) {
	t.Helper()
	if err := s.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func view(t testing.TB, s *Store, fn func(tx *Tx) error) {
	t.Helper()
	if err := s.View(fn); err != nil {
		t.Fatal(err)
	}
}

var testUnits = survey.NewCatalog([]survey.Unit{
	{Code: "DISDUKCAPIL", Name: "Dinas Kependudukan dan Pencatatan Sipil", Type: survey.PerangkatDaerah, Services: []string{"KTP", "Akta"}},
	{Code: "PKM-BANTARGEBANG", Name: "Puskesmas Bantargebang", Type: survey.Puskesmas, Services: []string{"Poli Umum"}},
})

// sessionAtStep7 walks a real session through the profile and the first two
// elements, so the stored state is what the bot really produces.
func sessionAtStep7(t *testing.T, unit survey.Unit, start time.Time) *survey.Session {
	t.Helper()
	s, _ := survey.NewSession("3", unit, "resp-hash", start)
	inputs := []survey.Input{
		{Kind: survey.InputChoice, Step: 0, Choice: 1},                 // gender P
		{Kind: survey.InputText, Step: survey.CurrentStep, Text: "35"}, // age
		{Kind: survey.InputChoice, Step: 2, Choice: 4},                 // D4/S1
		{Kind: survey.InputSkip, Step: 3},                              // occupation skipped
		{Kind: survey.InputChoice, Step: 4, Choice: 1},                 // Akta
		{Kind: survey.InputChoice, Step: 5, Choice: 3},                 // persyaratan 4
		{Kind: survey.InputChoice, Step: 6, Choice: 1},                 // prosedur 2
	}
	for i, in := range inputs {
		for _, ev := range s.Apply(start.Add(time.Duration(i+1)*time.Minute), in) {
			if rej, ok := ev.(survey.AnswerRejected); ok {
				t.Fatalf("input %d rejected: %+v", i, rej)
			}
		}
	}
	if s.Step != 7 {
		t.Fatalf("session step = %d, want 7", s.Step)
	}
	return s
}

func TestReopenKeepsEverything(t *testing.T) {
	loc := jakarta(t)
	path := filepath.Join(t.TempDir(), "ikmbot.db")
	opts := Options{Location: loc, Units: testUnits.Unit}
	unit, _ := testUnits.Unit("DISDUKCAPIL")
	start := time.Date(2026, 3, 2, 9, 15, 0, 123456789, loc)

	chats := []Chat{
		{ID: 4242, Lang: "en", QuestionMsg: 17, LastUpdate: 900001, Session: sessionAtStep7(t, unit, start)},
		{ID: -1001234567890, Mode: "search", Pending: "PKM", LastUpdate: 900002},
	}
	rs := []survey.Response{
		{Unit: "DISDUKCAPIL", Submitted: start, Source: survey.SourceTelegram, Respondent: "a",
			Profile: survey.Profile{Gender: "L", Age: 40, Education: "SMA", Occupation: "Swasta", Service: "KTP"},
			Scores:  survey.Scores{4, 3, 3, 2, 4, 4, 3, 1, 2}, Suggestion: "Antrean lebih cepat"},
		{Unit: "PKM-BANTARGEBANG", Submitted: start.Add(26 * time.Hour), Source: survey.SourcePaper,
			Scores: survey.Scores{1, 2, 3, 4, 0, 4, 3, 2, 1}},
	}

	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx *Tx) error {
		for _, c := range chats {
			if err := tx.PutChat(c); err != nil {
				return err
			}
		}
		for i := range rs {
			if err := tx.AddResponse(&rs[i], "2026"); err != nil {
				return err
			}
		}
		return nil
	})
	month := survey.PeriodOf(survey.PeriodMonth, start)
	wantTally, err := s.Tally("DISDUKCAPIL", month)
	if err != nil {
		t.Fatal(err)
	}
	if wantTally.Respondents != 1 {
		t.Fatalf("tally before reopen: %d respondents, want 1", wantTally.Respondents)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, path, opts)
	view(t, s, func(tx *Tx) error {
		for _, want := range chats {
			got, err := tx.Chat(want.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("chat %d after reopen:\n got %+v\nwant %+v", want.ID, got, want)
				if got.Session != nil && want.Session != nil {
					t.Errorf("session:\n got %+v\nwant %+v", *got.Session, *want.Session)
				}
			}
		}
		for _, want := range rs {
			got, err := tx.Response(want.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("response %d after reopen:\n got %+v\nwant %+v", want.ID, got, want)
			}
		}
		id, ok, err := tx.PriorResponse("DISDUKCAPIL", "2026", "a")
		if err != nil || !ok || id != rs[0].ID {
			t.Errorf("PriorResponse after reopen = %d, %v, %v; want %d, true, nil", id, ok, err, rs[0].ID)
		}
		return nil
	})
	got, err := s.Tally("DISDUKCAPIL", month)
	if err != nil {
		t.Fatal(err)
	}
	if got != wantTally {
		t.Errorf("tally after reopen = %+v, want %+v", got, wantTally)
	}
}

func TestSessionUnitUnknownCodeKept(t *testing.T) {
	s := open(t, Options{}) // no Units resolver
	unit, _ := testUnits.Unit("DISDUKCAPIL")
	sess := sessionAtStep7(t, unit, time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC))
	update(t, s, func(tx *Tx) error { return tx.PutChat(Chat{ID: 1, Session: sess}) })
	view(t, s, func(tx *Tx) error {
		c, err := tx.Chat(1)
		if err != nil {
			return err
		}
		if got, want := c.Session.Unit, (survey.Unit{Code: "DISDUKCAPIL"}); !reflect.DeepEqual(got, want) {
			t.Errorf("unit = %+v, want %+v", got, want)
		}
		if got, want := c.Session.Step, 7; got != want {
			t.Errorf("step = %d, want %d", got, want)
		}
		return nil
	})
}

func TestChatAbsentDeleteAndForEach(t *testing.T) {
	s := open(t, Options{})
	view(t, s, func(tx *Tx) error {
		c, err := tx.Chat(99)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(c, Chat{ID: 99}) {
			t.Errorf("absent chat = %+v, want Chat{ID: 99}", c)
		}
		return nil
	})
	update(t, s, func(tx *Tx) error {
		for _, id := range []int64{3, -7, 5} {
			if err := tx.PutChat(Chat{ID: id, LastUpdate: id * id}); err != nil {
				return err
			}
		}
		return tx.DeleteChat(5)
	})
	update(t, s, func(tx *Tx) error { return tx.DeleteChat(5) }) // again: no error
	got := map[int64]uint64{}
	view(t, s, func(tx *Tx) error {
		return tx.ForEachChat(func(c Chat) error { got[c.ID] = uint64(c.LastUpdate); return nil })
	})
	if want := map[int64]uint64{3: 9, -7: 49}; !reflect.DeepEqual(got, want) {
		t.Errorf("chats = %v, want %v", got, want)
	}
}

func TestSecondOpenFailsFastWithFriendlyError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ikmbot.db")
	openAt(t, path, Options{})
	for _, readOnly := range []bool{false, true} {
		// Timing on a shared, loaded machine: one slow attempt is noise; three
		// slow attempts mean Timeout was not applied (the default is 1s).
		var fastest time.Duration
		for attempt := 0; attempt < 3 && (attempt == 0 || fastest >= 900*time.Millisecond); attempt++ {
			start := time.Now()
			s2, err := Open(path, Options{Timeout: 100 * time.Millisecond, ReadOnly: readOnly})
			elapsed := time.Since(start)
			if attempt == 0 || elapsed < fastest {
				fastest = elapsed
			}
			if err == nil {
				s2.Close()
				t.Fatalf("ReadOnly=%v: second Open succeeded while the first is open", readOnly)
			}
			if !errors.Is(err, ErrLocked) {
				t.Errorf("ReadOnly=%v: error %v does not wrap ErrLocked", readOnly, err)
			}
			if got, want := err.Error(), "open "+path+": database is locked: is another ikmbot using this file?"; got != want {
				t.Errorf("ReadOnly=%v: error text\n got %q\nwant %q", readOnly, got, want)
			}
		}
		if fastest >= 900*time.Millisecond {
			t.Errorf("ReadOnly=%v: second Open took %v at best, want about 100ms", readOnly, fastest)
		}
	}
	// The zero Timeout means the 1s default, not bbolt's "wait forever".
	start := time.Now()
	if s2, err := Open(path, Options{}); !errors.Is(err, ErrLocked) {
		if err == nil {
			s2.Close()
		}
		t.Errorf("Open with default Timeout: error = %v, want ErrLocked", err)
	}
	if elapsed := time.Since(start); elapsed < 900*time.Millisecond {
		t.Errorf("Open with default Timeout gave up after %v, want about 1s", elapsed)
	}
}

func TestOpenRefusesGarbage(t *testing.T) {
	dir := t.TempDir()
	noise := make([]byte, 64<<10)
	rand.Read(noise)
	for name, content := range map[string][]byte{
		"random.db": noise,
		"short.db":  noise[:100],
		"text.db":   []byte(strings.Repeat("token: 123456:ABC\nunits: []\n", 400)),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, Options{Timeout: 100 * time.Millisecond})
		if err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded on garbage", name)
			continue
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not an ikmbot database") {
			t.Errorf("%s: error %q should name the path and say it is not an ikmbot database", name, err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, content) {
			t.Errorf("%s: failed Open modified the file", name)
		}
	}
}

func TestOpenRefusesForeignBoltFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("widgets"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `not an ikmbot database: it has a "widgets" bucket`) {
		t.Errorf("Open(foreign bbolt file) error = %v", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ikmbot.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyVersion, []byte(strconv.Itoa(schemaVersion+1)))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, readOnly := range []bool{false, true} {
		s, err := Open(path, Options{ReadOnly: readOnly})
		if err == nil {
			s.Close()
		}
		want := fmt.Sprintf("open %s: schema version %d was made by a newer ikmbot (this one reads version %d)", path, schemaVersion+1, schemaVersion)
		if err == nil || err.Error() != want {
			t.Errorf("ReadOnly=%v: Open(newer schema) error\n got %v\nwant %s", readOnly, err, want)
		}
	}
}

func TestNewFileHasVersionAndMode0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ikmbot.db")
	s := openAt(t, path, Options{})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("file mode = %v, want 0600", got)
	}
	if got := s.Path(); got != path {
		t.Errorf("Path() = %q, want %q", got, path)
	}
	view(t, s, func(tx *Tx) error {
		if got, want := string(tx.tx.Bucket(bucketMeta).Get(keyVersion)), strconv.Itoa(schemaVersion); got != want {
			t.Errorf("meta/version = %q, want %q", got, want)
		}
		return nil
	})
}

func TestReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ikmbot.db")
	if _, err := Open(path, Options{ReadOnly: true}); err == nil {
		t.Error("ReadOnly Open of a missing file succeeded")
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := testResponse("U1", time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), survey.Scores{4, 4, 4, 4, 4, 4, 4, 4, 4})
	update(t, s, func(tx *Tx) error { return tx.AddResponse(&r, "") })
	s.Close()

	ro1 := openAt(t, path, Options{ReadOnly: true, Timeout: 100 * time.Millisecond})
	ro2 := openAt(t, path, Options{ReadOnly: true, Timeout: 100 * time.Millisecond}) // readers share the lock
	for _, ro := range []*Store{ro1, ro2} {
		got, err := ro.Tally("U1", survey.PeriodOf(survey.PeriodYear, r.Submitted))
		if err != nil || got.Respondents != 1 {
			t.Errorf("read-only Tally = %+v, %v; want 1 respondent", got, err)
		}
	}
	if err := ro1.Update(func(tx *Tx) error { return tx.PutChat(Chat{ID: 1}) }); err == nil {
		t.Error("Update on a read-only store succeeded")
	}
}

func TestRecordFormat(t *testing.T) {
	r := survey.Response{
		Unit: "U1", Submitted: time.Date(2026, 2, 1, 0, 30, 0, 0, jakarta(t)), Source: survey.SourceTelegram,
		Respondent: "h", Profile: survey.Profile{Gender: "P", Age: 30},
		Scores: survey.Scores{4, 3, 2, 1, 0, 1, 2, 3, 4},
	}
	got, err := encodeResponse(r, "2026")
	if err != nil {
		t.Fatal(err)
	}
	// Element keys, not positions; UTC; unanswered elements absent.
	want := `{"unit":"U1","at":"2026-01-31T17:30:00Z","src":"telegram","who":"h","win":"2026","prof":{"sex":"P","age":30},` +
		`"scores":{"biaya":1,"kompetensi":1,"pengaduan":3,"perilaku":2,"persyaratan":4,"prosedur":3,"sarana":4,"waktu":2}}`
	if string(got) != want {
		t.Errorf("record\n got %s\nwant %s", got, want)
	}
}

func TestDecodeRefusesUnknownElement(t *testing.T) {
	s := open(t, Options{})
	update(t, s, func(tx *Tx) error {
		return tx.tx.Bucket(bucketResponses).Put(u64key(7), []byte(`{"unit":"U1","at":"2026-01-01T00:00:00Z","scores":{"persyaratan":4,"keamanan":3}}`))
	})
	err := s.View(func(tx *Tx) error {
		_, err := tx.Response(7)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), `unknown element "keamanan"`) {
		t.Errorf("Response with unknown element: error = %v", err)
	}
	if err := s.Update(func(tx *Tx) error { return tx.RebuildAggregates() }); err == nil {
		t.Error("RebuildAggregates over an undecodable response succeeded")
	}
}

func testResponse(unit string, at time.Time, scores survey.Scores) survey.Response {
	return survey.Response{Unit: unit, Submitted: at, Source: survey.SourcePaper, Scores: scores}
}

// randomResponses spreads n responses over units and the two years 2025 and
// 2026. Half fall within half an hour of midnight WIB, where a day key taken
// in UTC instead of Asia/Jakarta would land on the wrong day (and, at month
// ends, in the wrong month). Times are returned in UTC so that the store, not
// the input, has to supply the calendar.
func randomResponses(rng *mrand.Rand, n int, units []string, loc *time.Location) []survey.Response {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, loc)
	rs := make([]survey.Response, n)
	for i := range rs {
		day := base.AddDate(0, 0, rng.IntN(730))
		var at time.Time
		if rng.IntN(2) == 0 {
			at = day.Add(time.Duration(rng.IntN(int(time.Hour))) - 30*time.Minute) // 23:30..00:30 WIB
		} else {
			at = day.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
		}
		var sc survey.Scores
		for e := range sc {
			if rng.IntN(20) != 0 { // paper forms leave an element blank now and then
				sc[e] = uint8(1 + rng.IntN(4))
			}
		}
		rs[i] = testResponse(units[rng.IntN(len(units))], at.UTC(), sc)
	}
	return rs
}

// directTally recomputes a tally from responses, judging periods by
// Period.Contains instead of by bucket keys.
func directTally(rs []survey.Response, unit string, p survey.Period) survey.Tally {
	var t survey.Tally
	for _, r := range rs {
		if r.Unit == unit && p.Contains(r.Submitted) {
			t.Add(r.Scores)
		}
	}
	return t
}

func testPeriods(t testing.TB, loc *time.Location) []survey.Period {
	t.Helper()
	var ps []survey.Period
	for _, label := range []string{
		"2025", "2026", "2026-S1", "2025-Q4", "2026-Q1", "2025-02", "2026-12",
		"2025-01-15..2025-03-10", "2025-12-20..2026-01-05", "2026-02-01..2026-02-01",
		"2024-06-01..2027-06-30",
	} {
		p, err := survey.ParsePeriod(label, loc)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

func TestTallyMatchesDirectRecomputation(t *testing.T) {
	loc := jakarta(t)
	units := []string{"DISDUKCAPIL", "RSUD-CAM", "PKM-A", "PKM-B", "PKM-C"}
	rs := randomResponses(mrand.New(mrand.NewPCG(1, 2)), 3000, units, loc)
	s := open(t, Options{Location: loc, NoSync: true})
	update(t, s, func(tx *Tx) error {
		for i := range rs {
			if err := tx.AddResponse(&rs[i], ""); err != nil {
				return err
			}
		}
		return nil
	})
	checkTallies(t, s, rs, units, testPeriods(t, loc))
}

func checkTallies(t *testing.T, s *Store, rs []survey.Response, units []string, periods []survey.Period) {
	t.Helper()
	nonEmpty := 0
	for _, unit := range units {
		for _, p := range periods {
			got, err := s.Tally(unit, p)
			if err != nil {
				t.Fatal(err)
			}
			want := directTally(rs, unit, p)
			if got != want {
				t.Errorf("Tally(%s, %s):\n got %+v\nwant %+v", unit, p, got, want)
			}
			if want.Respondents > 0 {
				nonEmpty++
			}
		}
	}
	if nonEmpty < len(units)*len(periods)*2/3 {
		t.Errorf("only %d of %d tallies are non-empty; the test data is too thin to prove anything", nonEmpty, len(units)*len(periods))
	}
}

func TestDayKeysUseLocation(t *testing.T) {
	loc := jakarta(t)
	// 23:30 WIB on 31 January and 00:30 WIB on 1 February are both still
	// 31 January in UTC.
	jan := testResponse("U1", time.Date(2026, 1, 31, 23, 30, 0, 0, loc).UTC(), survey.Scores{1, 1, 1, 1, 1, 1, 1, 1, 1})
	feb := testResponse("U1", time.Date(2026, 2, 1, 0, 30, 0, 0, loc).UTC(), survey.Scores{4, 4, 4, 4, 4, 4, 4, 4, 4})
	for _, tc := range []struct {
		loc                 *time.Location
		wantJan, wantFeb    int
		wantFirstOfFebruary int
	}{
		{loc, 1, 1, 1},
		{time.UTC, 2, 0, 0},
	} {
		s := open(t, Options{Location: tc.loc})
		update(t, s, func(tx *Tx) error {
			a, b := jan, feb
			return errors.Join(tx.AddResponse(&a, ""), tx.AddResponse(&b, ""))
		})
		for _, c := range []struct {
			label string
			want  int
		}{
			{"2026-01", tc.wantJan}, {"2026-02", tc.wantFeb}, {"2026-02-01..2026-02-01", tc.wantFirstOfFebruary},
		} {
			p, err := survey.ParsePeriod(c.label, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Tally("U1", p)
			if err != nil {
				t.Fatal(err)
			}
			if got.Respondents != c.want {
				t.Errorf("Location %s: Tally(%s) = %d respondents, want %d", tc.loc, c.label, got.Respondents, c.want)
			}
		}
	}
}

func TestReplaceResponseMovesFigures(t *testing.T) {
	loc := jakarta(t)
	s := open(t, Options{Location: loc})
	ones := survey.Scores{1, 1, 1, 1, 1, 1, 1, 1, 1}
	fours := survey.Scores{4, 4, 4, 4, 4, 4, 4, 4, 4}
	old := testResponse("U1", time.Date(2026, 1, 10, 9, 0, 0, 0, loc), ones)
	old.Respondent = "h1"
	other := testResponse("U1", time.Date(2026, 1, 10, 10, 0, 0, 0, loc), fours) // another person, same day
	other.Respondent = "h2"
	lastYear := testResponse("U1", time.Date(2025, 6, 1, 9, 0, 0, 0, loc), ones)
	lastYear.Respondent = "h1"
	update(t, s, func(tx *Tx) error {
		return errors.Join(tx.AddResponse(&old, "2026"), tx.AddResponse(&other, "2026"), tx.AddResponse(&lastYear, "2025"))
	})

	// A second plain AddResponse for the same person, unit and window is refused.
	dup := testResponse("U1", time.Date(2026, 3, 5, 9, 0, 0, 0, loc), fours)
	dup.Respondent = "h1"
	if err := s.Update(func(tx *Tx) error { return tx.AddResponse(&dup, "2026") }); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate AddResponse error = %v, want ErrDuplicate", err)
	}

	newer := dup
	update(t, s, func(tx *Tx) error {
		id, ok, err := tx.PriorResponse("U1", "2026", "h1")
		if err != nil || !ok || id != old.ID {
			t.Errorf("PriorResponse(2026) = %d, %v, %v; want %d, true", id, ok, err, old.ID)
		}
		return tx.ReplaceResponse(id, &newer, "2026")
	})

	jan, _ := survey.ParsePeriod("2026-01", loc)
	mar, _ := survey.ParsePeriod("2026-03", loc)
	day, _ := survey.ParsePeriod("2026-01-10..2026-01-10", loc)
	year, _ := survey.ParsePeriod("2026", loc)
	var wantJan, wantMar, wantYear survey.Tally
	wantJan.Add(fours) // only h2 is left in January
	wantMar.Add(fours)
	wantYear.Add(fours)
	wantYear.Add(fours)
	for _, c := range []struct {
		p    survey.Period
		want survey.Tally
	}{{jan, wantJan}, {day, wantJan}, {mar, wantMar}, {year, wantYear}} {
		got, err := s.Tally("U1", c.p)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("after replace, Tally(%s) = %+v, want %+v", c.p, got, c.want)
		}
	}

	view(t, s, func(tx *Tx) error {
		if _, err := tx.Response(old.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("old response: error = %v, want ErrNotFound", err)
		}
		if got, err := tx.Response(newer.ID); err != nil || got.Scores != fours {
			t.Errorf("new response = %+v, %v", got, err)
		}
		for _, c := range []struct {
			unit, window, who string
			want              uint64
			ok                bool
		}{
			{"U1", "2026", "h1", newer.ID, true},
			{"U1", "2025", "h1", lastYear.ID, true}, // the other window is untouched
			{"U1", "2024", "h1", 0, false},
			{"U2", "2026", "h1", 0, false},
			{"U1", "2026", "h3", 0, false},
			{"U1", "2026", "h2", other.ID, true},
		} {
			id, ok, err := tx.PriorResponse(c.unit, c.window, c.who)
			if err != nil || ok != c.ok || id != c.want {
				t.Errorf("PriorResponse(%s, %s, %s) = %d, %v, %v; want %d, %v", c.unit, c.window, c.who, id, ok, err, c.want, c.ok)
			}
		}
		complete, _, err := tx.CountResponses()
		if err != nil || complete != 3 {
			t.Errorf("CountResponses complete = %d, %v; want 3", complete, err)
		}
		return nil
	})

	if err := s.Update(func(tx *Tx) error { return tx.ReplaceResponse(old.ID, &dup, "2026") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("replacing a deleted response: error = %v, want ErrNotFound", err)
	}
}

func TestReplaceRefusesDamagedAggregates(t *testing.T) {
	s := open(t, Options{})
	r := testResponse("U1", time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC), survey.Scores{1, 1, 1, 1, 1, 1, 1, 1, 1})
	update(t, s, func(tx *Tx) error { return tx.AddResponse(&r, "") })
	update(t, s, func(tx *Tx) error { return tx.tx.DeleteBucket(bucketAgg) })
	r2 := r
	err := s.Update(func(tx *Tx) error { return tx.ReplaceResponse(r.ID, &r2, "") })
	if err == nil || !strings.Contains(err.Error(), "RebuildAggregates") {
		t.Errorf("replace over a missing aggregate: error = %v, want one that points to RebuildAggregates", err)
	}
}

func TestIncompleteNeverMovesTally(t *testing.T) {
	loc := jakarta(t)
	units := []string{"U1", "U2"}
	rs := randomResponses(mrand.New(mrand.NewPCG(3, 4)), 200, units, loc)
	s := open(t, Options{Location: loc, NoSync: true})
	update(t, s, func(tx *Tx) error {
		for i := range rs {
			if err := tx.AddResponse(&rs[i], ""); err != nil {
				return err
			}
		}
		return nil
	})
	periods := testPeriods(t, loc)
	before := map[string]survey.Tally{}
	for _, u := range units {
		for _, p := range periods {
			before[u+p.Label], _ = s.Tally(u, p)
		}
	}
	partials := randomResponses(mrand.New(mrand.NewPCG(5, 6)), 100, units, loc)
	update(t, s, func(tx *Tx) error {
		for _, r := range partials {
			r.Respondent = "someone"
			if err := tx.AddIncomplete(r); err != nil {
				return err
			}
		}
		return nil
	})
	for _, u := range units {
		for _, p := range periods {
			if got, _ := s.Tally(u, p); got != before[u+p.Label] {
				t.Errorf("Tally(%s, %s) moved after AddIncomplete: %+v, was %+v", u, p, got, before[u+p.Label])
			}
		}
	}
	view(t, s, func(tx *Tx) error {
		complete, incomplete, err := tx.CountResponses()
		if err != nil || complete != 200 || incomplete != 100 {
			t.Errorf("CountResponses = %d, %d, %v; want 200, 100", complete, incomplete, err)
		}
		n := 0
		err = tx.ForEachIncomplete(func(r survey.Response) error {
			if r.Scores != partials[n].Scores || !r.Submitted.Equal(partials[n].Submitted) {
				t.Errorf("incomplete %d = %+v, want %+v", n, r, partials[n])
			}
			n++
			return nil
		})
		if n != 100 {
			t.Errorf("ForEachIncomplete saw %d, want 100", n)
		}
		return err
	})
}

// dump copies a bucket tree into a map of path -> value, for comparing whole
// buckets.
func dump(t *testing.T, s *Store, name []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(prefix string, b *bolt.Bucket) error
	walk = func(prefix string, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(prefix+string(k)+"/", b.Bucket(k))
			}
			out[prefix+string(k)] = string(v)
			return nil
		})
	}
	view(t, s, func(tx *Tx) error { return walk("", tx.tx.Bucket(name)) })
	return out
}

func TestRebuildAggregatesRestoresTallies(t *testing.T) {
	loc := jakarta(t)
	units := []string{"U1", "U2", "U3"}
	rng := mrand.New(mrand.NewPCG(7, 8))
	rs := randomResponses(rng, 1500, units, loc)
	s := open(t, Options{Location: loc, NoSync: true})
	update(t, s, func(tx *Tx) error {
		for i := range rs {
			rs[i].Respondent = fmt.Sprintf("h%d", i%400)
			window := fmt.Sprint(rs[i].Submitted.In(loc).Year())
			if err := addOrReplace(tx, &rs[i], window); err != nil {
				return err
			}
		}
		return nil
	})
	var kept []survey.Response
	view(t, s, func(tx *Tx) error {
		return tx.ForEachResponse(func(r survey.Response) error { kept = append(kept, r); return nil })
	})
	if len(kept) >= len(rs) || len(kept) < 500 {
		t.Fatalf("%d of %d responses kept; replacements should have removed some", len(kept), len(rs))
	}
	periods := testPeriods(t, loc)
	checkTallies(t, s, kept, units, periods)
	wantAgg, wantResp := dump(t, s, bucketAgg), dump(t, s, bucketRespondents)

	// Damage: one tally rewritten, one unit's aggregates gone, one index entry wrong.
	update(t, s, func(tx *Tx) error {
		agg := tx.tx.Bucket(bucketAgg)
		bogus, _ := encodeTally(survey.Tally{Respondents: 12345})
		month := survey.MonthKey(kept[0].Submitted.In(loc))
		if err := agg.Bucket([]byte(kept[0].Unit)).Put([]byte(month), bogus); err != nil {
			return err
		}
		if err := agg.DeleteBucket([]byte("U2")); err != nil {
			return err
		}
		return tx.putRespondent("U3", "2026", "h1", 999999)
	})
	if got := dump(t, s, bucketAgg); reflect.DeepEqual(got, wantAgg) {
		t.Fatal("damage did not change agg/")
	}
	update(t, s, func(tx *Tx) error { return tx.RebuildAggregates() })
	if got := dump(t, s, bucketAgg); !reflect.DeepEqual(got, wantAgg) {
		t.Errorf("agg/ after rebuild differs: %d keys, want %d", len(got), len(wantAgg))
	}
	if got := dump(t, s, bucketRespondents); !reflect.DeepEqual(got, wantResp) {
		t.Errorf("respondents/ after rebuild differs: %d keys, want %d", len(got), len(wantResp))
	}
	checkTallies(t, s, kept, units, periods)

	// Deleting agg/ outright is repaired too.
	update(t, s, func(tx *Tx) error { return tx.tx.DeleteBucket(bucketAgg) })
	update(t, s, func(tx *Tx) error { return tx.RebuildAggregates() })
	if got := dump(t, s, bucketAgg); !reflect.DeepEqual(got, wantAgg) {
		t.Errorf("agg/ rebuilt from nothing differs: %d keys, want %d", len(got), len(wantAgg))
	}
}

func TestSeenUpdateIdempotencyAndPruning(t *testing.T) {
	s := open(t, Options{NoSync: true})
	t0 := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)

	// The handler pattern: effects and MarkUpdate in one transaction.
	handled := 0
	handle := func(updateID int64, now time.Time) {
		t.Helper()
		update(t, s, func(tx *Tx) error {
			if seen, err := tx.SeenUpdate(updateID); err != nil || seen {
				return err
			}
			c, err := tx.Chat(1)
			if err != nil {
				return err
			}
			c.LastUpdate++
			return errors.Join(tx.PutChat(c), tx.MarkUpdate(updateID, now))
		})
	}
	for id := int64(1000); id < 1100; id++ {
		handle(id, t0.Add(time.Duration(id-1000)*time.Second))
		handled++
	}
	handle(1042, t0.Add(time.Hour)) // redelivered: no effect
	view(t, s, func(tx *Tx) error {
		c, _ := tx.Chat(1)
		if c.LastUpdate != int64(handled) {
			t.Errorf("chat seq = %d after %d distinct updates and one repeat, want %d", c.LastUpdate, handled, handled)
		}
		for _, c := range []struct {
			id   int64
			want bool
		}{{999, false}, {1000, true}, {1099, true}, {1100, false}} {
			if got, err := tx.SeenUpdate(c.id); err != nil || got != c.want {
				t.Errorf("SeenUpdate(%d) = %v, %v; want %v", c.id, got, err, c.want)
			}
		}
		return nil
	})

	count := func() int {
		n := 0
		view(t, s, func(tx *Tx) error { n = tx.tx.Bucket(bucketUpdates).Stats().KeyN; return nil })
		return n
	}
	// 47 hours later nothing is old enough to forget.
	update(t, s, func(tx *Tx) error { return tx.MarkUpdate(2000, t0.Add(47*time.Hour)) })
	if got := count(); got != 101 {
		t.Errorf("after a mark at +47h: %d entries, want 101 (none pruned)", got)
	}
	// Past 48 hours each mark prunes a bounded batch.
	later := t0.Add(49 * time.Hour)
	update(t, s, func(tx *Tx) error { return tx.MarkUpdate(2001, later) })
	if got, want := count(), 102-pruneScan; got != want {
		t.Errorf("after one mark at +49h: %d entries, want %d", got, want)
	}
	for id := int64(2002); id < 2020; id++ {
		update(t, s, func(tx *Tx) error { return tx.MarkUpdate(id, later) })
	}
	view(t, s, func(tx *Tx) error {
		for _, c := range []struct {
			id   int64
			want bool
		}{{1000, false}, {1099, false}, {2000, true}, {2019, true}} {
			if got, _ := tx.SeenUpdate(c.id); got != c.want {
				t.Errorf("after pruning, SeenUpdate(%d) = %v, want %v", c.id, got, c.want)
			}
		}
		return nil
	})
	if got := count(); got != 20 {
		t.Errorf("after pruning: %d entries, want 20 (the ones marked at +47h and +49h)", got)
	}
}
