package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// BenchmarkDecodeResponse is the cost per record of every scan of
// responses/: RebuildAggregates, exports, verification.
func BenchmarkDecodeResponse(b *testing.B) {
	r := survey.Response{
		Unit: "PKM-KALIABANGTGH", Submitted: time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC), Source: survey.SourceTelegram,
		Respondent: fmt.Sprintf("%032x", 12345), Scores: survey.Scores{4, 3, 3, 4, 3, 3, 4, 2, 3},
		Profile: survey.Profile{Gender: "P", Age: 34, Education: "D4/S1", Occupation: "Swasta", Service: "Poli Umum"},
	}
	data, err := encodeResponse(r, "2026")
	if err != nil {
		b.Fatal(err)
	}
	s := &Store{opts: Options{Location: time.UTC}}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := s.decodeResponse(1, data); err != nil {
			b.Fatal(err)
		}
	}
}
