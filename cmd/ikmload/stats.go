package main

import (
	"math/bits"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// subBits sets the histogram's resolution: 2^subBits linear buckets per
// power of two, so a reported percentile is within about 3% of the truth.
const subBits = 5

// latency is a histogram of durations that many goroutines may add to at
// once without a lock, in constant memory however long the run.
type latency struct {
	counts [(64 - subBits + 1) << subBits]atomic.Uint64
	n, max atomic.Uint64
}

func bucketOf(v uint64) int {
	if v < 1<<subBits {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1
	return (shift+1)<<subBits + int(v>>shift) - 1<<subBits
}

// bucketMid is a representative value of bucket i: the middle of its range.
func bucketMid(i int) uint64 {
	if i < 1<<subBits {
		return uint64(i)
	}
	shift := i>>subBits - 1
	lo := uint64(i&(1<<subBits-1)+1<<subBits) << shift
	return lo + (uint64(1)<<shift)/2
}

func (h *latency) add(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucketOf(v)].Add(1)
	h.n.Add(1)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// quantile returns the duration below which a fraction q of the samples lie.
func (h *latency) quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return time.Duration(min(bucketMid(i), h.max.Load()))
		}
	}
	return time.Duration(h.max.Load())
}

// latencySummary is a histogram's percentiles in milliseconds.
type latencySummary struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

func (h *latency) summary() *latencySummary {
	if h.n.Load() == 0 {
		return nil
	}
	return &latencySummary{
		Count: int64(h.n.Load()),
		P50:   ms(h.quantile(0.50)), P95: ms(h.quantile(0.95)), P99: ms(h.quantile(0.99)),
		Max: ms(time.Duration(h.max.Load())),
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// memory is a process's resident memory from /proc/PID/status, in bytes:
// the peak (VmHWM), and the peaks seen of its two parts: anonymous memory
// (the Go heap and stacks) and file-backed pages (the program's code and,
// for the bot, the database pages bbolt's mmap has touched: page cache the
// kernel may reclaim and that other processes share).
type memory struct {
	Peak int64 `json:"peak_rss_bytes"`
	Anon int64 `json:"peak_anon_bytes"`
	File int64 `json:"peak_file_bytes"`
}

// sample reads pid's status ("self" for this process) and raises the peaks.
func (m *memory) sample(pid string) {
	data, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		name, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch name {
		case "VmHWM":
			m.Peak = max(m.Peak, kb<<10)
		case "RssAnon":
			m.Anon = max(m.Anon, kb<<10)
		case "RssFile":
			m.File = max(m.File, kb<<10)
		}
	}
}

// cpuTime returns the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return rusageCPU(&ru)
}

func rusageCPU(ru *syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
