package telegram

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// TestBufferedClientSendsOnePiece checks that a library call goes out with
// a Content-Length, not chunked, and with its form intact; and that a
// failure to build the form reaches the caller.
func TestBufferedClientSendsOnePiece(t *testing.T) {
	type seen struct {
		length   int64
		chunked  bool
		text     string
		document string
	}
	got := make(chan seen, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := seen{length: r.ContentLength, chunked: len(r.TransferEncoding) > 0}
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p)
			switch p.FormName() {
			case "text":
				s.text = string(data)
			case "document":
				s.document = string(data)
			}
		}
		got <- s
		io.WriteString(w, `{"ok":true,"result":{"message_id":5,"date":1,"chat":{"id":42,"type":"private"}}}`)
	}))
	defer ts.Close()
	api, err := tg.New("1:x", tg.WithServerURL(ts.URL), tg.WithSkipGetMe(), tg.WithHTTPClient(time.Second, BufferedClient{Client: ts.Client()}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	text := strings.Repeat("Bagaimana pendapat Saudara? ", 100)
	m, err := api.SendMessage(ctx, &tg.SendMessageParams{ChatID: 42, Text: text})
	if err != nil || m.ID != 5 {
		t.Fatalf("SendMessage = %v, %v", m, err)
	}
	if s := <-got; s.chunked || s.length <= int64(len(text)) || s.text != text {
		t.Errorf("sendMessage arrived chunked=%v length=%d text intact=%v", s.chunked, s.length, s.text == text)
	}
	file := strings.Repeat("x", 3<<20)
	if _, err := api.SendDocument(ctx, &tg.SendDocumentParams{ChatID: 42, Document: &models.InputFileUpload{Filename: "ikm.xlsx", Data: strings.NewReader(file)}}); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s.chunked || s.length <= int64(len(file)) || s.document != file {
		t.Errorf("sendDocument arrived chunked=%v length=%d file intact=%v", s.chunked, s.length, s.document == file)
	}
	// An upload whose reader fails: the library closes its pipe with the
	// error, and the call must fail rather than send half a form.
	_, err = api.SendDocument(ctx, &tg.SendDocumentParams{ChatID: 42, Document: &models.InputFileUpload{Filename: "a", Data: &failingReader{}}})
	if err == nil {
		t.Error("SendDocument with a failing reader succeeded")
	}
	select {
	case s := <-got:
		t.Errorf("half a form reached the server: %+v", s)
	default:
	}
}

type failingReader struct{}

func (*failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
