package store

import "github.com/ikmbot/ikmbot/survey"

// The schema in code: every top-level bucket of the file, once, in the
// order doc.go draws them (TestSchemaDoc holds the two to the same list).
// What the store does to "every bucket" or "every derived bucket" reads
// this table, so that a new bucket is one row here and one entry in
// doc.go:
//
//   - Open creates every bucket in a file opened for writing, so that
//     writers may assume they exist (readers of a read-only open of an
//     older file treat a missing one as empty);
//   - RebuildAggregates drops and recomputes every derived bucket from
//     responses/, and the backfill of an older file the derived buckets
//     added after schema version 1;
//   - VerifyAggregates (ikmbot check) recounts every tally bucket, and
//     Check decodes every record of the buckets of responses;
//   - PurgeSuggestions blanks free text in the buckets of responses.

// Bucket names.
var (
	bucketMeta        = []byte("meta")
	bucketChats       = []byte("chats")
	bucketResponses   = []byte("responses")
	bucketIncomplete  = []byte("incomplete")
	bucketRespondents = []byte("respondents")
	bucketAgg         = []byte("agg")
	bucketAggVerified = []byte("agg_verified")
	bucketAggWeb      = []byte("agg_web")
	bucketAggExtra    = []byte("agg_extra")
	bucketUpdates     = []byte("updates")
	bucketInbox       = []byte("inbox")
	bucketPosters     = []byte("posters")
	bucketCounterKeys = []byte("counter_keys")
	bucketFunnel      = []byte("funnel")
	bucketProfiles    = []byte("prof")
	bucketSuggestions = []byte("suggestions")
	bucketRoles       = []byte("roles")
	bucketAdminLangs  = []byte("admin_langs")
	bucketInvites     = []byte("invites")
	bucketAudit       = []byte("audit")
	bucketNotices     = []byte("notices")
	bucketDigests     = []byte("digests")
	bucketAlerts      = []byte("alerts")
	bucketFollowUps   = []byte("followups")
	bucketWebSessions = []byte("web_sessions")
)

// derivation says whether a bucket holds anything responses/ does not.
type derivation int

const (
	// source buckets are written as things happen; nothing else holds
	// what they do.
	source derivation = iota
	// derived buckets are recomputed from responses/ by
	// RebuildAggregates, and written in the transaction of each
	// response, so they never disagree with it.
	derived
	// backfilled buckets are derived buckets added after schema version
	// 1: a file opened for writing without prof/ predates them, and they
	// are built from its responses then (backfillDerived).
	backfilled
)

// bucketDef is one row of the schema.
type bucketDef struct {
	name []byte
	from derivation
	// tally, for a bucket of survey.Tally per unit and day or month, says
	// which responses it counts, by the way they came in (the door, Via,
	// and the channel, Source).
	tally func(survey.Response) bool
	// responses marks the buckets of response records (responseRecord),
	// which hold respondents' free text.
	responses bool
}

// schema is the table of every top-level bucket.
var schema = []bucketDef{
	{name: bucketMeta},
	{name: bucketChats},
	{name: bucketResponses, responses: true},
	{name: bucketIncomplete, responses: true},
	{name: bucketRespondents, from: derived},
	{name: bucketAgg, from: derived, tally: func(survey.Response) bool { return true }},
	{name: bucketAggVerified, from: derived, tally: func(r survey.Response) bool { return r.Via.Verified() }},
	{name: bucketAggWeb, from: derived, tally: func(r survey.Response) bool { return r.Source == survey.SourceWeb }},
	// agg_extra/ holds survey.ItemTally per unit, questionnaire and scale,
	// and day or month: derived, rebuilt and verified by its own code.
	{name: bucketAggExtra, from: derived},
	{name: bucketUpdates},
	{name: bucketInbox},
	{name: bucketPosters},
	{name: bucketCounterKeys},
	{name: bucketFunnel},
	{name: bucketProfiles, from: backfilled},
	{name: bucketSuggestions, from: backfilled},
	{name: bucketRoles},
	{name: bucketAdminLangs},
	{name: bucketInvites},
	{name: bucketAudit},
	{name: bucketNotices},
	{name: bucketDigests},
	{name: bucketAlerts},
	{name: bucketFollowUps},
	{name: bucketWebSessions},
}

// bucketsWhere returns the names of the buckets of the schema that keep
// says to keep, in the schema's order.
func bucketsWhere(keep func(bucketDef) bool) [][]byte {
	var out [][]byte
	for _, b := range schema {
		if keep(b) {
			out = append(out, b.name)
		}
	}
	return out
}

// Listings of the schema, each read from the table once.
var (
	// allBuckets are the top-level buckets a current database has.
	allBuckets = bucketsWhere(func(bucketDef) bool { return true })
	// derivedBuckets are recomputed from responses/ by RebuildAggregates.
	derivedBuckets = bucketsWhere(func(b bucketDef) bool { return b.from != source })
	// backfilledBuckets are built from responses/ in a file that predates
	// them.
	backfilledBuckets = bucketsWhere(func(b bucketDef) bool { return b.from == backfilled })
	// tallyBuckets hold survey.Tally per unit and day or month.
	tallyBuckets = bucketsWhere(func(b bucketDef) bool { return b.tally != nil })
	// responseBuckets hold response records.
	responseBuckets = bucketsWhere(func(b bucketDef) bool { return b.responses })
)

// tallyBucketsOf are the tally buckets a response is counted in: agg/
// always, agg_verified/ too for a fresh counter code, agg_web/ too for an
// answer given in the browser form.
func tallyBucketsOf(r survey.Response) [][]byte {
	var out [][]byte
	for _, b := range schema {
		if b.tally != nil && b.tally(r) {
			out = append(out, b.name)
		}
	}
	return out
}
