// Package survey is the domain of ikmbot: the SKM questionnaire of PermenPANRB
// 14/2017, the resumable session state machine that walks one respondent
// through it, and the scoring that turns responses into the IKM.
//
// It imports only the standard library. It never formats a chat message, never
// reads a clock (time is an input) and never starts a goroutine: callers feed it
// inputs and render the events it returns.
package survey
