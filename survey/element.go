package survey

// ElementKey names one of the nine SKM elements (unsur). Elements are always
// stored and looked up by key, never by position: published forms disagree on
// whether complaint handling or facilities comes eighth.
type ElementKey string

// The nine elements of PermenPANRB 14/2017, Lampiran, in the regulation's
// list order (a..i).
const (
	Persyaratan ElementKey = "persyaratan"
	Prosedur    ElementKey = "prosedur"
	Waktu       ElementKey = "waktu"
	Biaya       ElementKey = "biaya"
	Produk      ElementKey = "produk"
	Kompetensi  ElementKey = "kompetensi"
	Perilaku    ElementKey = "perilaku"
	Pengaduan   ElementKey = "pengaduan"
	Sarana      ElementKey = "sarana"
)

// Elements lists the nine elements in the order the bot asks them, which is
// the regulation's list order.
var Elements = [NumElements]ElementKey{
	Persyaratan, Prosedur, Waktu, Biaya, Produk, Kompetensi, Perilaku, Pengaduan, Sarana,
}

// NumElements is k in the regulation's formula.
const NumElements = 9

// MinScore and MaxScore bound every element answer: 1 is the worst, 4 the best.
// Nothing is reverse-scored.
const (
	MinScore = 1
	MaxScore = 4
)

// ElementIndex returns the position of key in Elements, or -1 when key is not
// one of the nine.
func ElementIndex(key ElementKey) int {
	for i, k := range Elements {
		if k == key {
			return i
		}
	}
	return -1
}

// Scores holds one respondent's answers, indexed like Elements; 0 means the
// element was not answered. It is an in-memory convenience: encoders write it
// keyed by ElementKey.
type Scores [NumElements]uint8

// Get returns the score given for key, or 0 when it was not answered.
func (s Scores) Get(key ElementKey) uint8 {
	if i := ElementIndex(key); i >= 0 {
		return s[i]
	}
	return 0
}

// Answered reports how many elements have a score.
func (s Scores) Answered() int {
	n := 0
	for _, v := range s {
		if v != 0 {
			n++
		}
	}
	return n
}

// Valid reports whether every score is 0 (unanswered) or within 1..4.
func (s Scores) Valid() bool {
	for _, v := range s {
		if v != 0 && (v < MinScore || v > MaxScore) {
			return false
		}
	}
	return true
}

// officialNames are the unsur names as PermenPANRB 14/2017 prints them;
// units publish under these names.
var officialNames = map[ElementKey]string{
	Persyaratan: "Persyaratan",
	Prosedur:    "Sistem, Mekanisme, dan Prosedur",
	Waktu:       "Waktu Penyelesaian",
	Biaya:       "Biaya/Tarif",
	Produk:      "Produk Spesifikasi Jenis Pelayanan",
	Kompetensi:  "Kompetensi Pelaksana",
	Perilaku:    "Perilaku Pelaksana",
	Pengaduan:   "Penanganan Pengaduan, Saran dan Masukan",
	Sarana:      "Sarana dan Prasarana",
}

// OfficialName is the element's name as the regulation prints it, for
// reports and files that must match the published forms; the chat uses the
// localized names in locales/.
func (k ElementKey) OfficialName() string { return officialNames[k] }
