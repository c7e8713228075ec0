// Package deeplink spells and checks what travels in a Telegram /start
// parameter: the signed payload of a unit's poster, the rotating code of a
// unit's counter screen (and the per-unit key that signs it), the one-time
// invitation that makes someone a unit admin, and the rule every unit code
// keeps so that it fits in all of them (CheckCode).
//
// Each layout is read from the right and the three cannot be mistaken for
// one another or for a bare unit code: the config refuses codes that look
// like a payload (CheckCode), and an invitation is longer than anything
// else. Every signature is keyed by a key derived from the server secret
// for that purpose alone, so none can stand in for another, nor for the
// respondent hashes the secret itself keys.
//
// The package is pure and uses only the standard library: the config
// loader, the bot and the CLI share it without linking Telegram or bbolt.
// Deciding what a payload opens (the catalog, the poster version and the
// counter key generation in the store) is the bot's.
package deeplink
