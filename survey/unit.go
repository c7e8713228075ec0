package survey

import (
	"sort"
	"strings"
)

// UnitType groups service units for reports. The three built-in types are the
// ones Kota Bekasi reports on; a city's config may add more.
type UnitType string

// Built-in unit types.
const (
	PerangkatDaerah UnitType = "perangkat_daerah"
	RSUD            UnitType = "rsud"
	Puskesmas       UnitType = "puskesmas"
)

// Unit is one public service unit (unit penyelenggara pelayanan publik) that
// runs its own SKM.
type Unit struct {
	Code     string   // short, stable, [A-Za-z0-9_-]; used in deep links and reports
	Name     string   // official name, e.g. "Dinas Kependudukan dan Pencatatan Sipil"
	Type     UnitType // e.g. Puskesmas
	Area     string   // optional: kecamatan or other area, for pickers and reports
	Services []string // services a respondent may have received; "other" is always offered too
	Users    int      // service users per year, for the sample target; 0 = unknown
	// Extras are the questionnaires asked after the SKM elements (SPKP,
	// SPAK), with the city's settings, in the order of Questionnaires;
	// none for most units.
	Extras []Extra
}

// Catalog is the set of configured units, looked up by code without regard to
// case. It is immutable once built.
type Catalog struct {
	units  []Unit
	byCode map[string]int
	types  []UnitType
}

// NewCatalog builds a catalog. Units keep the given order; types lists every
// unit type in order of first appearance unless order is given.
func NewCatalog(units []Unit, typeOrder ...UnitType) *Catalog {
	c := &Catalog{units: append([]Unit(nil), units...), byCode: make(map[string]int, len(units))}
	for i, u := range c.units {
		c.byCode[strings.ToUpper(u.Code)] = i
	}
	seen := map[UnitType]bool{}
	for _, t := range typeOrder {
		if !seen[t] {
			seen[t] = true
			c.types = append(c.types, t)
		}
	}
	for _, u := range c.units {
		if !seen[u.Type] {
			seen[u.Type] = true
			c.types = append(c.types, u.Type)
		}
	}
	return c
}

// Units returns every unit in configured order. The slice must not be modified.
func (c *Catalog) Units() []Unit { return c.units }

// Len returns the number of units.
func (c *Catalog) Len() int { return len(c.units) }

// Unit looks a unit up by code, ignoring case.
func (c *Catalog) Unit(code string) (Unit, bool) {
	i, ok := c.byCode[strings.ToUpper(code)]
	if !ok {
		return Unit{}, false
	}
	return c.units[i], true
}

// Types returns the unit types in display order.
func (c *Catalog) Types() []UnitType { return c.types }

// OfType returns the units of type t, in configured order.
func (c *Catalog) OfType(t UnitType) []Unit {
	var out []Unit
	for _, u := range c.units {
		if u.Type == t {
			out = append(out, u)
		}
	}
	return out
}

// Search returns the units whose code or name contains every word of query,
// ignoring case, best matches (code equal, then name prefix) first.
func (c *Catalog) Search(query string) []Unit {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return nil
	}
	type hit struct {
		u    Unit
		rank int
		pos  int
	}
	var hits []hit
	for i, u := range c.units {
		hay := strings.ToLower(u.Code + " " + u.Name + " " + u.Area)
		all := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		rank := 2
		switch q := strings.ToLower(strings.Join(words, " ")); {
		case strings.ToLower(u.Code) == q:
			rank = 0
		case strings.HasPrefix(strings.ToLower(u.Name), q):
			rank = 1
		}
		hits = append(hits, hit{u, rank, i})
	}
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].rank != hits[b].rank {
			return hits[a].rank < hits[b].rank
		}
		return hits[a].pos < hits[b].pos
	})
	out := make([]Unit, len(hits))
	for i, h := range hits {
		out[i] = h.u
	}
	return out
}

// TypeName is the printed name of a unit type: names maps extra types (from
// the config) to their names; the built-in types are named as Kota Bekasi's
// reports name them.
func TypeName(t UnitType, names map[UnitType]string) string {
	if n := names[t]; n != "" {
		return n
	}
	switch t {
	case PerangkatDaerah:
		return "Perangkat Daerah"
	case RSUD:
		return "RSUD"
	case Puskesmas:
		return "Puskesmas"
	}
	return string(t)
}
