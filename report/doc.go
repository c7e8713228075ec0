// Package report is the read side of the store: the figures that the
// chat's /ikm screens and daily digest, ikmbot report and ikmbot poster,
// and the exported files show, assembled from the store's aggregates
// inside the caller's read transaction.
//
// It computes no index itself (every formula is package survey's) and
// formats nothing (package bot renders chat messages, cmd/ikmbot text and
// JSON, package export files). So a figure is read and derived once, here,
// and the chat, the command line and the files cannot disagree about it.
//
// Every function reads inside one *store.Tx, so that figures read together
// (a summary and its trend, a unit's figures and its verified part) come
// from the same state of the file. It imports no Telegram library and
// nothing of package bot.
package report
