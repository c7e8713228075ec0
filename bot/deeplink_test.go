package bot

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/poster"
	"github.com/ikmbot/ikmbot/poster/postertest"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

var testSecret = []byte("0123456789abcdef-test-secret")

// startParamAlphabet is every character Telegram allows in a start parameter.
const startParamAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

// TestTamperedPayloadsNeverOpenAUnit changes every character of genuine
// payloads to every other allowed character, drops each one, and adds
// one: the bot must refuse every result, whatever the catalog holds.
func TestTamperedPayloadsNeverOpenAUnit(t *testing.T) {
	h := newHarness(t)
	var payloads []string
	for _, u := range h.cfg.Catalog.Units() {
		payloads = append(payloads, deeplink.SignPayload(testSecret, u.Code, 1), deeplink.SignPayload(testSecret, u.Code, 12))
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
	if p := deeplink.SignPayload(testSecret, longest, deeplink.MaxPosterVersion); len(p) > deeplink.MaxPayloadLen {
		t.Errorf("payload of %s is %d characters, over Telegram's %d", longest, len(p), deeplink.MaxPayloadLen)
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
		link := deeplink.DeepLink(telegramtest.DefaultUsername, deeplink.SignPayload(testSecret, "DISDUKCAPIL", v))
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
