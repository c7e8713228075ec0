package deeplink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// An invitation's link carries its id and a signature keyed by a key
// derived from the server secret, like a poster's deep link but with a key
// of its own (HMAC-SHA256(secret, "invite")), so neither signature can
// stand in for the other:
//
//	inv-<ID>-<SIG>      ID 16 characters, SIG 43: 64 characters in all
//
// ID is 12 bytes and SIG the whole HMAC-SHA256(k, "inv-<ID>"), both in
// unpadded base64url. The store keeps the id only, so a copy of the
// database cannot be turned into working links. At 64 characters, an
// invitation is longer than every other payload the bot reads (a unit code
// is at most 32, a poster's at most 53, a counter's at most 60), so it is
// recognised by length and prefix before anything else is tried.
const (
	invitePrefix  = "inv-"
	inviteIDLen   = 16
	inviteSigLen  = 43
	invitePayload = len(invitePrefix) + inviteIDLen + 1 + inviteSigLen
	inviteInfo    = "invite"
)

func inviteSig(secret []byte, msg string) string {
	k := hmac.New(sha256.New, secret)
	k.Write([]byte(inviteInfo))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// NewInviteID turns seed, a fresh id of any shape, into an invitation id of
// fixed length. The same seed gives the same id, so tests that feed fixed
// seeds stay deterministic.
func NewInviteID(secret []byte, seed string) string {
	return inviteSig(secret, "id:"+seed)[:inviteIDLen]
}

// SignInvite returns the /start payload of invitation id.
func SignInvite(secret []byte, id string) string {
	msg := invitePrefix + id
	return msg + "-" + inviteSig(secret, msg)
}

// LooksInvite reports whether a /start payload has the invitation layout;
// VerifyInvite then says whether it is genuine.
func LooksInvite(p string) bool {
	return len(p) == invitePayload && strings.HasPrefix(p, invitePrefix) && p[len(invitePrefix)+inviteIDLen] == '-'
}

// VerifyInvite returns the id of a genuine invitation payload.
func VerifyInvite(secret []byte, p string) (id string, ok bool) {
	if !LooksInvite(p) {
		return "", false
	}
	msg, sig := p[:len(invitePrefix)+inviteIDLen], p[len(invitePrefix)+inviteIDLen+1:]
	if !hmac.Equal([]byte(sig), []byte(inviteSig(secret, msg))) {
		return "", false
	}
	return msg[len(invitePrefix):], true
}
