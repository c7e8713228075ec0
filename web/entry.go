package web

import (
	"errors"
	"net/http"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// entry is how a browser came to a unit's survey: which QR code. It is
// what the chat's deep link says, read by the same signatures, poster
// versions and counter keys.
type entry struct {
	unit    survey.Unit
	via     survey.Via
	version int // poster version; 0 for an unsigned link or a counter code
}

// refusal says why a landing link opens no survey of its own: the message
// and status of the page. When unit is set, the page still offers that
// unit's survey, unverified (a stale or forged counter code: the person
// most likely stands at that counter).
type refusal struct {
	id     string
	status int
	unit   survey.Unit
}

// resolve reads a landing payload inside tx, so that a revocation of
// posters or a new counter key applies to the next page, without a restart.
func (s *Server) resolve(tx *store.Tx, payload string) (entry, *refusal, error) {
	if deeplink.LooksCounter(payload) {
		return s.resolveCounter(tx, payload)
	}
	p, err := deeplink.VerifyPayload(s.cfg.Secret, payload)
	switch {
	case errors.Is(err, deeplink.ErrPayloadInvalid):
		return entry{}, &refusal{id: "web.error.unknown_unit", status: http.StatusNotFound}, nil
	case errors.Is(err, deeplink.ErrPayloadForged):
		return entry{}, &refusal{id: "web.error.forged", status: http.StatusBadRequest}, nil
	case err != nil:
		return entry{}, nil, err
	}
	u, ok := s.cfg.Catalog.Unit(p.Code)
	if !ok {
		return entry{}, &refusal{id: "web.error.unknown_unit", status: http.StatusNotFound}, nil
	}
	if !p.Signed {
		if s.cfg.SignedLinksOnly {
			return entry{}, &refusal{id: "web.error.unsigned", status: http.StatusGone}, nil
		}
		return entry{unit: u, via: survey.ViaPlainLink}, nil, nil
	}
	current, err := tx.PosterVersion(u.Code)
	if err != nil {
		return entry{}, nil, err
	}
	e := entry{unit: u, via: survey.ViaPoster, version: p.Version}
	if p.Version < current {
		e.via = survey.ViaOldPoster
	}
	return e, nil, nil
}

func (s *Server) resolveCounter(tx *store.Tx, payload string) (entry, *refusal, error) {
	key := func(code string) ([]byte, error) {
		gen := 1
		if u, ok := s.cfg.Catalog.Unit(code); ok {
			g, err := tx.CounterKeyGeneration(u.Code)
			if err != nil {
				return nil, err
			}
			gen = g
		}
		return deeplink.CounterKey(s.cfg.Secret, code, gen), nil
	}
	code, err := deeplink.VerifyCounter(payload, s.now(), key)
	switch {
	case errors.Is(err, deeplink.ErrPayloadInvalid):
		return entry{}, &refusal{id: "web.error.unknown_unit", status: http.StatusNotFound}, nil
	case err != nil && !errors.Is(err, deeplink.ErrPayloadForged) && !errors.Is(err, deeplink.ErrCounterStale):
		return entry{}, nil, err
	}
	u, ok := s.cfg.Catalog.Unit(code.Code)
	switch {
	case !ok:
		return entry{}, &refusal{id: "web.error.unknown_unit", status: http.StatusNotFound}, nil
	case errors.Is(err, deeplink.ErrPayloadForged):
		return entry{}, &refusal{id: "counter.forged", status: http.StatusOK, unit: u}, nil
	case errors.Is(err, deeplink.ErrCounterStale):
		return entry{}, &refusal{id: "counter.stale", status: http.StatusOK, unit: u}, nil
	}
	return entry{unit: u, via: survey.ViaCounter}, nil, nil
}

// inPosterFunnel reports whether a way in is counted in the poster funnel,
// as the chat counts it: poster links are, the counter screen is no poster.
func inPosterFunnel(v survey.Via) bool { return v != "" && v != survey.ViaCounter }
