package bot

import (
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/telegram"
)

// outbox collects the calls for one update and what happened to surveys,
// for the metrics.
type outbox struct {
	telegram.Outbox
	events surveyEvents

	// notices says the update queued notices for admins (notice.go), to be
	// sent once the update's own replies are out.
	notices bool
}

// sendQuestion sends the current question of session sid: the message's
// id is recorded once sent (Bot.questionSent), so later answers edit it.
func (o *outbox) sendQuestion(chatID int64, sid, text string, kb *models.InlineKeyboardMarkup) {
	o.SendMarked(chatID, sid, text, kb)
}
