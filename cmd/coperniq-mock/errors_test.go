package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/load"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// settingFields are the names a *schemas.FieldError can give the fields
// of the types in vs: every exported field that holds a value (not a
// function, an interface or a TLS config), the fields of a struct held by
// value under its name ("API.Addr"), an embedded struct's as its holder's.
func settingFields(vs ...any) []string {
	var names []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch {
			case !f.IsExported() || ft.Kind() == reflect.Func || ft.Kind() == reflect.Interface || ft.PkgPath() == "crypto/tls":
			case f.Anonymous:
				walk(ft, prefix)
			case f.Type.Kind() == reflect.Struct && ft.NumField() > 0 && ft.Field(0).IsExported():
				walk(ft, prefix+f.Name+".")
				names = append(names, prefix+f.Name)
			default:
				names = append(names, prefix+f.Name)
			}
		}
	}
	for _, v := range vs {
		walk(reflect.TypeOf(v), "")
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Every field a library can name in an error or ask about (given) is a
// flag of each command that hands it that field, and every entry of the
// table is a field and a flag: renaming a flag or a field fails here until
// fieldFlags follows.
func TestFieldFlagsNameRegisteredFlags(t *testing.T) {
	root := newRootCmd(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	for _, c := range []struct {
		cmd    string
		fields []string
		none   []string // fields deliberately without a flag, and why
	}{
		{"verify", settingFields(contract.Setup{}, contract.RunConfig{}, contract.ChaosCommand{}),
			[]string{"SettleWatch", "API", "ProgressEvery", "ReproduceFlags"}}, // Settle's --settle; API's fields; --progress; the TLS flags
		{"load", settingFields(load.Plan{}, load.Session{}), []string{"Terminal", "Notice"}}, // from the terminal and --insecure
		{"load merge", []string{"Out", "HTML", "MinSuccess", "Thresholds"}, nil},
		{"scenario run", append(settingFields(delivery.Settings{}, api.CompanionConfig{}), "Projects", "EventIDOffset"), []string{"RecordOrder"}}, // a scenario file's only
		{"replay", settingFields(delivery.Settings{}), []string{"RecordOrder"}},
		{"api", append(settingFields(api.CompanionConfig{}), "At", "Projects"), []string{"Linger", "MaxCalls"}}, // 'scenario run --api' only
		{"listen", settingFields(receiver.Config{}, receiver.Session{}), []string{"Queue", "JSON"}},             // Printer's default; -o json
		{"send", append(settingFields(generator.Spec{}), "Timeout"), nil},
		{"generate", settingFields(generator.Spec{}), nil},
		{"demo", []string{"Scenario"}, nil},
	} {
		cmd, _, err := root.Find(strings.Fields(c.cmd))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range c.fields {
			if flag := flagOf(cmd, f); (flag == "") != slices.Contains(c.none, f) {
				t.Errorf("%s: field %s is flag %q; fieldFlags or the flags changed?", c.cmd, f, flag)
			}
		}
		for f, name := range fieldFlags[c.cmd] {
			if !slices.Contains(c.fields, f) {
				t.Errorf("%s: fieldFlags names field %s, which its libraries do not have", c.cmd, f)
			}
			for _, n := range strings.Split(name, "/") {
				if cmd.Flags().Lookup(n) == nil {
					t.Errorf("%s: fieldFlags names --%s for %s, which it does not register", c.cmd, n, f)
				}
			}
		}
	}
	for path := range fieldFlags {
		if cmd, _, err := root.Find(strings.Fields(path)); err != nil || cmd.CommandPath() != "coperniq-mock "+path {
			t.Errorf("fieldFlags names command %q, which is not one", path)
		}
	}
}

// Every field a library names in its error messages, as {Field}, as
// Field: "Name" or as the first argument of a constructor (Fieldsf,
// planErr...), is one the table test above covers, so that no error
// reaches a user with a Go name where a flag belongs.
func TestLibraryErrorsNameKnownFields(t *testing.T) {
	known := map[string]bool{"At": true}
	for _, vs := range [][]string{
		settingFields(contract.Setup{}, contract.RunConfig{}, contract.ChaosCommand{}, load.Plan{}, load.Session{}),
		settingFields(delivery.Settings{}, api.CompanionConfig{}, receiver.Config{}, receiver.Session{}, generator.Spec{}),
	} {
		for _, f := range vs {
			known[f] = true
		}
	}
	literals := regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	refs := regexp.MustCompile(`\{([A-Z][A-Za-z]*(?:\.[A-Z][A-Za-z]*)*)\}`)
	built := regexp.MustCompile(`FieldError\{Field: +"([A-Za-z.]+)"|\b\w*(?:Err|Error|Field|Fieldsf)\("([A-Z][A-Za-z.]*)"`)
	for _, pkg := range []string{"delivery", "load", "contract", "api", "receiver", "generator", "demo"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", pkg, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(src), "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "//") {
					continue
				}
				var named []string // {Field} in a string, and a constructor's field
				for _, lit := range literals.FindAllString(line, -1) {
					for _, m := range refs.FindAllStringSubmatch(lit, -1) {
						named = append(named, m[1])
					}
				}
				for _, m := range built.FindAllStringSubmatch(line, -1) {
					named = append(named, m[1]+m[2])
				}
				for _, f := range named {
					if !known[f] {
						t.Errorf("%s names field %s, which no command's table test covers: %s", file, f, strings.TrimSpace(line))
					}
				}
			}
		}
	}
}

// A field error reaches the user in the command's words, wherever in the
// chain of wrapped errors it is, and each of joined ones.
func TestInFlags(t *testing.T) {
	root := newRootCmd(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	cmd, _, _ := root.Find([]string{"scenario", "run"})
	fe := schemas.Fieldsf("LimitRate", "{LimitRate} 0.6 and {FailRate} 0.6 add up to more than 1")
	err := failureError{err: &delivery.FailedError{Err: errors.Join(fe, &schemas.FieldError{Field: "TimeScale", Want: "want more"})}}
	got := inFlags(cmd, err)
	for _, want := range []string{"--api-429-rate 0.6 and --api-fail-rate 0.6 add up", "--time-scale: want more"} {
		if !strings.Contains(got, want) {
			t.Errorf("inFlags = %q, lacks %q", got, want)
		}
	}
}
