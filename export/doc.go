// Package export draws the files a city or a unit sends onward: the XLSX
// workbook in the layout of the regulation's worksheets (a "pengolahan data
// per responden dan per unsur" sheet per unit, a recap of all units, the
// respondents' profile, the suggestions and the follow-up plans), a CSV of
// the raw responses, a publication poster (PNG and A4 PDF) and charts
// (PNG) sized for a phone.
//
// Every figure comes from package survey: the caller passes the
// survey.CitySummary it reports (from the store's aggregates) and the raw
// responses as a Responses iterator, which (*store.Tx).ForEachResponse
// satisfies; follow-up plans come as survey.FollowUp (package report reads
// them). The package never opens the store and never computes an NRR or an
// IKM itself. Responses outside the summary's period and units are
// skipped; the XLSX export checks that the responses it prints add up to
// the summary's tallies and fails with ErrMismatch when they do not, so a
// file never disagrees with /ikm or ikmbot report.
//
// No file carries a respondent's identity: the respondent hash is never
// written, response ids neither (CSV rows are numbered), profiles follow
// the disclosure rule of survey.PublishProfile (Profiles), and raw rows
// carry as much of the profile as Report.RawProfile allows.
// Text in the files is in Bahasa Indonesia, as units publish it; machine
// keys (CSV header, element keys) are the stable keys of package survey.
//
// Output is deterministic: the same inputs give the same PNG and PDF bytes.
// Nothing here touches Telegram: the bot's chat side sends what these
// functions return, rendered after its transaction commits.
package export
