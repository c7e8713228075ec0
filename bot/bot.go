package bot

import (
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/ikmbot/ikmbot/locales"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// Config is what the bot needs to know about the city and its policy.
type Config struct {
	City             string
	Catalog          *survey.Catalog
	TypeNames        map[survey.UnitType]string // display names of extra unit types
	Location         *time.Location
	RespondentPeriod survey.PeriodKind // one response per person per unit per period
	AllowReplace     bool              // a repeat respondent may replace their earlier answer
	SessionTTL       time.Duration     // idle surveys expire after this; 0 = never
	DefaultLanguage  string            // "id" or "en"
	Admins           []int64           // Telegram user ids of city admins
	Weighting        survey.Weighting

	// Secret keys the hash that stands in for a respondent's Telegram id,
	// and (through a derived key) the signatures of deep links.
	Secret []byte

	// SignedLinksOnly refuses deep links that name only a unit code
	// (posters printed before links were signed); by default they still
	// open the unit's survey, and are counted apart in the funnel.
	SignedLinksOnly bool

	// BotUsername (without "@") goes into the links of the posters that
	// /qr sends; /qr says it is not set up when it is empty.
	BotUsername string
	// PublicURL is the city's public site; with it, posters from /qr carry
	// its landing page (PosterLink) instead of the t.me link.
	PublicURL string

	// SendRate caps the messages sent or edited per second across all
	// chats (Telegram allows about 30); 0 means no cap, for tests and the
	// load tool against a fake. ChatRate caps them per second in one chat
	// (about 1); 0 means no cap. Callback answers are not capped: Telegram
	// does not count them (telegram.Pacer).
	SendRate float64
	ChatRate float64

	// UserRate and UserBurst cap the updates one person may send (per
	// second, and at once); beyond them updates are dropped, so nobody can
	// flood the bot. 0 means no cap.
	UserRate  float64
	UserBurst int

	// CallTimeout bounds one Bot API call (an upload gets four times as
	// long); a call that hangs is given up and made again, as a failed one
	// is. 0 means telegram.DefaultCallTimeout.
	CallTimeout time.Duration

	// ChatRetention is how long a chat record (and so a chat id) outlives
	// its last survey; SuggestionRetention, how long a suggestion's free
	// text is kept. 0 keeps them.
	ChatRetention       time.Duration
	SuggestionRetention time.Duration

	// Digest sends every admin a daily digest at DigestHour (0-23) in
	// Location, queued behind respondents' replies like alerts (digest.go).
	Digest     bool
	DigestHour int

	// Now and NewID are inputs so tests are deterministic; nil means the
	// wall clock and random ids.
	Now   func() time.Time
	NewID func() string

	Logger  *slog.Logger
	Metrics *Metrics // nil: no metrics
}

// The rates ikmbot serve runs with unless its flags say otherwise: Telegram's
// flood limits for sending (about 30 messages a second overall, about one a
// second in a chat), and a cap on one person's updates far above honest use
// (a person reads each question) that stops a script flooding the bot.
const (
	DefaultSendRate  = 30
	DefaultChatRate  = 1
	DefaultUserRate  = 2
	DefaultUserBurst = 20
)

// Bot handles Telegram updates for the survey. It is safe for concurrent use
// by different chats; updates of one chat must be handled one at a time (the
// Dispatcher does that).
type Bot struct {
	cfg     Config
	store   *store.Store
	api     *tg.Bot
	bundle  *i18n.Bundle
	log     *slog.Logger
	admins  map[int64]bool
	metrics *Metrics
	sender  *telegram.Sender
	users   *telegram.Limiters // nil: no per-user cap

	locMu      sync.Mutex
	localizers map[string]*i18n.Localizer

	noticeWake chan struct{} // RunNotices waits on it; see wakeNotices
	exports    chan struct{} // the export slot: one export is drawn at a time (Bot.slot)
	cursor     cipher.Block  // seals /saran's paging cursors (cursor.go)
}

// New returns a bot that keeps its state in st and talks through api.
func New(cfg Config, st *store.Store, api *tg.Bot) (*Bot, error) {
	bundle, err := locales.Bundle()
	if err != nil {
		return nil, err
	}
	if cfg.Catalog == nil || cfg.Catalog.Len() == 0 {
		return nil, fmt.Errorf("bot: no units configured")
	}
	if len(cfg.Secret) < 16 {
		return nil, fmt.Errorf("bot: the respondent hash secret must be at least 16 bytes")
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.RespondentPeriod == "" {
		cfg.RespondentPeriod = "year"
	}
	if cfg.DefaultLanguage == "" {
		cfg.DefaultLanguage = "id"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = randomID
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	b := &Bot{
		cfg: cfg, store: st, api: api, bundle: bundle, log: cfg.Logger, metrics: cfg.Metrics,
		admins: map[int64]bool{}, localizers: map[string]*i18n.Localizer{},
		noticeWake: make(chan struct{}, 1), exports: make(chan struct{}, 1), cursor: cursorCipher(cfg.Secret),
	}
	b.sender = &telegram.Sender{
		API: api, Pace: telegram.NewPacer(cfg.SendRate, cfg.ChatRate), CallTimeout: cfg.CallTimeout,
		Log: cfg.Logger, Metrics: cfg.Metrics.Transport(), Sent: b.questionSent, Blocked: b.closeBlocked,
	}
	if cfg.UserRate > 0 {
		b.users = telegram.NewLimiters(cfg.UserRate, max(1, cfg.UserBurst))
	}
	for _, id := range cfg.Admins {
		b.admins[id] = true
	}
	return b, nil
}

// randomID makes a short session id: 40 random bits are plenty to tell a
// chat's sessions apart, and short ids leave room in 64-byte callback data.
func randomID() string {
	var buf [5]byte
	if _, err := rand.Read(buf[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(buf[:]))
}

// respondentHash is the keyed hash stored next to answers instead of the
// Telegram user id, so the database alone cannot name a respondent.
func (b *Bot) respondentHash(userID int64) string {
	m := hmac.New(sha256.New, b.cfg.Secret)
	m.Write([]byte("telegram:" + strconv.FormatInt(userID, 10)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func (b *Bot) now() time.Time { return b.cfg.Now().In(b.cfg.Location) }

// Handle processes one update to completion: state change committed, then
// replies sent. It never panics; failures are logged and, where a person is
// waiting, answered with an apology.
func (b *Bot) Handle(ctx context.Context, upd *models.Update) { _ = b.Process(ctx, upd, nil) }

// Process is Handle that also reports whether the update's state change
// could not be committed, so a webhook can answer non-2xx and have Telegram
// deliver it again. Failing replies are not errors: the state is safe. It
// is a telegram.Handler: release, if not nil, is called as soon as the
// update is committed, before its replies go out (they may wait for their
// turn under Telegram's flood limits) and its files are drawn.
//
// The update leaves the Poller's inbox once it is answered
// (store.Store.Answered). Were it taken out in the transaction that
// handles it, a crash between the commit and the replies would lose them;
// kept until answered, the next start hands it to the bot again, which
// finds it handled (store.Tx.SeenUpdate) and shows the person where they
// are, as it does for an update Telegram sends twice.
func (b *Bot) Process(ctx context.Context, upd *models.Update, release func()) (err error) {
	in := telegram.Parse(upd)
	start := time.Now()
	var calls int // set when the update was handled to the end
	handled := false
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("panic while handling update", "update_id", upd.ID, "kind", in.Kind.String(), "panic", r, "stack", string(debug.Stack()))
			b.apologize(ctx, in)
			err = fmt.Errorf("panic: %v", r)
		}
		// Answered (or ignored, or failed and apologized for): not for
		// the inbox to hand over again at the next start. Replies cut
		// short by a shutdown are: the next start shows where it is.
		if ctx.Err() == nil {
			b.store.Answered(upd.ID)
		}
		b.metrics.Transport().ObserveUpdate(in.Kind, time.Since(start), err)
		if handled {
			// Last, when everything about the update is done and counted.
			b.log.Debug("update handled", "update_id", upd.ID, "kind", in.Kind.String(), "calls", calls, "took", time.Since(start))
		}
	}()
	if in.ChatID == 0 {
		b.log.Debug("update ignored", "update_id", upd.ID, "kind", in.Kind.String())
		return nil
	}
	if b.users != nil && !b.users.Get(in.UserID).Allow() {
		// Flooding: drop it, but stop a button's spinner.
		b.log.Warn("update dropped: sender over the rate limit", "update_id", upd.ID, "kind", in.Kind.String())
		if in.CallbackID != "" {
			b.sender.Deliver(ctx, in.ChatID, []telegram.Call{{Method: telegram.AnswerCallbackQuery, CallbackID: in.CallbackID}})
		}
		return nil
	}
	var out outbox
	txStart := time.Now()
	err = b.store.Update(func(tx *store.Tx) error {
		out = outbox{} // Update may run this more than once
		return b.handleTx(tx, upd.ID, in, &out)
	})
	b.metrics.observeTx(time.Since(txStart))
	if err != nil {
		b.log.Error("update failed", "update_id", upd.ID, "kind", in.Kind.String(), "err", err)
		b.apologize(ctx, in)
		return err
	}
	// Done as far as Telegram and other chats are concerned: the
	// Dispatcher's place goes to another update while the replies wait
	// for their turn and the files are drawn. The chat's own next update
	// still waits for them.
	if release != nil {
		release()
	}
	b.metrics.countEvents(out.events)
	if i := out.FirstFile(); i >= 0 {
		// Messages first, then the files are drawn and sent.
		b.sender.Deliver(ctx, in.ChatID, out.Calls[:i])
		out.Calls = out.Calls[i:]
	}
	b.sender.Render(out.Calls)
	b.sender.Deliver(ctx, in.ChatID, out.Calls)
	if out.notices {
		b.wakeNotices()
	}
	handled, calls = true, len(out.Calls)
	return nil
}

// apologize tells the person that something failed, without touching state.
func (b *Bot) apologize(ctx context.Context, in telegram.Update) {
	if in.ChatID == 0 {
		return
	}
	l := b.localizer(b.langFor(store.Chat{}, in))
	var out telegram.Outbox
	if in.CallbackID != "" {
		out.Answer(in.CallbackID, "", false)
	}
	out.Send(in.ChatID, l.text("error.internal", nil), nil)
	// No release: a failed update must reach the Dispatcher's caller as
	// the failure it is.
	b.sender.Deliver(ctx, in.ChatID, out.Calls)
}

// langFor picks the chat's language: the one chosen with /bahasa, else
// Telegram's language_code when we speak it, else the configured default.
func (b *Bot) langFor(chat store.Chat, in telegram.Update) string {
	if chat.Lang != "" {
		return chat.Lang
	}
	if lang := appLang(in.LangCode); lang != "" {
		return lang
	}
	return b.cfg.DefaultLanguage
}

// appLang is the language of ours that a Telegram app's language_code
// asks for, or "" for none of them.
func appLang(code string) string {
	code = strings.ToLower(code)
	switch {
	case strings.HasPrefix(code, "id"), strings.HasPrefix(code, "ms"), strings.HasPrefix(code, "jv"), strings.HasPrefix(code, "su"):
		return "id"
	case strings.HasPrefix(code, "en"):
		return "en"
	}
	return ""
}
