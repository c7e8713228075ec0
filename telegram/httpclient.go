package telegram

import (
	"bytes"
	"io"
	"net/http"
)

// BufferedClient is the HTTP client to give go-telegram/bot
// (bot.WithHTTPClient). The library streams every request's multipart form
// through an io.Pipe, so net/http sends it chunked: one write system call,
// and on Telegram's TLS one record, per form field. BufferedClient reads the
// form into memory first (a question is a few kilobytes, an export a few
// megabytes) and sends it in one piece with a Content-Length. In the load
// tool's CPU profile, system calls went from 16 % to 6 %.
type BufferedClient struct {
	Client *http.Client
}

// Do sends req with its body read in full.
func (c BufferedClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && req.ContentLength <= 0 {
		var buf bytes.Buffer
		buf.Grow(4 << 10)
		_, err := buf.ReadFrom(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		data := buf.Bytes()
		req.ContentLength = int64(len(data))
		req.Body = io.NopCloser(bytes.NewReader(data))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	return c.Client.Do(req)
}
