package main

import (
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// botClient is the in-process bots' HTTP client. It keeps idleConns idle
// connections to the fake, as ikmbot serve keeps 100 to Telegram, and
// refuses every address that is not loopback. With idleConns <= 0 it is the
// fake's own client, which refuses every host but the fake and keeps Go's
// default of two idle connections per host: of a hundred replies in flight
// most then open a new connection, which shows what the pool saves.
func botClient(srv *telegramtest.Server, idleConns int) *http.Client {
	if idleConns <= 0 {
		c := srv.Client()
		c.Timeout = pollTimeout + 15*time.Second
		return c
	}
	d := &net.Dialer{Timeout: 5 * time.Second, Control: loopbackOnly}
	return &http.Client{
		Transport: &http.Transport{
			Proxy: nil, DialContext: d.DialContext,
			MaxIdleConns: idleConns, MaxIdleConnsPerHost: idleConns, IdleConnTimeout: 90 * time.Second,
		},
		Timeout: pollTimeout + 15*time.Second,
	}
}

// loopbackOnly is a dialer's Control that refuses every address that is
// not loopback.
func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("ikmload: refusing to connect to %s: only loopback is allowed", address)
	}
	return nil
}
