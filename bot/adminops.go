package bot

import (
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/survey"
)

// adminData is a parsed admin button.
type adminData struct {
	op     string
	v      view // the i* ops
	unit   string
	elem   survey.ElementKey
	seq    uint64
	cursor string // sg: a sealed position (cursor.go)
	from   string // fs: the plan's status the button was drawn for; "" in buttons older than that
	status string // fs: the status to set
	format byte   // the x* ops: the file (exports.go)
}

// adminOp is one row of the admin button table (the ops are listed in
// view.go): a new screen is one more row.
type adminOp struct {
	fields int   // colon-separated fields of its data, the op's own included
	scope  scope // anyAdmin: the unit it names is checked against the role; cityAdmin: city admins only
	// parse reads the fields after the op into d, through f's checks.
	parse func(f *fieldReader, d *adminData, parts []string)
	// press acts on a press the role has been checked for; u is the unit
	// the data names (zero when it names none).
	press func(c *conv, d adminData, u survey.Unit, r role) error
}

// adminOps are the admin buttons, by op.
var adminOps = map[string]adminOp{
	"ic": {2, cityAdmin, periodOnly, showView},
	"it": {4, cityAdmin, func(f *fieldReader, d *adminData, p []string) {
		d.v.arg, d.v.period, d.v.page = f.code(p[1]), f.period(p[2]), f.page(p[3])
	}, showView},
	"iu": {3, anyAdmin, unitAndPeriod, showView},
	"ie": {4, anyAdmin, func(f *fieldReader, d *adminData, p []string) {
		d.unit, d.v.elem, d.v.period = f.code(p[1]), f.element(p[2]), f.period(p[3])
	}, showView},
	"ip": {3, anyAdmin, unitAndPeriod, showView},
	"im": {2, anyAdmin, periodOnly, showView},
	"ir": {3, cityAdmin, func(f *fieldReader, d *adminData, p []string) {
		d.v.period, d.v.page = f.period(p[1]), f.page(p[2])
	}, showView},
	"ix": {2, cityAdmin, periodOnly, showView},
	"sg": {3, anyAdmin, func(f *fieldReader, d *adminData, p []string) {
		d.unit, d.cursor = f.code(p[1]), p[2]
		f.check(validCursor(d.cursor))
	}, func(c *conv, d adminData, u survey.Unit, _ role) error {
		before, ok := c.b.openCursor(u.Code, d.cursor)
		if !ok {
			c.out.Answer(c.in.CallbackID, c.t.text("toast.invalid", nil), false)
			return nil
		}
		return c.showPage(c.suggestionsPage(u, before))
	}},
	"au": {2, cityAdmin, func(f *fieldReader, d *adminData, p []string) {
		d.seq = f.seq(p[1])
	}, func(c *conv, d adminData, _ survey.Unit, _ role) error {
		return c.showPage(c.auditPage(d.seq))
	}},
	"fl": {2, anyAdmin, func(f *fieldReader, d *adminData, p []string) {
		d.unit = f.code(p[1])
	}, followUpOp},
	"fn": {3, anyAdmin, func(f *fieldReader, d *adminData, p []string) {
		d.unit, d.elem = f.code(p[1]), f.element(p[2])
	}, followUpOp},
	"fs": {4, anyAdmin, func(f *fieldReader, d *adminData, p []string) {
		d.unit, d.seq = f.code(p[1]), f.seq(p[2])
		d.from, d.status = parseStatusMove(p[3])
		f.check(d.seq > 0 && d.status != "")
	}, followUpOp},
	"xc": {3, cityAdmin, exportFields, exportOp},
	"xt": {4, cityAdmin, func(f *fieldReader, d *adminData, p []string) {
		exportFields(f, d, p)
		d.v.arg = f.code(p[2])
	}, exportOp},
	"xu": {4, anyAdmin, func(f *fieldReader, d *adminData, p []string) {
		exportFields(f, d, p)
		d.unit = f.code(p[2])
	}, exportOp},
	"xm": {3, anyAdmin, exportFields, exportOp},
}

func periodOnly(f *fieldReader, d *adminData, p []string) { d.v.period = f.period(p[1]) }

func unitAndPeriod(f *fieldReader, d *adminData, p []string) {
	d.unit, d.v.period = f.code(p[1]), f.period(p[2])
}

// exportFields reads an export's format (the first field) and period (the
// last).
func exportFields(f *fieldReader, d *adminData, p []string) {
	if f.check(validExportFormat(p[1])) {
		d.format = p[1][0]
	}
	d.v.period = f.period(p[len(p)-1])
}

func showView(c *conv, d adminData, _ survey.Unit, r role) error {
	text, kb, ok, err := c.render(d.v, r)
	if err == nil && !ok {
		c.out.Answer(c.in.CallbackID, c.t.text("toast.invalid", nil), false)
		return nil
	}
	return c.showPage(text, kb, err)
}

func followUpOp(c *conv, d adminData, u survey.Unit, _ role) error { return c.followUpPress(d, u) }
func exportOp(c *conv, d adminData, _ survey.Unit, r role) error   { return c.exportPress(d, r) }

// fieldReader checks the fields of admin data as it reads them; ok stays
// false once one is bad.
type fieldReader struct {
	loc *time.Location
	ok  bool
}

func (f *fieldReader) check(good bool) bool {
	f.ok = f.ok && good
	return good
}

func (f *fieldReader) period(s string) survey.Period {
	p, good := decodePeriod(s, f.loc)
	f.check(good)
	return p
}

func (f *fieldReader) code(s string) string {
	f.check(deeplink.ValidCode(s))
	return s
}

func (f *fieldReader) element(s string) survey.ElementKey {
	e, good := elementOfToken(s)
	f.check(good)
	return e
}

func (f *fieldReader) page(s string) int {
	n, good := smallInt(s)
	f.check(good && n >= 1)
	return n
}

func (f *fieldReader) seq(s string) uint64 {
	n, good := seqNumber(s)
	f.check(good)
	return n
}

// parseAdminData decodes admin callback data, or reports false.
func parseAdminData(data string, loc *time.Location) (adminData, bool) {
	if len(data) > maxCallbackData {
		return adminData{}, false
	}
	parts := strings.Split(data, ":")
	d := adminData{op: parts[0]}
	op, known := adminOps[d.op]
	if !known || len(parts) != op.fields {
		return adminData{}, false
	}
	f := fieldReader{loc: loc, ok: true}
	op.parse(&f, &d, parts)
	if !f.ok {
		return adminData{}, false
	}
	if d.op[0] == 'i' || d.op[0] == 'x' {
		d.v.kind = d.op[1]
		if d.unit != "" {
			d.v.arg = d.unit
		}
	}
	return d, true
}

// adminPress handles an admin button: the role is checked against what the
// button names, and the op's scope, before anything is read, and a refusal
// leaves the message as it is.
func (c *conv) adminPress(d adminData) error {
	r, err := c.role()
	if err != nil {
		return err
	}
	if !r.admin() {
		c.refusePress("admin.refuse")
		return nil
	}
	var u survey.Unit
	if d.unit != "" {
		var ok bool
		if u, ok = c.b.cfg.Catalog.Unit(d.unit); !ok {
			c.out.Answer(c.in.CallbackID, c.t.text("toast.invalid", nil), false)
			return nil
		}
		if !r.sees(u.Code) {
			c.refusePress("admin.refuse_unit")
			return nil
		}
		d.v.arg = u.Code
	}
	op := adminOps[d.op]
	if op.scope != anyAdmin && !r.city {
		c.refusePress("admin.refuse_city")
		return nil
	}
	return op.press(c, d, u, r)
}

// showPage shows a screen drawn by one of the page functions.
func (c *conv) showPage(text string, kb *models.InlineKeyboardMarkup, err error) error {
	if err != nil {
		return err
	}
	c.show(text, kb)
	return nil
}
