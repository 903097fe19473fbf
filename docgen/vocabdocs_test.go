package docgen

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// teamVocabulary is a roofing team's file: its own names for every list
// whose values appear in prose, and a renamed trigger.
const teamVocabulary = `triggerNames:
  PROJECT_PHASE_SLA_VIOLATION: Job Phase Overdue
workOrderStatuses: [QUEUED, DISPATCHED, ON_SITE, COMPLETED, CANCELLED]
workingStatus: ON_SITE
phaseTypes: [LEAD, ESTIMATE, PERMIT, TEAR_OFF, BUILD, FINAL, WARRANTY]
slaTypes: [AMBER, BREACH]
workflows:
  roofing:
    - {id: 17201, name: Lead, phaseType: LEAD}
    - {name: Tear-off, phaseType: TEAR_OFF}
    - {name: Install, phaseType: BUILD}
`

// docsWith writes every format with the vocabulary file text read as path
// (a path with directories, as a user types it) and returns the files.
func docsWith(t *testing.T, path, text string) map[string][]byte {
	t.Helper()
	v, err := schemas.ParseVocabulary(path, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	_, files := writeDocs(t, WithVocabulary(v))
	return files
}

// schemaProp follows properties.<name> in a written schema file.
func schemaProp(t *testing.T, files map[string][]byte, file string, names ...string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(files["schemas/"+file], &m); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for _, n := range names {
		props, _ := m["properties"].(map[string]any)
		var ok bool
		if m, ok = props[n].(map[string]any); !ok {
			t.Fatalf("%s: no property %s", file, strings.Join(names, "."))
		}
	}
	return m
}

func TestVocabularyDocsNameOnlyTheTeamsValues(t *testing.T) {
	files := docsWith(t, "/home/lee/team-config/roofing.yaml", teamVocabulary)
	// Built-in values the file replaces, as prose used to name them.
	stale := []string{"YELLOW", "RED (violation)", "PERMITTING", "INSTALLATION", "ASSIGNED", "WORKING, IN_PROGRESS"}
	for name, data := range files {
		if !strings.HasSuffix(name, ".md") && !strings.HasSuffix(name, ".html") && !strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".json") {
			continue
		}
		for _, s := range stale {
			if strings.Contains(string(data), s) {
				i := strings.Index(string(data), s)
				t.Errorf("%s names the built-in %q the vocabulary replaces: …%s…", name, s, data[max(0, i-80):min(len(data), i+40)])
			}
		}
		if strings.Contains(string(data), "/home/lee") {
			t.Errorf("%s carries the vocabulary file's local path", name)
		}
	}
	for _, want := range []string{
		"Which threshold was crossed: AMBER (warning) or BREACH (violation).",
		"Values set by your vocabulary file roofing.yaml.",
	} {
		if !strings.Contains(string(files["triggers/PROJECT_PHASE_SLA_VIOLATION.md"]), want) {
			t.Errorf("the SLA page lacks %q", want)
		}
		if !strings.Contains(string(files["index.html"]), want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	for _, spec := range []string{"asyncapi.yaml", "openapi.yaml"} {
		if !strings.Contains(string(files[spec]), "Written with your vocabulary file `roofing.yaml`: its value lists") {
			t.Errorf("%s does not say where the vocabulary's values are", spec)
		}
	}
	if md := string(files["README.md"]); !strings.Contains(md, "Set by your vocabulary file `roofing.yaml`") || !strings.Contains(md, "Installation (`16651`, `TEAR_OFF`)") {
		t.Errorf("the workflows section names neither the file nor the phase type payloads carry:\n%s", md[strings.Index(md, "## Workflows"):])
	}
}

func TestVocabularyDocsKeepSchemaExamples(t *testing.T) {
	files := docsWith(t, "roofing.yaml", teamVocabulary)
	n := 0
	for name, data := range files {
		if strings.HasPrefix(name, "schemas/") {
			n += strings.Count(string(data), `"examples"`)
		}
	}
	if n < 100 {
		t.Errorf("%d examples keywords in the schema files, want the 100 and more the built-in ones have", n)
	}
	ex := anyStrings(schemaProp(t, files, "strict/PROJECT_PHASE_SLA_VIOLATION.json", "event", "slaType")["examples"])
	if len(ex) == 0 || slices.ContainsFunc(ex, func(s string) bool { return s != "AMBER" && s != "BREACH" }) {
		t.Errorf("slaType examples %v, want the vocabulary's", ex)
	}
}

func TestVocabularyDocsLabelOnlyWhatTheFileSets(t *testing.T) {
	type label struct {
		file  string
		path  []string
		key   string
		value any
	}
	tests := []struct {
		name   string
		vocab  string
		labels []label
		page   string // trigger page
		want   []string
		// refuse are in no file of the page's trigger (its page, its
		// schemas).
		refuse []string
		index  string // in README.md
	}{
		{
			name:  "only slaTypes",
			vocab: "slaTypes: [AMBER, BREACH]\n",
			labels: []label{
				{"strict/defs/workOrder.json", []string{"status"}, schemas.ValuesSourceKeyword, schemas.Documented},
				{"strict/TASK_STATUS_MOVEMENT.json", []string{"event", "currentStatus"}, schemas.ValuesSourceKeyword, schemas.Documented},
				{"strict/PROJECT_PHASE_STARTED.json", []string{"event", "phaseType"}, schemas.ValuesSourceKeyword, schemas.Assumed},
				{"strict/defs/record.json", []string{"requestStatus"}, schemas.ValuesSourceKeyword, schemas.Assumed},
				{"strict/TASK_CREATED.json", []string{"event", "previousStatus"}, schemas.ValuesSourceKeyword, schemas.Assumed},
				{"strict/PROJECT_PHASE_SLA_VIOLATION.json", []string{"event", "slaType"}, schemas.ValuesSourceKeyword, schemas.FromVocabulary},
				{"strict/PROJECT_PHASE_SLA_VIOLATION.json", []string{"event", "slaType"}, schemas.ValuesVocabularyKeyword, "team.yaml"},
			},
			page:   "triggers/PROJECT_PHASE_STARTED.md",
			want:   []string{"Values assumed by coperniq-mock: Coperniq does not publish phase types"},
			refuse: []string{"set by the vocabulary"},
			index:  "**Assumed**: Coperniq publishes no workflows",
		},
		{
			name:  "empty file",
			vocab: "",
			labels: []label{
				{"strict/defs/workOrder.json", []string{"status"}, schemas.ValuesSourceKeyword, schemas.Documented},
				{"strict/PROJECT_PHASE_SLA_VIOLATION.json", []string{"event", "slaType"}, schemas.ValuesSourceKeyword, schemas.Assumed},
			},
			page:   "triggers/TASK_STATUS_MOVEMENT.md",
			want:   []string{"Values documented by Coperniq."},
			refuse: []string{"set by the vocabulary", "Values set by"},
			index:  "**Assumed**: Coperniq publishes no workflows",
		},
		{
			name:  "renamed triggers",
			vocab: "triggerNames:\n  PROJECT_CREATED: Job Created\n  TASK_STATUS_MOVEMENT: Work Order Moved\n",
			labels: []label{
				{"strict/PROJECT_CREATED.json", []string{"event", "triggerName"}, schemas.ValuesSourceKeyword, schemas.FromVocabulary},
				{"strict/PROJECT_CREATED.json", []string{"event", "triggerName"}, "description", `Always "Job Created", the name your vocabulary file team.yaml gives this trigger.`},
				{"strict/TASK_STATUS_MOVEMENT.json", []string{"event", "triggerName"}, schemas.ValuesSourceKeyword, schemas.FromVocabulary},
				{"strict/PROJECT_STATUS_MOVEMENT.json", []string{"event", "triggerName"}, schemas.ValuesSourceKeyword, schemas.Assumed},
			},
			page:   "triggers/PROJECT_CREATED.md",
			want:   []string{"coperniq-mock sends `Job Created`. Values set by your vocabulary file team.yaml."},
			refuse: []string{"title case", "Values assumed by coperniq-mock: set by"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := docsWith(t, "conf/team.yaml", tc.vocab)
			for _, l := range tc.labels {
				if got := schemaProp(t, files, l.file, l.path...)[l.key]; got != l.value {
					t.Errorf("%s %s: %s is %v, want %v", l.file, strings.Join(l.path, "."), l.key, got, l.value)
				}
			}
			if !strings.Contains(string(files["README.md"]), tc.index) {
				t.Errorf("README.md lacks %q", tc.index)
			}
			page := string(files[tc.page])
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("%s lacks %q", tc.page, w)
				}
			}
			for _, r := range tc.refuse {
				key := strings.TrimSuffix(filepath.Base(tc.page), ".md")
				for name, data := range files {
					if strings.Contains(name, key) && strings.Contains(string(data), r) {
						t.Errorf("%s says %q", name, r)
					}
				}
			}
		})
	}
}

// Coperniq's trigger table names the trigger-specific fields without
// types; only TASK_STATUS_MOVEMENT's appear in its example.
func TestTriggerFieldTypesLabelledAssumed(t *testing.T) {
	tests := []struct {
		file, field string
		assumed     bool
	}{
		{"PROJECT_PHASE_STARTED.json", "phaseInstanceId", true},
		{"PROJECT_PHASE_STARTED.json", "phaseType", true},
		{"PROJECT_PHASE_SLA_VIOLATION.json", "overdueAt", true},
		{"APPOINTMENT_RESCHEDULED.json", "previousDueDate", true},
		{"TASK_STATUS_MOVEMENT.json", "workOrderId", false},
		{"TASK_STATUS_MOVEMENT.json", "currentStatus", false},
	}
	for _, tc := range tests {
		t.Run(tc.file+" "+tc.field, func(t *testing.T) {
			for _, level := range schemas.Levels() {
				p := schemaAt(t, level.String()+"/"+tc.file, "event", tc.field)
				desc, _ := p["description"].(string)
				if got := p[schemas.TypeSourceKeyword] == schemas.Assumed; got != tc.assumed {
					t.Errorf("%s: %s %v, want assumed %v", level, schemas.TypeSourceKeyword, p[schemas.TypeSourceKeyword], tc.assumed)
				}
				if got := strings.Contains(desc, "type is assumed"); got != tc.assumed {
					t.Errorf("%s: description %q", level, desc)
				}
			}
		})
	}
}

// The HTML page's Nullable column says what the Markdown's says: yes or no.
func TestHTMLNullableColumnMatchesMarkdown(t *testing.T) {
	_, files := writeDocs(t)
	row := regexp.MustCompile(`<tr[^>]*><td class="name">(?:<a [^>]*>)?<code>(\w+)</code>.*?</td><td class="type">[^<]*</td><td>(.*?)</td>`)
	tag := regexp.MustCompile(`<[^>]+>`)
	md := string(files["triggers/TASK_CREATED.md"])
	html := string(files["index.html"])
	html = html[strings.Index(html, `id="record"`):]
	html = html[:strings.Index(html, "</table>")]
	rows := row.FindAllStringSubmatch(html, -1)
	if len(rows) < 10 {
		t.Fatalf("%d rows in the HTML record table", len(rows))
	}
	for _, r := range rows {
		got := tag.ReplaceAllString(r[2], "")
		mdRow := regexp.MustCompile("\\| \\[?`" + r[1] + "`(?:\\]\\([^)]*\\))? \\| [^|]* \\| (yes|no) \\|").FindStringSubmatch(md)
		if mdRow == nil {
			t.Errorf("record.%s: no Markdown row", r[1])
			continue
		}
		if got != mdRow[1] {
			t.Errorf("record.%s: HTML Nullable %q, Markdown %q", r[1], got, mdRow[1])
		}
	}
}

// A vocabulary that sets trades but no workflows keeps the workflows
// assumed, and a workflow no trade of it picks says so plainly.
func TestVocabularyDocsWorkflowsOfTradesOnly(t *testing.T) {
	files := docsWith(t, "conf/v3.yaml", "trades: [Roofing, Gutters]\n")
	for _, name := range []string{"README.md", "index.html"} {
		page := string(files[name])
		for _, c := range []struct {
			name, text string
			want       bool
		}{
			{"assumed", "Coperniq publishes no workflows", true},
			{"said set by the file", "Set by your vocabulary file", false},
			{"an empty trade list", "first trade is ):", false},
			{"no trade picks solar", "solar</strong> (no trade of the vocabulary file picks it", name == "index.html"},
			{"no trade picks solar", "**solar** (no trade of the vocabulary file picks it", name == "README.md"},
			{"roofing's trade", "first trade is Roofing)", true},
		} {
			if strings.Contains(page, c.text) != c.want {
				i := strings.Index(page, "Workflows")
				t.Errorf("%s: %s: has %q is %v, want %v:\n%s", name, c.name, c.text, !c.want, c.want, page[max(i, 0):min(len(page), max(i, 0)+1500)])
			}
		}
	}
}

// A vocabulary's trades are described as its own, not as this tool's.
func TestVocabularyDocsTradesItemsAreTheFiles(t *testing.T) {
	for _, c := range []struct {
		name, vocab, want string
	}{
		{"trades set", "trades: [Roofing, Gutters]\n", "One of the trades your vocabulary file v3.yaml lists."},
		{"trades left out", "slaTypes: [AMBER, BREACH]\n", "One of the trades this tool knows."},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := docsWith(t, "conf/v3.yaml", c.vocab)
			items, _ := schemaProp(t, files, "strict/defs/record.json", "trades")["items"].(map[string]any)
			if got := items["description"]; got != c.want {
				t.Errorf("record.trades.items.description %q, want %q", got, c.want)
			}
		})
	}
}
