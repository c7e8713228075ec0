// Package web is the city's public site, served by ikmbot serve --web from
// the process that holds the database: the landing page a poster's QR code
// opens (PUBLIC_URL/s/<signed payload>), and the browser form for people
// without Telegram.
//
// The form drives the same survey engine as the chat (survey.Session): one
// question a screen, every input fed to Session.Apply, every event rendered
// as a page. Nothing of the questionnaire's rules is written here. Pages are
// server-rendered with html/template from the same locale messages as the
// chat, need no JavaScript, and stay well under 50 kB.
//
// Rules the package keeps:
//   - a browser is known by a random id in a signed cookie; the store keeps
//     only a keyed hash of it (the respondent hash), never an IP address;
//     one response per browser per unit per period, as the chat's per person;
//   - every POST carries a CSRF token bound to the browser and, in the form,
//     to the number of answers accepted so far, so a replayed post changes
//     nothing; cross-origin posts are refused (http.CrossOriginProtection);
//   - each POST is one store transaction: the session's new state, or the
//     completed response with its aggregates (agg_web/ too) and the
//     session's deletion, commit together or not at all;
//   - clients are rate-limited by address (memory only), bodies are capped,
//     and every refusal is a localized page that says what happened and
//     that nothing was recorded wrongly.
package web
