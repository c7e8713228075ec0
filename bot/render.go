package bot

import (
	"strconv"
	"strings"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/survey"
)

// question renders the session's current question and its buttons. Every
// button carries the session id and the step, so a press on an older copy of
// a question is recognised as stale.
func (c *conv) question(s *survey.Session) (string, *models.InlineKeyboardMarkup) {
	st := s.Current()
	var b strings.Builder
	switch st.Kind {
	case survey.StepElement:
		n := s.Step - survey.FirstElementStep + 1
		b.WriteString("<i>" + c.t.text("progress.element", map[string]any{"N": n, "Total": survey.NumElements}) + "</i> · <b>")
		b.WriteString(c.t.text("element."+string(st.Element)+".name", nil) + "</b>\n")
		b.WriteString(c.t.text("element."+string(st.Element)+".question", nil))
	case survey.StepItem:
		q := "extra." + string(st.Extra.Key) + "."
		b.WriteString("<i>" + c.t.text("progress.extra", map[string]any{"Title": c.t.text(q+"title", nil), "N": st.Item + 1, "Total": len(st.Extra.Items)}) + "</i>\n")
		if st.Item == 0 {
			b.WriteString(c.t.text(q+"intro", map[string]any{"Unit": esc(s.Unit.Name)}) + "\n\n")
		}
		b.WriteString("<b>" + c.t.text(q+st.Extra.Items[st.Item].Key+".question", nil) + "</b>")
	case survey.StepSuggestion:
		b.WriteString("<i>" + c.t.text("progress.suggestion", nil) + "</i>\n")
		b.WriteString(c.t.text("q.suggestion", map[string]any{"Unit": esc(s.Unit.Name), "Max": survey.MaxSuggestionRunes}))
	default:
		b.WriteString("<i>" + c.t.text("progress.profile", map[string]any{"N": s.Step + 1, "Total": survey.FirstElementStep}) + "</i>\n")
		b.WriteString(c.t.text("q."+st.Name, nil))
	}

	var rows [][]models.InlineKeyboardButton
	choices := st.Choices(s.Unit)
	perRow := 2
	if st.Kind == survey.StepElement || st.Kind == survey.StepItem || st.Kind == survey.StepProfile && st.Question.Answer == survey.AnswerService {
		perRow = 1 // long labels: one per row stays readable on a small phone
	}
	var row []models.InlineKeyboardButton
	for i, v := range choices {
		row = append(row, telegram.Button(c.choiceLabel(st, v, i), encodeAnswer(s.ID, s.Step, i)))
		if len(row) == perRow {
			rows = append(rows, row)
			row = nil
		}
	}
	rows = append(rows, row)

	var nav []models.InlineKeyboardButton
	if s.Step > 0 {
		nav = append(nav, telegram.Button(c.t.text("btn.back", nil), encodeBack(s.ID, s.Step)))
	}
	if st.Skippable() {
		label := c.t.text("btn.skip", nil)
		switch {
		case st.Kind == survey.StepProfile && st.Question.Answer == survey.AnswerAge:
			label = c.t.text("btn.no_answer", nil)
		case st.Kind == survey.StepItem:
			label = c.t.text("btn.skip_block", nil)
		}
		nav = append(nav, telegram.Button(label, encodeSkip(s.ID, s.Step)))
	}
	rows = append(rows, nav)
	return b.String(), telegram.Keyboard(rows...)
}

// choiceLabel is the button text of a choice. Service names come from the
// city's config and are shown as written there.
func (c *conv) choiceLabel(st survey.Step, value string, i int) string {
	switch st.Kind {
	case survey.StepElement:
		return c.t.text("element."+string(st.Element)+".s"+value, nil)
	case survey.StepProfile:
		return c.profileOption(st.Question, value)
	case survey.StepItem:
		return c.t.text("scale"+strconv.Itoa(st.Extra.Scale)+".s"+value, nil)
	}
	return value
}

// extrasWelcome is the welcome's note on the unit's extra questionnaires,
// which may be skipped; "" for a unit that asks none.
func (c *conv) extrasWelcome(u survey.Unit) string {
	if len(u.Extras) == 0 {
		return ""
	}
	text := c.t.text("welcome_extra", nil)
	for _, x := range u.Extras {
		text += "\n" + c.t.text("welcome_extra_part", map[string]any{"N": len(x.Items), "Topic": c.t.text("extra."+string(x.Key)+".topic", nil)})
	}
	return text
}

// profileOption is the label of a choice of a profile question: a fixed
// choice by its locale key, a service as the city's config writes it.
func (c *conv) profileOption(q *survey.ProfileQuestion, value string) string {
	if id := q.OptionID(value); id != "" {
		return c.t.text(id, nil)
	}
	return value
}

// unitsPerPage keeps a picker page within one phone screen.
const unitsPerPage = 8

func (c *conv) typeName(t survey.UnitType) string {
	if n, ok := c.b.cfg.TypeNames[t]; ok && n != "" {
		return n
	}
	if s := c.t.text("unit_type."+string(t), nil); s != "unit_type."+string(t) {
		return s
	}
	return string(t)
}

func (c *conv) typesKeyboard() *models.InlineKeyboardMarkup {
	var rows [][]models.InlineKeyboardButton
	for _, t := range c.b.cfg.Catalog.Types() {
		n := len(c.b.cfg.Catalog.OfType(t))
		rows = append(rows, []models.InlineKeyboardButton{telegram.Button(c.typeName(t)+" ("+itoa(n)+")", encodeTypePage(string(t), 1))})
	}
	return telegram.Keyboard(rows...)
}

// typePage renders page (1-based) of the units of type t.
func (c *conv) typePage(t survey.UnitType, page int) (string, *models.InlineKeyboardMarkup, bool) {
	units := c.b.cfg.Catalog.OfType(t)
	pages := (len(units) + unitsPerPage - 1) / unitsPerPage
	if len(units) == 0 || page < 1 || page > pages {
		return "", nil, false
	}
	lo, hi := (page-1)*unitsPerPage, min(page*unitsPerPage, len(units))
	rows := unitRows(units[lo:hi])
	var nav []models.InlineKeyboardButton
	if page > 1 {
		nav = append(nav, telegram.Button(c.t.text("btn.prev", nil), encodeTypePage(string(t), page-1)))
	}
	if page < pages {
		nav = append(nav, telegram.Button(c.t.text("btn.next", nil), encodeTypePage(string(t), page+1)))
	}
	rows = append(rows, nav, []models.InlineKeyboardButton{telegram.Button(c.t.text("btn.types", nil), encodeTypes())})
	text := c.t.plural("picker.page", len(units), map[string]any{"Type": esc(c.typeName(t)), "Count": len(units), "Page": page, "Pages": pages})
	return text, telegram.Keyboard(rows...), true
}

func unitRows(units []survey.Unit) [][]models.InlineKeyboardButton {
	rows := make([][]models.InlineKeyboardButton, 0, len(units))
	for _, u := range units {
		rows = append(rows, []models.InlineKeyboardButton{telegram.Button(u.Name, encodeUnit(u.Code))})
	}
	return rows
}

// maxQueryRunes bounds a typed unit search; longer text is not a unit name.
const maxQueryRunes = 64

// search answers text typed outside a survey as a search for a unit.
func (c *conv) search(q string) {
	q = strings.Join(strings.Fields(q), " ")
	if len([]rune(q)) > maxQueryRunes {
		c.out.Send(c.in.ChatID, c.t.text("picker.query_too_long", nil), nil)
		return
	}
	units := c.b.cfg.Catalog.Search(q)
	if len(units) == 0 {
		c.out.Send(c.in.ChatID, c.t.text("picker.none", map[string]any{"Query": esc(q)}), c.typesKeyboard())
		return
	}
	text := c.t.text("picker.results", map[string]any{"Query": esc(q)})
	if len(units) > unitsPerPage {
		text += "\n" + c.t.text("picker.more", map[string]any{"Shown": unitsPerPage, "Count": len(units)})
		units = units[:unitsPerPage]
	}
	rows := append(unitRows(units), []models.InlineKeyboardButton{telegram.Button(c.t.text("btn.types", nil), encodeTypes())})
	c.out.Send(c.in.ChatID, text, telegram.Keyboard(rows...))
}
