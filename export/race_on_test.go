//go:build race

package export

// raceEnabled is true under go test -race, where drawing and decoding
// images is about ten times slower; long image tests take fewer units.
const raceEnabled = true
