package telegramtest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

// TestWireEncodingDecodesAlike checks that the fake's fast encoding of its
// messages and updates decodes to exactly what encoding/json's encoding of
// the same models decodes to, that it is really used for the common ones,
// and that everything else takes encoding/json's path.
func TestWireEncodingDecodesAlike(t *testing.T) {
	srv := NewServer(WithReporter(t))
	defer srv.Close()
	u := srv.User(1001, "Sari \"Ayu\" <b>", "id")
	kb := `{"inline_keyboard":[[{"text":"Sangat baik ✓","callback_data":"a:1:4"}],[{"text":"Peta","url":"https://example.org/?q=a&b=\"c\""}]]}`
	send := func(method string, params map[string]string, files map[string]File) *models.Message {
		t.Helper()
		srv.mu.Lock()
		defer srv.mu.Unlock()
		res, _, e := methods[strings.ToLower(method)].fn(srv, &request{params: params, files: files})
		if e != nil {
			t.Fatalf("%s: %s", method, e.desc)
		}
		return res.(*models.Message)
	}
	u.Send("/start DISDUKCAPIL") // the chat exists once the user writes
	var msgs []*models.Message
	q := send("sendMessage", map[string]string{"chat_id": "1001", "text": "<b>Unsur 1</b>\nbaris \\ dua \u2028 \x01?", "parse_mode": "HTML", "reply_markup": kb}, nil)
	msgs = append(msgs, q)
	msgs = append(msgs, send("editMessageText", map[string]string{"chat_id": "1001", "message_id": "2", "text": "diubah", "reply_markup": kb}, nil))
	msgs = append(msgs, send("sendMessage", map[string]string{"chat_id": "1001", "text": "tanpa tombol"}, nil))
	msgs = append(msgs, send("sendDocument", map[string]string{"chat_id": "1001", "caption": "laporan"}, map[string]File{"document": {Name: "document", Filename: "ikm.xlsx", Data: []byte("xlsx")}}))
	msgs = append(msgs, send("sendPhoto", map[string]string{"chat_id": "1001", "photo": "https://example.org/qr.png"}, nil))
	for i, m := range msgs {
		if _, ok := toWire(m); !ok {
			t.Errorf("message %d takes the slow path: %+v", i, m)
		}
		got, err := encodeMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(m)
		var a, b models.Message
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("message %d: %v in %s", i, err, got)
		}
		json.Unmarshal(want, &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("message %d decodes differently:\nfast %s\njson %s", i, got, want)
		}
	}

	tap, err := u.TapUpdate("Sangat baik ✓")
	if err != nil {
		t.Fatal(err)
	}
	fast := []models.Update{u.TextUpdate("/start X"), u.TextUpdate("halo"), u.PhotoUpdate(), tap}
	slow := []models.Update{
		u.StickerUpdate(), u.VoiceUpdate(), u.LocationUpdate(), u.CallbackUpdate(99, "gone"),
		{ID: 5, EditedMessage: &models.Message{ID: 1, Text: "x"}},
		{ID: 6, Message: &models.Message{ID: 1, Text: "x", MessageThreadID: 3}},
	}
	for i, upd := range append(fast, slow...) {
		upd.ID = int64(100 + i)
		got, err := encodeUpdate(&upd)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(&upd)
		if err != nil {
			t.Fatal(err)
		}
		var a, b models.Update
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("update %d: %v in %s", i, err, got)
		}
		json.Unmarshal(want, &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("update %d decodes differently:\nfast %s\njson %s", i, got, want)
		}
		if _, isFast := updateToWire(&upd); isFast != (i < len(fast)) {
			t.Errorf("update %d: fast path used %v, want %v: %s", i, isFast, i < len(fast), got)
		}
	}
}
