// Package store keeps ikmbot's state in one bbolt file: the per-chat state
// that carries a conversation across restarts, every response, and live
// aggregates that make an IKM report a handful of key reads instead of a scan.
//
// The file holds these buckets (keys are byte strings; "BE" is big-endian).
// schema.go lists the same buckets, in the same order, in one table that
// says which are derived from responses/; opening a file for writing
// creates every one of them, and the rebuild, the check and the retention
// rule read their buckets from it (TestSchemaDoc holds the two lists
// together):
//
//	meta/
//	|--> version -> "2"                      schema version, ASCII decimal
//
//	chats/
//	|--> <chat id, int64 as 8 bytes BE> -> chatRecord (JSON)
//	                                         only while a conversation is open;
//	                                         the open session stores its unit
//	                                         CODE, its step by NAME, and its
//	                                         answers to extra questionnaires
//	                                         under "blocks" as responses do
//
//	responses/                               the source of truth
//	|--> <id, uint64 8 bytes BE> -> responseRecord (JSON; scores keyed by
//	                                element key: {"persyaratan":4,...};
//	                                since schema 2, answers to extra
//	                                questionnaires under "blocks":
//	                                {"spkp": {"scale": 6, "scores":
//	                                {"informasi": 5, ...}}}, items keyed)
//
//	incomplete/                              expired or abandoned surveys;
//	|--> <seq, uint64 8 bytes BE> -> responseRecord   never in agg/
//
//	respondents/                             "one response per person per
//	|--> <unit code>/                         unit per period"
//	     |--> <window, e.g. "2026">/
//	          |--> <respondent hash> -> <response id, 8 bytes BE>
//
//	agg/                                     derived from responses/;
//	|--> <unit code>/                        RebuildAggregates recomputes it
//	     |--> "YYYY-MM"    -> tally of the month
//	     |--> "YYYY-MM-DD" -> tally of the day
//	          tally: 37 uint32 BE = respondents, then for each element in
//	          survey.Elements order the counts of scores 1..4 (148 bytes)
//
//	agg_verified/                            the same keys and tallies, of
//	|--> <unit code>/                        verified responses only ("via":
//	     |--> "YYYY-MM"    -> tally          "counter": a fresh code of the
//	     |--> "YYYY-MM-DD" -> tally          counter screen); written in the
//	                                         transaction that writes agg/, also
//	                                         derived, also rebuilt
//
//	agg_web/                                 the same keys and tallies, of
//	|--> <unit code>/                        answers given in the browser form
//	     |--> "YYYY-MM"    -> tally          ("src": "web"); written, derived and
//	     |--> "YYYY-MM-DD" -> tally          rebuilt like agg_verified/
//
//	agg_extra/                               schema 2: tallies of the extra
//	|--> <unit code>/                        questionnaires (SPKP, SPAK),
//	     |--> <questionnaire>-<scale>/       e.g. "spkp-6": answers on
//	          |                              another scale are counted apart
//	          |--> "YYYY-MM"    -> item tally
//	          |--> "YYYY-MM-DD" -> item tally
//	          item tally: uint32 BE respondents (who answered at least one
//	          item), then for each item in survey.Questionnaires order the
//	          counts of scores 1..scale; written in the transaction that
//	          writes agg/, derived and rebuilt like it
//
//	updates/                                 Telegram update_ids handled
//	|--> <update id, int64 as 8 bytes BE> -> unix seconds when handled
//
//	inbox/                                   updates received, not yet handled
//	|--> <update id, int64 as 8 bytes BE> -> the update's JSON as Telegram sent it
//
//	posters/                                 current poster version per unit;
//	|--> <unit code> -> uint32 BE            absent = 1; /qr cabut adds one
//
//	counter_keys/                            generation of each unit's counter
//	|--> <unit code> -> uint32 BE            key (deeplink.CounterKey); absent
//	                                         = 1; /loket ganti adds one, and
//	                                         codes signed with an older key
//	                                         stop verifying
//
//	funnel/                                  deep-link funnel per poster
//	|--> <unit code>/                        version, counted in the
//	     |--> <version, uint32 BE> -> 3 uint32 BE: scans, surveys started,
//	                                 surveys completed (12 bytes); version 0
//	                                 counts unsigned links (a bare unit code)
//
//	prof/                                    profile aggregates, derived from
//	|--> <unit code>/                        responses/ in the transaction of
//	     |--> "YYYY-MM"    -> profile tally  each response, like agg/;
//	     |--> "YYYY-MM-DD" -> profile tally  RebuildAggregates recomputes it
//	          profile tally: JSON {"n": respondents, "c": {"gender": {"P": 3,
//	          ...}, "age": {"30-39": 2}, "education", "occupation",
//	          "service"}}, answers as stored, age by survey.AgeBand; a
//	          skipped answer is counted nowhere
//
//	suggestions/                             index of responses with a
//	|--> <unit code>/                        suggestion, for /saran without
//	     |--> <response id, 8 bytes BE> -> "" a scan; derived and rebuilt too
//
//	roles/                                   unit admins (city admins are in
//	|--> <user id, int64 8 bytes BE>/        the config, not here)
//	     |--> <unit code> -> JSON {"by": granting admin, "at": unix s,
//	                               "via": "command"|"invite"}
//
//	admin_langs/                             the language an admin reads,
//	|--> <user id, int64 8 bytes BE> -> JSON for notices sent to them: city
//	     {"lang": "id"|"en", "chosen":        admins, and unit admins while
//	      true when picked with /bahasa}      they have a unit
//
//	invites/                                 one-time admin invitations
//	|--> <invite id> -> JSON {"unit", "by", "at", "exp", "used_by", "used_at"}
//	                    the link's signature is not stored; expired ones are
//	                    pruned
//
//	audit/                                   append-only: grants, revocations,
//	|--> <seq, uint64 8 bytes BE> -> JSON    invitations, exports and backups,
//	                                         counter keys, follow-up plans and
//	                                         their status changes
//	     {"at", "by": acting admin's user id, "act", "unit", "user", "detail"}
//
//	notices/                                 alerts for admins, queued in the
//	|--> <seq, uint64 8 bytes BE> -> JSON    transaction that caused them,
//	     {"chat", "kind", "unit", "resp",    deleted once sent
//	      "period", "from", "to", "ikm" (hundredths), "user", "lang", "at"}
//
//	digests/                                 the daily digest to admins
//	|--> "day" -> "YYYY-MM-DD"               the last day whose digests were
//	                                         queued (as notices)
//
//	alerts/                                  per unit: the mutu band of its
//	|--> <unit code> -> JSON {"period", "mutu", "seen": bands entered in the
//	                          period, e.g. "BC"}
//
//	followups/                               follow-up plans (rencana tindak
//	|--> <unit code>/                        lanjut)
//	     |--> <seq, uint64 8 bytes BE> -> JSON {"el": element key, "action",
//	          "owner", "due": "YYYY-MM-DD", "status": "open"|"progress"|"done",
//	          "by", "at", "upd", "ub": who set the status last, "done": unix s when marked done (older
//	          done plans lack it: their "upd" stands in)}
//
//	web_sessions/                            surveys open in a browser, one per
//	|--> <browser hash>/<UNIT CODE> -> JSON  browser and unit: {"sess":
//	                                         sessionRecord, "lang", "seq": form
//	                                         posts accepted}; deleted when the
//	                                         survey completes or expires. The
//	                                         browser hash is the keyed hash of
//	                                         the random id in its cookie, never
//	                                         an IP address
//
// Telegram user ids are stored only for admins (roles/, admin_langs/, invites/, audit/,
// notices/ and follow-ups' "by"), never for respondents, whose answers
// carry a keyed hash instead. prof/ and suggestions/ are built from
// responses/ the first time a file that predates them is opened for
// writing.
//
// Responses and open sessions carry "via" (how the respondent came: a
// current poster, a revoked one, an unsigned link, or "counter", a fresh
// code of the unit's counter screen, which marks the response verified)
// and "pv" (the poster version) since signed deep links; records written
// before decode with both empty, which means "not through a deep link".
// agg_verified/ starts empty in older files, which is right: they hold no
// "counter" responses; so do agg_web/ and web_sessions/, since older files
// hold no "src": "web" responses. Adding buckets and optional JSON keys leaves
// the meaning of existing bytes alone, so those did not change the version.
//
// Schema 2 added "blocks" and agg_extra/. That too leaves the bytes of a
// version 1 file meaning what they meant, and its migration only creates
// agg_extra/ (empty: such a file holds no extra answers). But an ikmbot of
// schema 1 reading a version 2 file would drop "blocks" on every replaced
// response and never touch agg_extra/, leaving its tallies wrong without
// a word; the version bump makes it refuse the file instead.
//
// Records are private types with explicit encode and decode functions, never
// the survey types themselves: a renamed Go field or a reordered
// survey.Elements must not silently change what is on disk. Scores are keyed
// by element key in records; the binary tallies use survey.Elements order,
// which is safe only because agg/ is derived and RebuildAggregates rewrites
// it from the keyed records. Decoding an unknown element key is an error, not
// a silent zero.
//
// Response records and profile tallies are JSON, but scans read them with a
// hand-written decoder for the exact shape we write (decode.go), which hands
// anything else to encoding/json: encoding/json defines what the bytes mean,
// and the fuzz tests hold the two to the same result.
//
// Day and month keys are calendar dates in Options.Location (Indonesia runs
// on WIB, UTC+7: a response at 00:30 WIB belongs to that day, not to the
// previous UTC day). Tally reads a period's From and To as dates on that
// calendar, so "this month" must be taken in Store.Location too.
//
// Every value read from bbolt is only valid until its transaction ends, so
// every accessor decodes or copies before returning; nothing handed out by
// this package points into the memory-mapped file.
//
// Bump schemaVersion and add an entry to migrations whenever the meaning of a
// stored byte changes: Open backs an older file up, then migrates it, and
// refuses files made by a newer ikmbot.
package store
