package bot

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// IsAdmin reports whether a Telegram user is a city admin (from the
// config). Unit admins are in the store; see role.
func (b *Bot) IsAdmin(userID int64) bool { return b.admins[userID] }

// maxMessageRunes keeps replies under Telegram's 4096-character limit with a
// margin for entities.
const maxMessageRunes = 4000

// cityReport is the city screen's text without the change from the
// previous period.
func (c *conv) cityReport(s survey.CitySummary) string { return c.cityText(s, nil) }

// splitMessage cuts a long report at line breaks into messages Telegram
// accepts, closing and reopening a <pre> block that spans a cut.
func splitMessage(s string) []string {
	if len([]rune(s)) <= maxMessageRunes {
		return []string{s}
	}
	var parts []string
	var cur strings.Builder
	inPre := false
	for _, ln := range strings.Split(s, "\n") {
		if len([]rune(cur.String()))+len([]rune(ln))+7 > maxMessageRunes && cur.Len() > 0 {
			part := cur.String()
			if inPre {
				part += "</pre>"
			}
			parts = append(parts, strings.TrimRight(part, "\n"))
			cur.Reset()
			if inPre {
				cur.WriteString("<pre>")
			}
		}
		cur.WriteString(ln + "\n")
		inPre = (inPre || strings.Contains(ln, "<pre>")) && !strings.Contains(ln, "</pre>")
	}
	return append(parts, strings.TrimRight(cur.String(), "\n"))
}

// maxBackupDocument is the largest file a bot may send through the public
// Bot API (50 MB), less a margin; larger databases are backed up with the
// ikmbot backup command on the server.
const maxBackupDocument = 49 << 20

// backup answers /cadangan: a city admin gets a consistent copy of the
// database as a document. It is drawn after the commit, in a read
// transaction of its own, so it never holds up other chats.
func (c *conv) backup() error {
	c.b.log.Info("backup requested in chat")
	name := "ikmbot-" + c.now.Format("20060102-1504") + ".db"
	// The whole file leaves the bot: that is an export for the audit log.
	if _, err := c.tx.AddAudit(store.AuditEntry{At: c.now, By: c.in.UserID, Action: store.AuditExport, Detail: "backup " + name}); err != nil {
		return err
	}
	caption := c.t.text("backup.caption", map[string]any{"Time": c.now.Format("2006-01-02 15:04 MST")})
	c.out.SendFile(telegram.SendDocument, c.in.ChatID, name, caption, c.t.text("backup.failed", nil), func() ([]byte, error) {
		var buf bytes.Buffer
		if _, err := c.b.store.Backup(&buf); err != nil {
			return nil, err
		}
		if buf.Len() > maxBackupDocument {
			return nil, fmt.Errorf("backup of %d bytes is over Telegram's file limit", buf.Len())
		}
		return buf.Bytes(), nil
	})
	return nil
}
