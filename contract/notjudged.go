package contract

import (
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// A CI job publishes verify's report files whatever its exit status. When
// the receiver cannot be judged at all (unreachable, a hook that does not
// answer) or verify is killed before its end (a CI timeout's SIGKILL),
// the files must still be well-formed and say why: an empty file breaks
// the job's JUnit step, and an earlier run's "PASS" left in place would be
// published as this run's.

// unfinished is the verdict the report files hold while the run goes on.
const unfinished = "the receiver was not judged: verify did not finish (it was stopped before it wrote this report)"

// notJudged writes cfg's report files (those given) saying why the
// receiver was not judged. Their directories are made as needed; a file
// that cannot be written is a *schemas.FieldError naming its field.
func (cfg RunConfig) notJudged(t Target, why string) error {
	target, seed := delivery.MaskURL(t.URL), t.Seed
	var errs []error
	if path := cfg.JSONReport; path != "" {
		rep := JSONReport{
			FormatVersion: JSONFormatVersion, Suite: SuiteDescription, Target: target, Insecure: t.insecure(), Seed: seed,
			Focus: nonNil(cfg.Focus), Skip: nonNil(cfg.Skip), StartedAt: time.Now().UTC(),
			Verdict: JSONVerdict{Exit: 2, Message: why, Notes: []string{}},
			Groups:  []JSONGroup{}, Late: []string{}, Warnings: []string{}, SuiteFailures: []string{}, Specs: []JSONSpec{},
		}
		errs = append(errs, writeReport("JSONReport", path, rep.Marshal))
	}
	if path := cfg.JUnitReport; path != "" {
		stamp := time.Now().UTC().Format("2006-01-02T15:04:05")
		props := runProperties(target, seed, t.insecure())
		c := junitCase{Name: "run", Classname: GroupSuite, Time: seconds(0), Error: &junitMessage{Message: why, Type: "not judged"}}
		suites := junitSuites{
			Name: SuiteDescription, Tests: 1, Errors: 1, Time: seconds(0),
			Suites: []junitSuite{{Name: GroupSuite, Tests: 1, Errors: 1, Time: seconds(0), Timestamp: stamp, Properties: props, Cases: []junitCase{c}}},
		}
		errs = append(errs, writeReport("JUnitReport", path, func() ([]byte, error) {
			data, err := xml.MarshalIndent(suites, "", "  ")
			return append([]byte(xml.Header), append(data, '\n')...), err
		}))
	}
	return errors.Join(errs...)
}

// notJudgedBy writes cfg's report files saying that err kept the receiver
// at t from being judged, and returns err (with the files' errors).
func (cfg RunConfig) notJudgedBy(t Target, err error) error {
	why := err.Error()
	if cfg.Explain != nil {
		why = cfg.Explain(err)
	}
	if werr := cfg.notJudged(t, "the receiver was not judged: "+why); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

// insecure says t's TLS certificate is not verified (--insecure): every
// report of the run says so.
func (t Target) insecure() bool { return t.TLS != nil && t.TLS.InsecureSkipVerify }

// writeReport writes the report file of RunConfig's field, making its
// directory first.
func writeReport(field, path string, marshal func() ([]byte, error)) error {
	data, err := marshal()
	if err == nil {
		if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			err = os.WriteFile(path, data, 0o644)
		}
	}
	if err != nil {
		return badField(field, "", err.Error())
	}
	return nil
}
