package bot

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/bot/poster"
	"github.com/ikmbot/ikmbot/bot/poster/postertest"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

var testSecret = []byte("0123456789abcdef-test-secret")

// startParamAlphabet is every character Telegram allows in a start parameter.
const startParamAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

func TestSignVerifyRoundTrip(t *testing.T) {
	codes := []string{"DISDUKCAPIL", "PKM-KRANJI", "RSUD-CAM", "a", "x_y-z", "-v1-", "A-v2-B", strings.Repeat("Z", 32), strings.Repeat("-", 32)}
	for _, code := range codes {
		for _, v := range []int{1, 2, 10, store.MaxPosterVersion} {
			p := SignPayload(testSecret, code, v)
			if len(p) > MaxPayloadLen || !startParamChars(p) {
				t.Errorf("SignPayload(%q, %d) = %q: not a valid start parameter", code, v, p)
			}
			got, err := VerifyPayload(testSecret, p)
			if want := (Payload{Code: code, Version: v, Signed: true}); err != nil || got != want {
				t.Errorf("VerifyPayload(%q) = %+v, %v; want %+v", p, got, err, want)
			}
			if !LooksSigned(p) {
				t.Errorf("LooksSigned(%q) = false", p)
			}
		}
	}
	// The longest code at the highest version stays within Telegram's 64.
	if p := SignPayload(testSecret, strings.Repeat("Z", 32), store.MaxPosterVersion); len(p) != 53 {
		t.Errorf("longest payload is %d characters, want 53", len(p))
	}
}

func TestVerifyPayloadKinds(t *testing.T) {
	tests := []struct {
		payload string
		want    Payload
		err     error
	}{
		{"DISDUKCAPIL", Payload{Code: "DISDUKCAPIL"}, nil},
		{"pkm-kranji", Payload{Code: "pkm-kranji"}, nil},
		{"DISDUKCAPIL-v1", Payload{Code: "DISDUKCAPIL-v1"}, nil},
		{"DISDUKCAPIL-v1-hSl288wD", Payload{Code: "DISDUKCAPIL-v1-hSl288wD"}, nil},         // cut short
		{"DISDUKCAPIL-v0-hSl288wDl-GD", Payload{Code: "DISDUKCAPIL-v0-hSl288wDl-GD"}, nil}, // no version 0
		{"DISDUKCAPIL-v01-hSl288wDl-G", Payload{Code: "DISDUKCAPIL-v01-hSl288wDl-G"}, nil}, // no leading zero
		{"-v1-hSl288wDl-GD", Payload{Code: "-v1-hSl288wDl-GD"}, nil},                       // no code
		{"DISDUKCAPIL-v1-hSl288wDl-GD", Payload{Code: "DISDUKCAPIL", Version: 1, Signed: true}, nil},
		{"DISDUKCAPIL-v1-hSl288wDl-GE", Payload{Code: "DISDUKCAPIL", Version: 1}, ErrPayloadForged},
		{"DISDUKCAPIL-v1-mvjw0jY5qUXX", Payload{Code: "DISDUKCAPIL", Version: 1}, ErrPayloadForged}, // another secret
		{"", Payload{}, ErrPayloadInvalid},
		{"bad payload!", Payload{}, ErrPayloadInvalid},
		{strings.Repeat("A", 65), Payload{}, ErrPayloadInvalid},
	}
	for _, tt := range tests {
		got, err := VerifyPayload(testSecret, tt.payload)
		if got != tt.want || err != tt.err {
			t.Errorf("VerifyPayload(%q) = %+v, %v; want %+v, %v", tt.payload, got, err, tt.want, tt.err)
		}
	}
}

// TestSigningKeyIsNotTheHashKey checks that deep links are signed with a
// key derived from the secret, not the secret itself, which keys the
// respondent hashes.
func TestSigningKeyIsNotTheHashKey(t *testing.T) {
	msg := "DISDUKCAPIL-v1"
	direct := hmac.New(sha256.New, testSecret)
	direct.Write([]byte(msg))
	if payloadSig(testSecret, msg) == base64.RawURLEncoding.EncodeToString(direct.Sum(nil)[:sigBytes]) {
		t.Error("the deep-link signature is keyed by the server secret itself")
	}
}

// TestTamperedPayloadsNeverOpenAUnit changes every character of genuine
// payloads to every other allowed character, drops each one, and adds
// one: the bot must refuse every result, whatever the catalog holds.
func TestTamperedPayloadsNeverOpenAUnit(t *testing.T) {
	h := newHarness(t)
	var payloads []string
	for _, u := range h.cfg.Catalog.Units() {
		payloads = append(payloads, SignPayload(testSecret, u.Code, 1), SignPayload(testSecret, u.Code, 12))
	}
	err := h.st.View(func(tx *store.Tx) error {
		c := &conv{b: h.bot, tx: tx}
		refused := func(p string) {
			t.Helper()
			if from, refusal, err := c.resolvePayload(p); err != nil || refusal == "" {
				t.Errorf("tampered payload %q opens %s (via %q, version %d), err %v", p, from.unit.Code, from.via, from.version, err)
			}
		}
		for _, p := range payloads {
			if _, refusal, err := c.resolvePayload(p); refusal != "" || err != nil {
				t.Fatalf("genuine payload %q refused: %s %v", p, refusal, err)
			}
			for i := range len(p) {
				for _, r := range startParamAlphabet {
					if byte(r) != p[i] {
						refused(p[:i] + string(r) + p[i+1:])
					}
				}
				refused(p[:i] + p[i+1:])
			}
			for _, r := range startParamAlphabet {
				refused(p + string(r))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPayloadFitsForTheLongestCode(t *testing.T) {
	longest := ""
	for _, u := range testUnits().Units() {
		if len(u.Code) > len(longest) {
			longest = u.Code
		}
	}
	if p := SignPayload(testSecret, longest, store.MaxPosterVersion); len(p) > MaxPayloadLen {
		t.Errorf("payload of %s is %d characters, over Telegram's %d", longest, len(p), MaxPayloadLen)
	}
}

func TestGoldenForgedLink(t *testing.T) { golden(t, "forged_link") }

func TestGoldenSignedOnly(t *testing.T) {
	golden(t, "signed_only", func(c *Config) { c.SignedLinksOnly = true })
}

// TestGoldenRevokedPoster also checks what was stored: the answer through
// the revoked poster is marked, and the funnel counted every step in the
// transactions of the steps themselves.
func TestGoldenRevokedPoster(t *testing.T) {
	h := golden(t, "revoked_poster")
	err := h.st.View(func(tx *store.Tx) error {
		var got []survey.Response
		if err := tx.ForEachResponse(func(r survey.Response) error { got = append(got, r); return nil }); err != nil {
			return err
		}
		if len(got) != 1 || got[0].Via != survey.ViaOldPoster || got[0].Poster != 1 {
			t.Errorf("responses = %+v; want one, via old_poster, poster 1", got)
		}
		v, err := tx.PosterVersion("PKM-KRANJI")
		if err != nil || v != 2 {
			t.Errorf("poster version = %d, %v; want 2", v, err)
		}
		funnel, err := tx.Funnel("PKM-KRANJI")
		want := []store.PosterFunnel{
			{Version: 1, FunnelCounts: store.FunnelCounts{Scans: 3, Started: 3, Completed: 1}},
			{Version: 2, FunnelCounts: store.FunnelCounts{Scans: 1, Started: 1}},
		}
		if err != nil || !reflect.DeepEqual(funnel, want) {
			t.Errorf("funnel = %+v, %v; want %+v", funnel, err, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestGoldenAdminQR checks the files as well: the photo is the QR code of
// the unit's current signed link, readable by an independent decoder, and
// the document is a PDF.
func TestGoldenAdminQR(t *testing.T) {
	h := golden(t, "admin_qr", func(c *Config) { c.BotUsername = telegramtest.DefaultUsername })
	var photos, docs []telegramtest.File
	for _, c := range h.srv.Calls() {
		if f, ok := c.Files["photo"]; ok {
			photos = append(photos, f)
		}
		if f, ok := c.Files["document"]; ok {
			docs = append(docs, f)
		}
	}
	if len(photos) != 2 || len(docs) != 2 {
		t.Fatalf("%d photos and %d documents sent, want 2 of each", len(photos), len(docs))
	}
	for i, v := range []int{1, 2} {
		link := DeepLink(telegramtest.DefaultUsername, SignPayload(testSecret, "DISDUKCAPIL", v))
		if got, err := postertest.DecodePNG(t, photos[i].Data, 0); err != nil || got != link {
			t.Errorf("photo %d decodes to %q, %v; want %s", i+1, got, err, link)
		}
		if want, _ := poster.PNG(link); !bytes.Equal(photos[i].Data, want) {
			t.Errorf("photo %d is not poster.PNG of %s", i+1, link)
		}
		if !bytes.HasPrefix(docs[i].Data, []byte("%PDF-")) || docs[i].Filename != "DISDUKCAPIL.pdf" {
			t.Errorf("document %d is %s, %q...; want DISDUKCAPIL.pdf, a PDF", i+1, docs[i].Filename, docs[i].Data[:8])
		}
	}
}

func TestQRWithoutUsername(t *testing.T) {
	h := newHarness(t)
	admin := h.srv.User(testAdmin, "Admin", "id")
	h.handle(admin.Send("/qr DISDUKCAPIL"))
	if got := h.out.String(); !strings.Contains(got, "Nama pengguna bot belum diatur") || strings.Contains(got, "sendPhoto") {
		t.Errorf("/qr without a bot username:\n%s", got)
	}
}

func FuzzVerifyPayload(f *testing.F) {
	secret := []byte("0123456789abcdef-fuzz-secret")
	for _, s := range []string{SignPayload(secret, "PKM-KRANJI", 1), SignPayload(secret, "A", 999999), "DISDUKCAPIL", "X-v1-", "-v-", "a-v01-AAAAAAAAAAAA", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		p, err := VerifyPayload(secret, payload)
		if err != nil || !p.Signed {
			if p.Signed {
				t.Errorf("VerifyPayload(%q) failed (%v) yet says signed", payload, err)
			}
			return
		}
		// Whatever verifies must be exactly what signing that unit and
		// version produces: no second spelling of a valid link.
		if again := SignPayload(secret, p.Code, p.Version); again != payload {
			t.Errorf("VerifyPayload(%q) = %+v, but signing that gives %q", payload, p, again)
		}
	})
}
