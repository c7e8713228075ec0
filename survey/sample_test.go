package survey

import (
	"math"
	"testing"
)

func TestSampleSize(t *testing.T) {
	tests := []struct {
		population, want int
	}{
		// Every row SKM.md quotes from the Krejcie and Morgan table.
		{10, 10},
		{15, 14}, // rounding up would give 15
		{50, 44},
		{100, 80},
		{200, 132},
		{500, 217},
		{1000, 278},
		{2000, 322},
		{5000, 357},
		{10000, 370},
		{20000, 377},
		{50000, 381},
		{1000000, 384},
		// Edges.
		{0, 0},
		{-5, 0},
		{1, 1},
		{2, 2},
		{math.MaxInt32, 384},
		{math.MaxInt, 384},
	}
	for _, tt := range tests {
		if got := SampleSize(tt.population); got != tt.want {
			t.Errorf("SampleSize(%d) = %d, want %d", tt.population, got, tt.want)
		}
	}
}

// TestSampleSizeFormula checks the exact integer arithmetic against the
// formula as printed, and the properties a target must have.
func TestSampleSizeFormula(t *testing.T) {
	prev := 0
	for n := 1; n <= 300000; n++ {
		f := 3.841 * float64(n) * 0.25 / (0.0025*float64(n-1) + 3.841*0.25)
		got := SampleSize(n)
		if want := int(math.Round(f)); got != want {
			t.Fatalf("SampleSize(%d) = %d, want %d (formula %v)", n, got, want, f)
		}
		if got > n {
			t.Fatalf("SampleSize(%d) = %d, more than the population", n, got)
		}
		if got < prev {
			t.Fatalf("SampleSize(%d) = %d, less than SampleSize(%d) = %d", n, got, n-1, prev)
		}
		prev = got
	}
}

func TestAgeBand(t *testing.T) {
	tests := []struct {
		age  int
		want string
	}{
		{-1, ""},
		{0, ""},
		{10, "<20"},
		{19, "<20"},
		{20, "20-29"},
		{29, "20-29"},
		{30, "30-39"},
		{39, "30-39"},
		{40, "40-49"},
		{49, "40-49"},
		{50, "50-59"},
		{59, "50-59"},
		{60, "60+"},
		{120, "60+"},
	}
	for _, tt := range tests {
		if got := AgeBand(tt.age); got != tt.want {
			t.Errorf("AgeBand(%d) = %q, want %q", tt.age, got, tt.want)
		}
	}
}
