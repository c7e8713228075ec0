package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Unit admins, invitations and the audit log; see doc.go for the layout.
// City admins come from the config and are not stored. Telegram user ids
// are stored here only for people who administer units (or invited them):
// a respondent's id never reaches these buckets (roles/, invites/,
// audit/).

// Grant is one unit admin's right to see one unit.
type Grant struct {
	User int64     // Telegram user id of the unit admin
	Unit string    // unit code, as configured
	By   int64     // the city admin who granted it, or who made the invitation
	At   time.Time // when
	Via  string    // "command" or "invite"
}

// grantRecord is the value of roles/<user>/<unit>.
type grantRecord struct {
	By  int64  `json:"by"`
	At  int64  `json:"at"` // unix seconds
	Via string `json:"via,omitempty"`
}

// GrantUnit makes g.User an admin of g.Unit. It reports false, changing
// nothing, when the grant already exists.
func (tx *Tx) GrantUnit(g Grant) (bool, error) {
	if g.User <= 0 || g.Unit == "" {
		return false, fmt.Errorf("grant: bad user %d or unit %q", g.User, g.Unit)
	}
	root, err := tx.writeBucket(bucketRoles)
	if err != nil {
		return false, err
	}
	ub, err := root.CreateBucketIfNotExists(i64key(g.User))
	if err != nil {
		return false, fmt.Errorf("roles/%d: %w", g.User, err)
	}
	if ub.Get([]byte(g.Unit)) != nil {
		return false, nil
	}
	v, err := json.Marshal(grantRecord{By: g.By, At: g.At.Unix(), Via: g.Via})
	if err != nil {
		return false, err
	}
	return true, ub.Put([]byte(g.Unit), v)
}

// RevokeUnit takes g.Unit away from user. It reports false when there was
// no such grant. A user left with no unit is forgotten.
func (tx *Tx) RevokeUnit(user int64, unit string) (bool, error) {
	ub := nested(tx.bucket(bucketRoles), string(i64key(user)))
	if ub == nil || ub.Get([]byte(unit)) == nil {
		return false, nil
	}
	if _, err := tx.writeBucket(bucketRoles); err != nil {
		return false, err
	}
	if err := ub.Delete([]byte(unit)); err != nil {
		return false, err
	}
	if k, _ := ub.Cursor().First(); k == nil {
		if err := tx.bucket(bucketRoles).DeleteBucket(i64key(user)); err != nil {
			return false, err
		}
		// No longer an admin: their language goes with them.
		if b := tx.bucket(bucketAdminLangs); b != nil {
			if err := b.Delete(i64key(user)); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// adminLangRecord is the value of admin_langs/<user>.
type adminLangRecord struct {
	Lang   string `json:"lang"`
	Chosen bool   `json:"chosen,omitempty"`
}

// SetAdminLang records the language admin user reads, for the notices
// sent to them: chosen when they picked it with /bahasa, else the one
// their Telegram app reports, which never overrides a choice. Call it for
// admins only; a unit admin's goes when their last unit is revoked.
func (tx *Tx) SetAdminLang(user int64, lang string, chosen bool) error {
	if user <= 0 || lang == "" {
		return fmt.Errorf("admin language: bad user %d or language %q", user, lang)
	}
	old, oldChosen, err := tx.AdminLang(user)
	if err != nil || old == lang && (oldChosen || !chosen) || oldChosen && !chosen {
		return err
	}
	b, err := tx.writeBucket(bucketAdminLangs)
	if err != nil {
		return err
	}
	v, err := json.Marshal(adminLangRecord{Lang: lang, Chosen: chosen})
	if err != nil {
		return err
	}
	return b.Put(i64key(user), v)
}

// AdminLang returns the language recorded for admin user, and whether they
// chose it; "" when none is.
func (tx *Tx) AdminLang(user int64) (lang string, chosen bool, err error) {
	b := tx.bucket(bucketAdminLangs)
	if b == nil {
		return "", false, nil
	}
	v := b.Get(i64key(user))
	if v == nil {
		return "", false, nil
	}
	var rec adminLangRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return "", false, fmt.Errorf("admin_langs/%d: %w", user, err)
	}
	return rec.Lang, rec.Chosen, nil
}

// UnitsOf returns the codes of the units user administers, sorted.
func (tx *Tx) UnitsOf(user int64) ([]string, error) {
	ub := nested(tx.bucket(bucketRoles), string(i64key(user)))
	if ub == nil {
		return nil, nil
	}
	var out []string
	err := ub.ForEach(func(k, _ []byte) error {
		out = append(out, string(k))
		return nil
	})
	return out, err
}

// AdminsOf returns the user ids of the unit's admins, in id order. It reads
// every grant: there are a few per unit, a few hundred in a city.
func (tx *Tx) AdminsOf(unit string) ([]int64, error) {
	var out []int64
	err := tx.forEachGrant(func(g Grant) error {
		if g.Unit == unit {
			out = append(out, g.User)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// Grants returns every grant, ordered by user id then unit code.
func (tx *Tx) Grants() ([]Grant, error) {
	var out []Grant
	err := tx.forEachGrant(func(g Grant) error {
		out = append(out, g)
		return nil
	})
	slices.SortStableFunc(out, func(a, b Grant) int {
		switch {
		case a.User != b.User:
			if a.User < b.User {
				return -1
			}
			return 1
		case a.Unit < b.Unit:
			return -1
		case a.Unit > b.Unit:
			return 1
		}
		return 0
	})
	return out, err
}

func (tx *Tx) forEachGrant(fn func(Grant) error) error {
	root := tx.bucket(bucketRoles)
	if root == nil {
		return nil
	}
	return root.ForEachBucket(func(uk []byte) error {
		user, err := keyU64(uk)
		if err != nil {
			return fmt.Errorf("roles key %x: %w", uk, err)
		}
		return root.Bucket(uk).ForEach(func(k, v []byte) error {
			var rec grantRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("roles/%d/%s: %w", int64(user), k, err)
			}
			return fn(Grant{User: int64(user), Unit: string(k), By: rec.By, At: time.Unix(rec.At, 0).In(tx.s.opts.Location), Via: rec.Via})
		})
	})
}

// Invite is a one-time link that makes whoever opens it an admin of Unit,
// until Expires. The link carries ID and a signature the bot makes; the
// store keeps only ID, so a copy of the file cannot be turned into links.
type Invite struct {
	ID      string
	Unit    string
	By      int64 // the city admin who made it
	Created time.Time
	Expires time.Time
	UsedBy  int64 // 0 while unused
	UsedAt  time.Time
}

// inviteRecord is the value of invites/<id>.
type inviteRecord struct {
	Unit    string `json:"unit"`
	By      int64  `json:"by"`
	Created int64  `json:"at"`
	Expires int64  `json:"exp"`
	UsedBy  int64  `json:"used_by,omitempty"`
	UsedAt  int64  `json:"used_at,omitempty"`
}

// ErrInviteUsed means an invitation was already redeemed.
var ErrInviteUsed = errors.New("invitation already used")

// PutInvite stores a new invitation; an id already stored is an error.
func (tx *Tx) PutInvite(inv Invite) error {
	if inv.ID == "" || inv.Unit == "" {
		return errors.New("put invite: no id or unit")
	}
	b, err := tx.writeBucket(bucketInvites)
	if err != nil {
		return err
	}
	if b.Get([]byte(inv.ID)) != nil {
		return fmt.Errorf("put invite %s: id already used", inv.ID)
	}
	return tx.putInvite(inv)
}

func (tx *Tx) putInvite(inv Invite) error {
	b, err := tx.writeBucket(bucketInvites)
	if err != nil {
		return err
	}
	rec := inviteRecord{Unit: inv.Unit, By: inv.By, Created: inv.Created.Unix(), Expires: inv.Expires.Unix(), UsedBy: inv.UsedBy}
	if inv.UsedBy != 0 {
		rec.UsedAt = inv.UsedAt.Unix()
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return b.Put([]byte(inv.ID), v)
}

// Invite returns a stored invitation, or an error wrapping ErrNotFound.
func (tx *Tx) Invite(id string) (Invite, error) {
	b := tx.bucket(bucketInvites)
	var v []byte
	if b != nil && id != "" {
		v = b.Get([]byte(id))
	}
	if v == nil {
		return Invite{}, fmt.Errorf("invite %s: %w", id, ErrNotFound)
	}
	var rec inviteRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return Invite{}, fmt.Errorf("invites/%s: %w", id, err)
	}
	loc := tx.s.opts.Location
	inv := Invite{ID: id, Unit: rec.Unit, By: rec.By, Created: time.Unix(rec.Created, 0).In(loc), Expires: time.Unix(rec.Expires, 0).In(loc), UsedBy: rec.UsedBy}
	if rec.UsedBy != 0 {
		inv.UsedAt = time.Unix(rec.UsedAt, 0).In(loc)
	}
	return inv, nil
}

// UseInvite marks an invitation redeemed by user at at. A second use fails
// with ErrInviteUsed, so a link works once even if forwarded.
func (tx *Tx) UseInvite(id string, user int64, at time.Time) error {
	inv, err := tx.Invite(id)
	if err != nil {
		return err
	}
	if inv.UsedBy != 0 {
		return fmt.Errorf("invite %s: %w", id, ErrInviteUsed)
	}
	inv.UsedBy, inv.UsedAt = user, at
	return tx.putInvite(inv)
}

// PruneInvites deletes invitations that expired before cutoff, used or not;
// the audit log keeps what they did.
func (tx *Tx) PruneInvites(cutoff time.Time) (int, error) {
	b := tx.bucket(bucketInvites)
	if b == nil {
		return 0, nil
	}
	var old [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var rec inviteRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("invites/%s: %w", k, err)
		}
		if rec.Expires < cutoff.Unix() {
			old = append(old, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil || len(old) == 0 {
		return 0, err
	}
	if _, err := tx.writeBucket(bucketInvites); err != nil {
		return 0, err
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

// Audit actions.
const (
	AuditGrant  = "grant"  // a unit admin added (by command or invitation)
	AuditRevoke = "revoke" // a unit admin removed
	AuditInvite = "invite" // an invitation link made
	AuditExport = "export" // data left the bot as a file: an export or a backup

	AuditCounterRotate = "counter_rotate" // a unit's counter key replaced (/loket ganti)
	AuditCounterShow   = "counter_show"   // a unit's counter key shown in the chat (/loket kunci)

	AuditPoster       = "poster"        // a unit's QR code and poster given out (/qr CODE); Detail the poster version
	AuditPosterRevoke = "poster_revoke" // a unit's posters revoked (/qr cabut CODE); Detail the new version

	AuditPlanAdd    = "plan_add"    // a follow-up plan recorded; Detail "#<seq> <element>"
	AuditPlanStatus = "plan_status" // a plan's status changed; Detail "#<seq> <from> <to>"
)

// AuditEntry is one line of the audit log: who did what, when. By is the
// acting admin's Telegram user id; User the admin a grant is about.
type AuditEntry struct {
	Seq    uint64 // set by AddAudit
	At     time.Time
	By     int64
	Action string
	Unit   string // "" when the action is not about one unit
	User   int64  // 0 when the action is not about another admin
	Detail string // e.g. "invite", "backup", a file name
}

// auditRecord is the value of audit/<seq>.
type auditRecord struct {
	At     int64  `json:"at"`
	By     int64  `json:"by"`
	Action string `json:"act"`
	Unit   string `json:"unit,omitempty"`
	User   int64  `json:"user,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// AddAudit appends e to the audit log, in the transaction of the action
// itself, and returns its sequence number. Entries are never changed.
func (tx *Tx) AddAudit(e AuditEntry) (uint64, error) {
	if e.Action == "" {
		return 0, errors.New("add audit: no action")
	}
	b, err := tx.writeBucket(bucketAudit)
	if err != nil {
		return 0, err
	}
	b.FillPercent = 0.9 // append only
	seq, err := b.NextSequence()
	if err != nil {
		return 0, err
	}
	v, err := json.Marshal(auditRecord{At: e.At.Unix(), By: e.By, Action: e.Action, Unit: e.Unit, User: e.User, Detail: e.Detail})
	if err != nil {
		return 0, err
	}
	return seq, b.Put(u64key(seq), v)
}

// Audit returns up to n entries, newest first, with sequence numbers below
// before (0: from the newest), and whether older ones remain.
func (tx *Tx) Audit(before uint64, n int) ([]AuditEntry, bool, error) {
	b := tx.bucket(bucketAudit)
	if b == nil || n <= 0 {
		return nil, false, nil
	}
	c := b.Cursor()
	k, v := c.Last()
	if before != 0 {
		if k, v = c.Seek(u64key(before)); k == nil {
			k, v = c.Last()
		}
		for k != nil {
			if seq, err := keyU64(k); err == nil && seq < before {
				break
			}
			k, v = c.Prev()
		}
	}
	var out []AuditEntry
	for ; k != nil; k, v = c.Prev() {
		if len(out) == n {
			return out, true, nil
		}
		seq, err := keyU64(k)
		if err != nil {
			return nil, false, fmt.Errorf("audit key %x: %w", k, err)
		}
		var rec auditRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, false, fmt.Errorf("audit/%d: %w", seq, err)
		}
		out = append(out, AuditEntry{
			Seq: seq, At: time.Unix(rec.At, 0).In(tx.s.opts.Location), By: rec.By, Action: rec.Action,
			Unit: rec.Unit, User: rec.User, Detail: rec.Detail,
		})
	}
	return out, false, nil
}
