package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A user trial listed requestStatuses as [OPEN, QUOTED, DEAD, SOLD, ...]
// and watched request-won send the won request into Lost (DEAD, by its
// place in the list) and still create a project. The file now says which
// status is won and which lost; without that, or with a stage status it
// does not list, every command stops with file:line:col.
func TestVocabularyRequestOutcomesEndToEnd(t *testing.T) {
	dir := t.TempDir()
	const list = "requestStatuses: [OPEN, QUOTED, DEAD, SOLD, FOLLOW_UP]\n"
	const stages = "workflows:\n  request:\n" +
		"    - {id: 15301, name: New Lead, requestStatus: OPEN}\n" +
		"    - {id: 15304, name: Estimate Sent, requestStatus: QUOTED}\n" +
		"    - {id: 15306, name: Signed, requestStatus: SOLD}\n" +
		"    - {id: 15307, name: Lost, requestStatus: DEAD}\n"
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	refused := []struct{ name, src, want string }{
		{"won left to position", list + stages, ":1:18: wonStatus WON isn't one of requestStatuses [OPEN QUOTED DEAD SOLD FOLLOW_UP]"},
		{"stage status not listed", list + "wonStatus: SOLD\nlostStatus: DEAD\n" + strings.Replace(stages, "requestStatus: SOLD", "requestStatus: WON", 1),
			":8:48: requestStatus WON of stage Signed isn't one of requestStatuses [OPEN QUOTED DEAD SOLD FOLLOW_UP]"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			f := write(strings.ReplaceAll(tc.name, " ", "-")+".yaml", tc.src)
			r := cli(t, "", "scenario", "run", "request-won", "--dry-run", "--vocabulary", f).want(t, 2)
			if !strings.Contains(r.stderr, f+tc.want) {
				t.Errorf("stderr lacks %q:\n%s", f+tc.want, r.stderr)
			}
		})
	}

	f := write("named.yaml", list+"wonStatus: SOLD\nlostStatus: DEAD\n"+stages)
	out := cli(t, "", "scenario", "run", "request-won", "--dry-run", "--vocabulary", f).want(t, 0).stdout
	moves := regexp.MustCompile(`"triggerKey":"DEAL_STATUS_MOVEMENT".*?"requestStatus":"(\w+)","stage":\{"id":\d+,"name":"([^"]+)"`).FindAllStringSubmatch(out, -1)
	if len(moves) == 0 {
		t.Fatalf("no DEAL_STATUS_MOVEMENT:\n%s", out)
	}
	if last := moves[len(moves)-1]; last[1] != "SOLD" || last[2] != "Signed" {
		t.Errorf("the won request ends %s in stage %s, want SOLD in Signed", last[1], last[2])
	}
	if strings.Contains(out, `"requestStatus":"DEAD"`) || !strings.Contains(out, `"triggerKey":"PROJECT_CREATED"`) {
		t.Error("the won request was sent as lost, or became no project")
	}
	cli(t, out, "validate", "--strict", "--vocabulary", f, "-q").want(t, 0)
}

// A user trial could not set trades: the vocabulary's trades: key now
// closes record.trades in validate --strict and is all generate sends.
func TestVocabularyTradesEndToEnd(t *testing.T) {
	f := filepath.Join(t.TempDir(), "trades.yaml")
	if err := os.WriteFile(f, []byte("trades: [Roofing, Gutters, Siding]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := cli(t, "", "generate", "all", "--count", "400", "--seed", "2", "--vocabulary", f).want(t, 0).stdout
	for _, builtin := range []string{"Solar", "Storage", "HVAC", "Electrical", "EV Charger", "Generator", "Plumbing"} {
		if strings.Contains(out, `"`+builtin+`"`) {
			t.Errorf("generate sent the built-in trade %s, which the file leaves out", builtin)
		}
	}
	if !strings.Contains(out, `"Gutters"`) {
		t.Error("generate sent no record with the file's trade Gutters")
	}
	cli(t, out, "validate", "--strict", "--vocabulary", f, "-q").want(t, 0)
	solar := cli(t, "", "generate", "PROJECT_CREATED", "--seed", "1").want(t, 0).stdout
	solar = regexp.MustCompile(`"trades":(null|\[[^]]*\])`).ReplaceAllString(solar, `"trades":["Solar"]`)
	if r := cli(t, solar, "validate", "--strict", "--vocabulary", f).want(t, 1); !strings.Contains(r.stdout, `"Solar" isn't one of ["Roofing" "Gutters" "Siding"]`) {
		t.Errorf("validate --strict --vocabulary took Solar:\n%s", r.stdout)
	}
}
