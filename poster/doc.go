// Package poster draws what a unit prints: the QR code of its signed deep
// link as a PNG, and A4 posters as a PDF (one page per unit) with the
// unit's name, the call to action in Bahasa Indonesia, the QR code, the
// plain link, the unit code to type when the camera fails, and the period.
//
// It knows nothing of Telegram or the database: callers give it the text
// and the link. Output is deterministic, so the same poster is the same
// file, byte for byte.
package poster
