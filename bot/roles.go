package bot

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// role is what one person may see. City admins come from the config and
// see everything; unit admins are granted units in the store (by a city
// admin's /admin tambah or an invitation link) and see only those. It is
// read afresh for every update, commands and buttons alike, so a
// revocation takes effect at the next tap.
type role struct {
	city  bool
	units []survey.Unit // a unit admin's units, in catalog order
}

func (r role) admin() bool { return r.city || len(r.units) > 0 }

// sees reports whether the role may see the unit with this (canonical) code.
func (r role) sees(code string) bool {
	if r.city {
		return true
	}
	for _, u := range r.units {
		if u.Code == code {
			return true
		}
	}
	return false
}

// role returns the sender's role, read once per update.
func (c *conv) role() (role, error) {
	if c.who != nil {
		return *c.who, nil
	}
	r := role{city: c.b.IsAdmin(c.in.UserID)}
	if !r.city && c.in.UserID > 0 {
		codes, err := c.tx.UnitsOf(c.in.UserID)
		if err != nil {
			return role{}, err
		}
		for _, u := range c.b.cfg.Catalog.Units() {
			for _, code := range codes {
				if u.Code == code {
					r.units = append(r.units, u)
				}
			}
		}
	}
	c.who = &r
	if r.admin() {
		// Notices reach admins outside any conversation, so the language
		// their app reports is kept for them (renderNotice).
		if lang := appLang(c.in.LangCode); lang != "" && c.in.UserID > 0 {
			if err := c.tx.SetAdminLang(c.in.UserID, lang, false); err != nil {
				return role{}, err
			}
		}
	}
	return r, nil
}

// refuse answers a command the sender may not use, and changes nothing.
func (c *conv) refuse(command, id string) {
	c.b.log.Info("admin command refused", "command", command)
	c.reaskBelow(c.t.text(id, nil))
}

// refusePress answers a button the sender may not use, forged or left over
// from a revoked role, with an alert box and nothing else: the message it
// belongs to stays as it is.
func (c *conv) refusePress(id string) {
	c.b.log.Warn("admin button refused", "op", truncate(c.in.Data, 3))
	c.out.Answer(c.in.CallbackID, c.t.text(id, nil), true)
}

// invitationTTL is how long an invitation link works.
const invitationTTL = 72 * time.Hour

// admin answers /admin (city admins only): the list of unit admins,
// "tambah USER UNIT", "cabut USER UNIT" and "undang UNIT".
func (c *conv) admin(arg string) error {
	f := strings.Fields(arg)
	if len(f) == 0 {
		return c.listGrants()
	}
	verb := strings.ToLower(f[0])
	switch {
	case (verb == "tambah" || verb == "add") && len(f) == 3,
		(verb == "cabut" || verb == "revoke" || verb == "remove") && len(f) == 3:
		user, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || user <= 0 {
			c.out.Send(c.in.ChatID, c.t.text("roles.bad_user", map[string]any{"User": esc(truncate(f[1], 20))}), nil)
			return nil
		}
		u, ok := c.b.cfg.Catalog.Unit(f[2])
		if !ok {
			c.out.Send(c.in.ChatID, c.t.text("admin.unknown_unit", map[string]any{"Code": esc(truncate(f[2], 40))}), nil)
			return nil
		}
		if verb == "tambah" || verb == "add" {
			return c.grant(user, u)
		}
		return c.revoke(user, u)
	case (verb == "undang" || verb == "invite") && len(f) == 2:
		u, ok := c.b.cfg.Catalog.Unit(f[1])
		if !ok {
			c.out.Send(c.in.ChatID, c.t.text("admin.unknown_unit", map[string]any{"Code": esc(truncate(f[1], 40))}), nil)
			return nil
		}
		return c.invite(u)
	}
	c.out.Send(c.in.ChatID, c.t.text("roles.usage", nil), nil)
	return nil
}

func (c *conv) grant(user int64, u survey.Unit) error {
	if c.b.IsAdmin(user) {
		c.out.Send(c.in.ChatID, c.t.text("roles.is_city_admin", map[string]any{"User": user}), nil)
		return nil
	}
	added, err := c.tx.GrantUnit(store.Grant{User: user, Unit: u.Code, By: c.in.UserID, At: c.now, Via: "command"})
	if err != nil {
		return err
	}
	data := map[string]any{"User": user, "Unit": esc(u.Name), "Code": esc(u.Code)}
	if !added {
		c.out.Send(c.in.ChatID, c.t.text("roles.already", data), nil)
		return nil
	}
	if _, err := c.tx.AddAudit(store.AuditEntry{At: c.now, By: c.in.UserID, Action: store.AuditGrant, Unit: u.Code, User: user, Detail: "command"}); err != nil {
		return err
	}
	if err := c.notify(store.Notice{Chat: user, Kind: store.NoticeGranted, Unit: u.Code, At: c.now}); err != nil {
		return err
	}
	c.b.log.Info("unit admin granted", "unit", u.Code)
	c.out.Send(c.in.ChatID, c.t.text("roles.granted", data), nil)
	return nil
}

func (c *conv) revoke(user int64, u survey.Unit) error {
	// Read before the revocation, which forgets it with their last unit.
	lang, _, err := c.tx.AdminLang(user)
	if err != nil {
		return err
	}
	removed, err := c.tx.RevokeUnit(user, u.Code)
	if err != nil {
		return err
	}
	data := map[string]any{"User": user, "Unit": esc(u.Name), "Code": esc(u.Code)}
	if !removed {
		c.out.Send(c.in.ChatID, c.t.text("roles.not_granted", data), nil)
		return nil
	}
	if _, err := c.tx.AddAudit(store.AuditEntry{At: c.now, By: c.in.UserID, Action: store.AuditRevoke, Unit: u.Code, User: user}); err != nil {
		return err
	}
	if err := c.notify(store.Notice{Chat: user, Kind: store.NoticeRevoked, Unit: u.Code, Lang: lang, At: c.now}); err != nil {
		return err
	}
	c.b.log.Info("unit admin revoked", "unit", u.Code)
	c.out.Send(c.in.ChatID, c.t.text("roles.revoked", data), nil)
	return nil
}

func (c *conv) listGrants() error {
	grants, err := c.tx.Grants()
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(c.t.text("roles.list_title", map[string]any{"N": len(grants)}) + "\n")
	for _, g := range grants {
		via := c.t.text("roles.via_command", nil)
		if g.Via == "invite" {
			via = c.t.text("roles.via_invite", nil)
		}
		b.WriteString(c.t.text("roles.list_row", map[string]any{
			"User": g.User, "Code": esc(g.Unit), "Date": g.At.Format("2006-01-02"), "Via": via,
		}) + "\n")
	}
	b.WriteString("\n" + c.t.text("roles.usage", nil))
	for _, part := range splitMessage(b.String()) {
		c.out.Send(c.in.ChatID, part, nil)
	}
	return nil
}

// invite answers /admin undang UNIT with a one-time link that makes whoever
// opens it an admin of the unit.
func (c *conv) invite(u survey.Unit) error {
	if c.b.cfg.BotUsername == "" {
		c.out.Send(c.in.ChatID, c.t.text("roles.no_username", nil), nil)
		return nil
	}
	if _, err := c.tx.PruneInvites(c.now.Add(-30 * 24 * time.Hour)); err != nil {
		return err
	}
	inv := store.Invite{ID: deeplink.NewInviteID(c.b.cfg.Secret, c.b.cfg.NewID()), Unit: u.Code, By: c.in.UserID, Created: c.now, Expires: c.now.Add(invitationTTL)}
	if err := c.tx.PutInvite(inv); err != nil {
		return err
	}
	if _, err := c.tx.AddAudit(store.AuditEntry{At: c.now, By: c.in.UserID, Action: store.AuditInvite, Unit: u.Code, Detail: inv.ID}); err != nil {
		return err
	}
	c.b.log.Info("admin invitation made", "unit", u.Code)
	link := deeplink.DeepLink(c.b.cfg.BotUsername, deeplink.SignInvite(c.b.cfg.Secret, inv.ID))
	c.out.Send(c.in.ChatID, c.t.text("roles.invite", map[string]any{
		"Unit": esc(u.Name), "Code": esc(u.Code), "Link": esc(link), "Hours": int(invitationTTL.Hours()),
		"Expires": inv.Expires.Format("2006-01-02 15:04 MST"),
	}), nil)
	return nil
}

// redeemInvite handles /start with an invitation payload.
func (c *conv) redeemInvite(payload string) error {
	id, ok := deeplink.VerifyInvite(c.b.cfg.Secret, payload)
	if !ok {
		c.b.log.Info("invitation refused", "reason", "signature")
		c.out.Send(c.in.ChatID, c.t.text("invite.invalid", nil), nil)
		return nil
	}
	inv, err := c.tx.Invite(id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		c.b.log.Info("invitation refused", "reason", "unknown")
		c.out.Send(c.in.ChatID, c.t.text("invite.invalid", nil), nil)
		return nil
	case err != nil:
		return err
	}
	u, known := c.b.cfg.Catalog.Unit(inv.Unit)
	switch {
	case inv.UsedBy != 0 && inv.UsedBy == c.in.UserID && known:
		// The officer who used it, opening it again: say where they stand.
		units, err := c.tx.UnitsOf(c.in.UserID)
		if err != nil {
			return err
		}
		id := "invite.used_by_you"
		if slices.Contains(units, u.Code) {
			id = "invite.already"
		}
		c.b.log.Info("invitation reopened", "unit", u.Code)
		c.out.Send(c.in.ChatID, c.t.text(id, map[string]any{"Unit": esc(u.Name), "Code": esc(u.Code)}), nil)
		return nil
	case inv.UsedBy != 0:
		c.b.log.Info("invitation refused", "reason", "used")
		c.out.Send(c.in.ChatID, c.t.text("invite.used", nil), nil)
		return nil
	case !c.now.Before(inv.Expires):
		c.b.log.Info("invitation refused", "reason", "expired")
		c.out.Send(c.in.ChatID, c.t.text("invite.expired", nil), nil)
		return nil
	case !known || !c.b.IsAdmin(inv.By):
		// A unit since removed, or a maker who is no longer a city admin:
		// the invitation dies with their authority.
		c.b.log.Info("invitation refused", "reason", "unit or maker gone")
		c.out.Send(c.in.ChatID, c.t.text("invite.invalid", nil), nil)
		return nil
	case c.b.IsAdmin(c.in.UserID):
		// The city admin testing the link: keep it for the officer.
		c.out.Send(c.in.ChatID, c.t.text("invite.city_admin", map[string]any{"Unit": esc(u.Name)}), nil)
		return nil
	}
	added, err := c.tx.GrantUnit(store.Grant{User: c.in.UserID, Unit: u.Code, By: inv.By, At: c.now, Via: "invite"})
	if err != nil {
		return err
	}
	if !added {
		c.out.Send(c.in.ChatID, c.t.text("invite.already", map[string]any{"Unit": esc(u.Name)}), nil)
		return nil
	}
	if err := c.tx.UseInvite(id, c.in.UserID, c.now); err != nil {
		return err
	}
	_, err = c.tx.AddAudit(store.AuditEntry{At: c.now, By: inv.By, Action: store.AuditGrant, Unit: u.Code, User: c.in.UserID, Detail: "invite " + id})
	if err != nil {
		return err
	}
	if err := c.notify(store.Notice{Chat: inv.By, Kind: store.NoticeInviteUsed, Unit: u.Code, User: c.in.UserID, At: c.now}); err != nil {
		return err
	}
	c.who = nil
	c.b.log.Info("invitation used", "unit", u.Code)
	c.out.Send(c.in.ChatID, c.t.text("invite.welcome", map[string]any{"Unit": esc(u.Name), "Code": esc(u.Code)}), nil)
	return nil
}

// An /audit page shows up to auditPerPage entries, newest first, and
// fewer when their lines would not fit auditBudget UTF-16 units (Telegram
// counts its 4096 that way); a detail is cut to auditDetailRunes, so that
// one entry never fills a page: an export of a unit admin's units names
// every unit in the log, and a page of those once broke /audit.
const (
	auditPerPage     = 10
	auditBudget      = 3500
	auditDetailRunes = 160
)

// audit answers /audit (city admins): the audit log, newest first.
func (c *conv) audit() error {
	text, kb, err := c.auditPage(0)
	if err != nil {
		return err
	}
	c.out.Send(c.in.ChatID, text, kb)
	return nil
}

func (c *conv) auditPage(before uint64) (string, *models.InlineKeyboardMarkup, error) {
	entries, more, err := c.tx.Audit(before, auditPerPage)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	b.WriteString(c.t.text("audit.title", nil) + "\n")
	if len(entries) == 0 {
		b.WriteString(c.t.text("audit.empty", nil))
	}
	used := utf16Units(b.String())
	for i, e := range entries {
		line := c.auditLine(e)
		if used += utf16Units(line) + 1; used > auditBudget && i > 0 {
			// The rest start the next page.
			entries, more = entries[:i], true
			break
		}
		b.WriteString(line + "\n")
	}
	var nav []models.InlineKeyboardButton
	if before != 0 {
		nav = append(nav, telegram.Button(c.t.text("btn.newest", nil), encodeAudit(0)))
	}
	if more {
		nav = append(nav, telegram.Button(c.t.text("btn.older", nil), encodeAudit(entries[len(entries)-1].Seq)))
	}
	var kb *models.InlineKeyboardMarkup
	if len(nav) > 0 {
		kb = telegram.Keyboard(nav)
	}
	return strings.TrimRight(b.String(), "\n"), kb, nil
}

// auditLine is one entry of the log as /audit shows it.
func (c *conv) auditLine(e store.AuditEntry) string {
	detail := e.Detail
	switch {
	case e.Action == store.AuditGrant && detail == "command":
		detail = c.t.text("roles.via_command", nil)
	case e.Action == store.AuditGrant && strings.HasPrefix(detail, "invite"):
		detail = c.t.text("roles.via_invite", nil)
	case e.Action == store.AuditPlanAdd:
		// "#3 waktu": the element by its name.
		if n, el, ok := strings.Cut(detail, " "); ok && survey.ElementIndex(survey.ElementKey(el)) >= 0 {
			detail = n + " " + c.t.text("element."+el+".short", nil)
		}
	case e.Action == store.AuditPlanStatus:
		// "#3 open progress": the statuses by their names.
		if f := strings.Fields(detail); len(f) == 3 && statusRank(f[1]) > 0 && statusRank(f[2]) > 0 {
			detail = f[0] + ": " + c.t.text("tl.status_"+f[1], nil) + " → " + c.t.text("tl.status_"+f[2], nil)
		}
	}
	data := map[string]any{
		"Time": e.At.Format("2006-01-02 15:04"), "By": e.By, "User": e.User, "Code": esc(e.Unit),
		"Detail": esc(truncate(detail, auditDetailRunes)), "Action": esc(e.Action),
	}
	id := "audit." + e.Action
	if s := c.t.text(id, data); s != id {
		return s
	}
	return c.t.text("audit.generic", data)
}

// whoami answers /id with the sender's own Telegram user id, which a city
// admin needs for /admin tambah. Nothing is stored.
func (c *conv) whoami() {
	c.out.Send(c.in.ChatID, c.t.text("roles.your_id", map[string]any{"User": c.in.UserID}), nil)
}
