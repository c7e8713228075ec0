package bot

import (
	"strconv"
	"strings"
	"sync"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/locales"
	"github.com/ikmbot/ikmbot/poster"
	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// qr answers /qr CODE with the unit's QR code (a PNG, as a photo) and its
// A4 poster (a PDF), and /qr cabut CODE by revoking every poster of the
// unit printed so far. City admins only; anyone else gets the refusal.
func (c *conv) qr(arg string) error {
	r, err := c.role()
	if err != nil {
		return err
	}
	f := strings.Fields(arg)
	revokeWord := func(w string) bool { return strings.EqualFold(w, "cabut") || strings.EqualFold(w, "revoke") }
	var code string
	revoke := false
	switch {
	case len(f) == 1 && !revokeWord(f[0]):
		code = f[0]
	case len(f) == 2 && revokeWord(f[0]):
		code, revoke = f[1], true
	default:
		c.out.Send(c.in.ChatID, c.t.text("qr.usage", nil), nil)
		return nil
	}
	u, ok := c.b.cfg.Catalog.Unit(code)
	if !ok {
		c.out.Send(c.in.ChatID, c.unknownUnit(code, r), nil)
		return nil
	}
	if revoke {
		v, err := c.tx.RevokePosters(u.Code)
		if err != nil {
			return err
		}
		if _, err := c.tx.AddAudit(store.AuditEntry{At: c.now, By: c.in.UserID, Action: store.AuditPosterRevoke, Unit: u.Code, Detail: strconv.Itoa(v)}); err != nil {
			return err
		}
		c.b.log.Info("posters revoked", "unit", u.Code, "version", v)
		c.out.Send(c.in.ChatID, c.t.text("qr.revoked", map[string]any{
			"Unit": esc(u.Name), "Code": esc(u.Code), "Old": v - 1, "New": v,
		}), nil)
		return nil
	}
	if c.b.cfg.BotUsername == "" {
		c.out.Send(c.in.ChatID, c.t.text("qr.no_username", nil), nil)
		return nil
	}
	v, err := c.tx.PosterVersion(u.Code)
	if err != nil {
		return err
	}
	// A signed link lets whoever holds it print posters that count: the
	// audit log says who was given one.
	if _, err := c.tx.AddAudit(store.AuditEntry{At: c.now, By: c.in.UserID, Action: store.AuditPoster, Unit: u.Code, Detail: strconv.Itoa(v)}); err != nil {
		return err
	}
	link := deeplink.PosterLink(c.b.cfg.PublicURL, c.b.cfg.BotUsername, deeplink.SignPayload(c.b.cfg.Secret, u.Code, v))
	page := PosterPage(c.b.cfg.City, c.b.cfg.TypeNames, u, c.b.cfg.BotUsername, link, survey.PeriodOf(survey.PeriodYear, c.now).Label)
	data := map[string]any{"Unit": esc(u.Name), "Version": v, "Link": esc(link)}
	failed := c.t.text("qr.failed", nil)
	c.out.SendFile(telegram.SendPhoto, c.in.ChatID, u.Code+".png", c.t.text("qr.caption", data), failed,
		func() ([]byte, error) { return poster.PNG(link) })
	c.out.SendFile(telegram.SendDocument, c.in.ChatID, u.Code+".pdf", c.t.text("qr.poster_caption", data), failed,
		func() ([]byte, error) { return poster.PDF([]poster.Page{page}) })
	return nil
}

// PosterPage is what the poster of unit u shows: Indonesian text, the
// unit's type by the name the config or the Indonesian locale gives it,
// link in the QR code and spelled out, and the survey period's label. The
// bot's /qr and the ikmbot qr command both draw posters from it.
func PosterPage(city string, typeNames map[survey.UnitType]string, u survey.Unit, botUsername, link, period string) poster.Page {
	return poster.Page{
		City: city, UnitName: u.Name, UnitType: posterTypeName(typeNames, u.Type), UnitCode: u.Code,
		Bot: botUsername, Link: link, Period: period,
	}
}

// indonesian localizes the text printed on posters, which is always in
// Bahasa Indonesia whatever language the admin chats in.
var indonesian = sync.OnceValues(func() (*i18n.Localizer, error) {
	b, err := locales.Bundle()
	if err != nil {
		return nil, err
	}
	return i18n.NewLocalizer(b, "id"), nil
})

func posterTypeName(typeNames map[survey.UnitType]string, t survey.UnitType) string {
	if n := typeNames[t]; n != "" {
		return n
	}
	if l, err := indonesian(); err == nil {
		id := "unit_type." + string(t)
		if s := (texts{lang: "id", l: l}).text(id, nil); s != id {
			return s
		}
	}
	return string(t)
}

// funnelReport shows how the unit's posters lead to answers, per poster
// version; empty when nobody came through a deep link.
func (c *conv) funnelReport(unit string) (string, error) {
	posters, err := report.PosterFunnel(c.tx, unit)
	if err != nil || len(posters.Rows) == 0 {
		return "", err
	}
	lines := []string{c.t.text("ikm.funnel", nil)}
	for _, r := range posters.Rows {
		id := "ikm.funnel_revoked"
		switch {
		case r.Unsigned():
			id = "ikm.funnel_unsigned"
		case r.Current:
			id = "ikm.funnel_current"
		}
		lines = append(lines, c.t.text(id, map[string]any{
			"Version": r.Version, "Scans": r.Scans, "Started": r.Started, "Completed": r.Completed,
		}))
	}
	return strings.Join(lines, "\n"), nil
}
