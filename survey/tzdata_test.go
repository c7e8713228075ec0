package survey

// Tests load IANA zones (Asia/Jakarta, Europe/Berlin); embedding the
// database keeps them working on machines without /usr/share/zoneinfo.
import _ "time/tzdata"
