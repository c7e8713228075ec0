package telegram

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// BenchmarkLibraryFloor measures what any bot on go-telegram/bot pays per
// button press on this machine before doing anything of its own: our
// Poller and Dispatcher (WithWorkers as given) hand each press to a
// handler that answers the callback and edits the message with a
// question-sized text and keyboard, through the library and net/http over
// loopback, against a minimal Bot API that answers from canned JSON (no
// parsing beyond the chat id, no state). 500 people each have one press
// outstanding. It is the floor under ikmload's echo bot, whose fake
// (telegramtest) does everything Telegram does; the difference between
// the two is the fake's cost, not a bot's.
//
//	go test -run XXX -bench LibraryFloor -benchtime 20000x -count 5 ./bot
func BenchmarkLibraryFloor(b *testing.B) {
	for _, workers := range []int{DefaultWorkers, 500} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) { benchLibraryFloor(b, workers) })
	}
}

func benchLibraryFloor(b *testing.B, workers int) {
	const users = 500
	f := &cannedAPI{changed: make(chan struct{}), edited: map[int64]chan struct{}{}}
	ts := httptest.NewServer(f)
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100, MaxIdleConns: 100}, Timeout: time.Minute}
	api, err := tg.New("123:floor", tg.WithServerURL(ts.URL), tg.WithSkipGetMe(), tg.WithHTTPClient(5*time.Second, BufferedClient{Client: client}))
	if err != nil {
		b.Fatal(err)
	}
	noPreview := &models.LinkPreviewOptions{IsDisabled: tg.True()}
	var k atomic.Int64
	d := NewDispatcher(func(ctx context.Context, u *models.Update, _ func()) error {
		n := k.Add(1)
		q := u.CallbackQuery
		if _, err := api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: q.ID}); err != nil {
			return err
		}
		id := "e:" + strconv.FormatInt(n, 36) + ":"
		row := func(text, data string) []models.InlineKeyboardButton {
			return []models.InlineKeyboardButton{{Text: text, CallbackData: id + data}}
		}
		_, err := api.EditMessageText(ctx, &tg.EditMessageTextParams{
			ChatID: q.Message.Message.Chat.ID, MessageID: q.Message.Message.ID, ParseMode: models.ParseModeHTML,
			Text: fmt.Sprintf("<i>Unsur 3 dari 9</i> · <b>Waktu penyelesaian</b>\nBagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan? (%d)", n),
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
				row("Tidak cepat", "1"), row("Kurang cepat", "2"), row("Cepat", "3"), row("Sangat cepat", "4"),
				{{Text: "« Kembali", CallbackData: id + "b"}, {Text: "Lewati »", CallbackData: id + "k"}},
			}},
			LinkPreviewOptions: noPreview,
		})
		return err
	}).WithWorkers(workers)
	ctx, stop := context.WithCancel(context.Background())
	polled := make(chan error, 1)
	go func() {
		p := &Poller{APIURL: ts.URL, Token: "123:floor", Client: client, Timeout: time.Second}
		polled <- p.Run(ctx, d)
	}()

	var next, updateID atomic.Int64
	var wg sync.WaitGroup
	chans := make([]chan struct{}, users)
	for i := range chans {
		chans[i] = make(chan struct{}, 1)
		f.edited[int64(7_000_000_000+i)] = chans[i]
	}
	b.ResetTimer()
	cpu0, start := cpuTime(), time.Now()
	for i := range users {
		chat := int64(7_000_000_000 + i)
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				id := updateID.Add(1)
				f.push(fmt.Appendf(nil, cannedUpdate, id, id, chat, chat))
				select {
				case <-chans[i]:
				case <-time.After(time.Minute):
					b.Error("no edit within a minute")
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	stop()
	<-polled
	d.Wait()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/update")
}

// cpuTime is this process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cannedAPI is the least a Bot API can do for the floor: queue pushed
// updates for getUpdates, and answer the two calls with fixed JSON.
type cannedAPI struct {
	mu      sync.Mutex
	changed chan struct{} // closed when an update is pushed
	queue   [][]byte
	edited  map[int64]chan struct{} // by chat: signalled on each edit; fixed before the run
}

// cannedUpdate is a button press under a question, as Telegram sends it:
// update id, callback id, user id, chat id.
const cannedUpdate = `{"update_id":%d,"callback_query":{"id":"%d","from":{"id":%d,"is_bot":false,"first_name":"Warga","language_code":"id"},` +
	`"message":{"message_id":1,"from":{"id":1,"is_bot":true,"first_name":"Bot","username":"bot"},"chat":{"id":%d,"first_name":"Warga","type":"private"},"date":1764230000,` +
	`"text":"Unsur 3 dari 9 · Waktu penyelesaian\nBagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",` +
	`"reply_markup":{"inline_keyboard":[[{"text":"Tidak cepat","callback_data":"e:1:1"}],[{"text":"Kurang cepat","callback_data":"e:1:2"}],[{"text":"Cepat","callback_data":"e:1:3"}],[{"text":"Sangat cepat","callback_data":"e:1:4"}],[{"text":"« Kembali","callback_data":"e:1:b"},{"text":"Lewati »","callback_data":"e:1:k"}]]}},` +
	`"chat_instance":"1","data":"e:1:3"}}`

// cannedEdit is editMessageText's answer: the edited message.
const cannedEdit = `{"ok":true,"result":{"message_id":1,"from":{"id":1,"is_bot":true,"first_name":"Bot","username":"bot"},"chat":{"id":%d,"first_name":"Warga","type":"private"},"date":1764230000,"edit_date":1764230001,` +
	`"text":"Unsur 3 dari 9 · Waktu penyelesaian\nBagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",` +
	`"reply_markup":{"inline_keyboard":[[{"text":"Tidak cepat","callback_data":"e:2:1"}],[{"text":"Kurang cepat","callback_data":"e:2:2"}],[{"text":"Cepat","callback_data":"e:2:3"}],[{"text":"Sangat cepat","callback_data":"e:2:4"}],[{"text":"« Kembali","callback_data":"e:2:b"},{"text":"Lewati »","callback_data":"e:2:k"}]]}}}`

func (f *cannedAPI) push(u []byte) {
	f.mu.Lock()
	f.queue = append(f.queue, u)
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

var chatIDField = []byte(`name="chat_id"` + "\r\n\r\n")

func (f *cannedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path[bytes.LastIndexByte([]byte(r.URL.Path), '/')+1:] {
	case "getUpdates":
		timeout := time.NewTimer(time.Second)
		defer timeout.Stop()
		for {
			f.mu.Lock()
			if len(f.queue) > 0 {
				n := min(100, len(f.queue))
				batch := bytes.Join(f.queue[:n], []byte{','})
				f.queue = f.queue[n:]
				f.mu.Unlock()
				w.Write(append(append([]byte(`{"ok":true,"result":[`), batch...), "]}"...))
				return
			}
			changed := f.changed
			f.mu.Unlock()
			select {
			case <-changed:
			case <-timeout.C:
				w.Write([]byte(`{"ok":true,"result":[]}`))
				return
			case <-r.Context().Done():
				return
			}
		}
	case "editMessageText":
		i := bytes.Index(body, chatIDField) + len(chatIDField)
		j := i
		for j < len(body) && body[j] >= '0' && body[j] <= '9' {
			j++
		}
		chat, _ := strconv.ParseInt(string(body[i:j]), 10, 64)
		fmt.Fprintf(w, cannedEdit, chat)
		if ch := f.edited[chat]; ch != nil {
			ch <- struct{}{}
		}
	default: // answerCallbackQuery
		w.Write([]byte(`{"ok":true,"result":true}`))
	}
}
