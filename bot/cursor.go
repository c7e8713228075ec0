package bot

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
)

// /saran pages through a unit's suggestions by response id, but response
// ids are one city-wide sequence: a unit admin who saw them jump from 3 to
// 54 would learn how many answers other units received in between. So the
// paging button carries the id sealed: AES-128 of the id and the first 8
// bytes of SHA-256 of the unit code, under a key derived from the server
// secret for this alone, in unpadded base64url (22 bytes; "sg:" with a
// 32-character code and a cursor is 58 bytes of callback data). It says
// nothing of the id's size, and a cursor altered or taken to another
// unit does not open.

// newestCursor is the cursor of the first page.
const newestCursor = "0"

// cursorLen is the length of a sealed cursor.
const cursorLen = 22

func cursorCipher(secret []byte) cipher.Block {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("saran-cursor"))
	block, err := aes.NewCipher(m.Sum(nil)[:16])
	if err != nil {
		panic(err) // a 16-byte key is always accepted
	}
	return block
}

// sealCursor hides response id before for unit's paging data; 0 is the
// newest page.
func (b *Bot) sealCursor(unit string, before uint64) string {
	if before == 0 {
		return newestCursor
	}
	var block [16]byte
	binary.BigEndian.PutUint64(block[:8], before)
	tag := sha256.Sum256([]byte(unit))
	copy(block[8:], tag[:8])
	b.cursor.Encrypt(block[:], block[:])
	return base64.RawURLEncoding.EncodeToString(block[:])
}

// openCursor reads sealCursor's output back for unit; ok is false for
// anything it did not write for that unit.
func (b *Bot) openCursor(unit, s string) (before uint64, ok bool) {
	if s == newestCursor {
		return 0, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) != cursorLen || len(raw) != 16 {
		return 0, false
	}
	b.cursor.Decrypt(raw, raw)
	tag := sha256.Sum256([]byte(unit))
	if !hmac.Equal(raw[8:], tag[:8]) {
		return 0, false
	}
	before = binary.BigEndian.Uint64(raw[:8])
	return before, before != 0
}

// validCursor accepts what sealCursor can write, before the unit is known.
func validCursor(s string) bool {
	if s == newestCursor {
		return true
	}
	if len(s) != cursorLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}
