package main

import (
	"encoding/binary"
	"io"
	"os"
)

// lastTxid reads the id of the last committed write transaction from a
// bbolt file's two meta pages: the difference over a run is the number of
// commits, each with its fsyncs, without asking the bot.
//
// The layout is bbolt's file format, stable since bbolt's first release: a
// 16-byte page header, then magic, version, page size and flags (4 bytes
// each), the root bucket (16), the freelist and high-water page ids (8
// each), then txid; little-endian on every platform ikmbot runs on.
func lastTxid(path string) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	const txidAt, pageSizeAt = 64, 24
	var head [txidAt + 8]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return 0, err
	}
	txid := binary.LittleEndian.Uint64(head[txidAt:])
	pageSize := int64(binary.LittleEndian.Uint32(head[pageSizeAt:]))
	if _, err := f.ReadAt(head[:], pageSize); err != nil {
		return 0, err
	}
	return max(txid, binary.LittleEndian.Uint64(head[txidAt:])), nil
}
