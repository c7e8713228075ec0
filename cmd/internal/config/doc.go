// Package config reads a city's ikmbot configuration: a YAML file naming the
// city, how the survey runs and which units take part. Parse validates the
// whole file and reports every mistake with its file, line and field, so a
// city admin can fix it without reading Go. The Kota Bekasi configuration is
// embedded (bekasi.yaml): it is the default, and the documented example a
// city copies.
//
// It is shared by the commands: ikmbot runs with it, and ikmload loads the
// same units.
package config
