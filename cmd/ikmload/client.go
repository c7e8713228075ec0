package main

import (
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/ikmbot/ikmbot/bot/telegramtest"
)

// botClient is the in-process bots' HTTP client. By default it is the
// fake's own client, which refuses every host but the fake and pools
// connections as ikmbot serve's client does: Go's default of two idle
// connections per host, so that most of a hundred concurrent replies open a
// new connection. With idleConns > 0 it keeps that many instead, which
// shows what a larger pool would save; it then refuses every address that
// is not loopback.
func botClient(srv *telegramtest.Server, idleConns int) *http.Client {
	if idleConns <= 0 {
		c := srv.Client()
		c.Timeout = pollTimeout + 15*time.Second
		return c
	}
	d := &net.Dialer{Timeout: 5 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("ikmload: refusing to connect to %s: only loopback is allowed", address)
		}
		return nil
	}}
	return &http.Client{
		Transport: &http.Transport{
			Proxy: nil, DialContext: d.DialContext,
			MaxIdleConns: idleConns, MaxIdleConnsPerHost: idleConns, IdleConnTimeout: 90 * time.Second,
		},
		Timeout: pollTimeout + 15*time.Second,
	}
}
