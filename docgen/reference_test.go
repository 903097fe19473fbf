package docgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// The reference, docs/coperniq.md, is one table: every fact with its
// source, every assumption with its reason. This test reads every row and
// runs the row's check: a documented value must be what the code encodes;
// an assumed one must be labelled assumed where users see it, and where the
// row names a switch, the switch must change it. A row without a check, or
// a check without a row, fails.

const referencePath = "../docs/coperniq.md"

type refRow struct {
	id, subject, value, status, source, change string
}

func readReference(t *testing.T) []refRow {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(referencePath))
	if err != nil {
		t.Fatal(err)
	}
	var rows []refRow
	inTable := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "| id |") {
			inTable = true
			continue
		}
		if !inTable || strings.HasPrefix(line, "|---") {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			if len(rows) > 0 {
				break
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		if len(cells) != 6 {
			t.Fatalf("row %q has %d cells, want 6", line, len(cells))
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, refRow{cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]})
	}
	return rows
}

// exported holds every committed schema file, level/path → decoded JSON.
var exported = sync.OnceValues(func() (map[string]map[string]any, error) {
	dir, err := os.MkdirTemp("", "reference")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := map[string]map[string]any{}
	for _, level := range schemas.Levels() {
		root := filepath.Join(dir, level.String())
		if err := schemas.Export(root, level); err != nil {
			return nil, err
		}
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			out[filepath.ToSlash(rel)] = m
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
})

// schemaAt follows properties.<name> from a schema file.
func schemaAt(t *testing.T, file string, names ...string) map[string]any {
	t.Helper()
	files, err := exported()
	if err != nil {
		t.Fatal(err)
	}
	m, ok := files[file]
	if !ok {
		t.Fatalf("no schema file %s", file)
	}
	for _, n := range names {
		props, _ := m["properties"].(map[string]any)
		if m, ok = props[n].(map[string]any); !ok {
			t.Fatalf("%s: no property %s", file, strings.Join(names, "."))
		}
	}
	return m
}

// labelled checks the source keyword of a property (key x-source or
// x-values-source) in a schema file.
func labelled(t *testing.T, want, keyword, file string, names ...string) {
	t.Helper()
	if got := schemaAt(t, file, names...)[keyword]; got != want {
		t.Errorf("%s %s: %s is %v, want %s", file, strings.Join(names, "."), keyword, got, want)
	}
}

func decodeObject(t *testing.T, b []byte, err error) map[string]any {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func mustGenerate(t *testing.T, key string, opts ...generator.Option) map[string]any {
	t.Helper()
	b, err := generator.New(1, opts...).JSON(key)
	return decodeObject(t, b, err)
}

func documented(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "schemas", "testdata", "documented-example.json"))
	return decodeObject(t, b, err)
}

func validAt(t *testing.T, doc map[string]any, level schemas.Level) schemas.Validation {
	t.Helper()
	b, _ := json.Marshal(doc)
	r, err := schemas.Validate(b, level)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// send posts one body to a server answering status and returns the result
// and the request the server saw.
func send(t *testing.T, status int, header http.Header) (delivery.Result, *http.Request) {
	t.Helper()
	var seen *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Clone(context.Background())
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	res := delivery.Send(context.Background(), nil, srv.URL+"/hook", []byte(`{"event":{}}`), header)
	return res, seen
}

func renderScenario(t *testing.T, src string) []scenarios.Rendered {
	t.Helper()
	s, err := scenarios.Parse("ref.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.Render(1)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func triggerJSON(t *testing.T, key string) map[string]any {
	t.Helper()
	b, err := schemas.Schema(key, schemas.Strict)
	return decodeObject(t, b, err)
}

func rulesMention(t *testing.T, words ...string) {
	t.Helper()
	text := strings.Join(deliveryRules, " ") + " " + retryText
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("the integrator docs' receiving rules do not say %q", w)
		}
	}
}

type refCheck struct {
	status string
	check  func(t *testing.T)
}

var referenceChecks = map[string]refCheck{
	"request": {schemas.Documented, func(t *testing.T) {
		res, r := send(t, 200, nil)
		if !res.Acked() || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("acked %v, %s with Content-Type %q", res.Acked(), r.Method, r.Header.Get("Content-Type"))
		}
	}},
	"auth": {schemas.Documented, func(t *testing.T) {
		_, r := send(t, 200, nil)
		if r.Header.Get("Authorization") != "" {
			t.Errorf("an Authorization header is sent: %q", r.Header.Get("Authorization"))
		}
	}},
	"ack": {schemas.Documented, func(t *testing.T) {
		for status, acked := range map[int]bool{200: true, 202: true, 299: true, 400: false, 404: false, 500: false, 503: false} {
			if res, _ := send(t, status, nil); res.Acked() != acked {
				t.Errorf("status %d: acked %v", status, res.Acked())
			}
		}
	}},
	"setup": {schemas.Documented, func(t *testing.T) {
		rulesMention(t, "Company Settings → Process Studio → Automations", "Call webhook", "Active")
	}},
	"backfill": {schemas.Documented, func(t *testing.T) {
		const steps = "steps:\n  - createProject: {name: p, workflow: solar}\n  - startPhase: {project: p, after: 2d}\n"
		all := renderScenario(t, steps)
		later := renderScenario(t, "activation: 1d\n"+steps)
		if len(all) != 2 || len(later) != 1 || later[0].TriggerKey != "PROJECT_PHASE_STARTED" {
			t.Errorf("activation: %d of %d events delivered", len(later), len(all))
		}
		rulesMention(t, "not processed retroactively")
	}},
	"duplicates": {schemas.Documented, func(t *testing.T) {
		if _, err := delivery.ParseDupMode("after"); err != nil {
			t.Error(err)
		}
		rulesMention(t, "more than once (documented)")
	}},
	"retry-schedule": {schemas.Assumed, func(t *testing.T) {
		p := delivery.DefaultPolicy()
		if p.Attempts != 5 || delivery.DefaultBackoffBase != time.Second {
			t.Errorf("default policy %s", p)
		}
		ci, err := delivery.ParsePreset("ci")
		if err != nil || ci.String() == p.String() {
			t.Errorf("the ci preset does not change the schedule: %v %s", err, ci)
		}
		if b, err := delivery.ParseBackoff("1s,5s,30s"); err != nil || b.String() == "" {
			t.Errorf("--schedule: %v", err)
		}
		rulesMention(t, "assumed: Coperniq publishes no retry schedule")
	}},
	"timeout": {schemas.Assumed, func(t *testing.T) {
		ci, _ := delivery.ParsePreset("ci")
		if delivery.DefaultPolicy().Timeout != 10*time.Second || ci.Timeout == 10*time.Second {
			t.Errorf("timeouts: default %s, ci %s", delivery.DefaultPolicy().Timeout, ci.Timeout)
		}
	}},
	"same-body": {schemas.Assumed, func(t *testing.T) {
		rulesMention(t, "a retry carries the same body (assumed")
	}},
	"ordering": {schemas.Assumed, func(t *testing.T) {
		rulesMention(t, "out of order (assumed")
		_ = delivery.WithReorder(12)
		_ = delivery.WithRecordOrder(true)
	}},
	"whole-answer": {schemas.Assumed, func(t *testing.T) {
		// 200 with a Content-Length of 100, six bytes, then the close.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"ok\":")
			_ = buf.Flush()
		}))
		defer srv.Close()
		if res := delivery.Send(context.Background(), nil, srv.URL+"/hook", []byte(`{"event":{}}`), nil); res.Acked() {
			t.Error("a 200 cut short acknowledged the event")
		}
	}},
	"redirects": {schemas.Assumed, func(t *testing.T) {
		if res, _ := send(t, http.StatusPermanentRedirect, nil); res.Acked() {
			t.Error("a 308 acknowledged the event")
		}
	}},
	"headers": {schemas.Documented, func(t *testing.T) {
		_, r := send(t, 200, http.Header{"X-Extra": {"1"}})
		for k := range r.Header {
			switch k {
			case "Content-Type", "Content-Length", "User-Agent", "Accept-Encoding", "X-Extra":
			default:
				t.Errorf("header %s sent; Coperniq documents only Content-Type", k)
			}
		}
		if r.Header.Get("X-Extra") != "1" {
			t.Error("--header did not add its header")
		}
	}},
	"record-present": {schemas.Documented, func(t *testing.T) {
		doc := documented(t)
		delete(doc, "record")
		if r := validAt(t, doc, schemas.Contract); !r.Valid() {
			t.Errorf("the contract level rejects a payload without record: %v", r.Violations)
		}
		for _, key := range schemas.TriggerKeys() {
			if req, _ := schemaAt(t, "contract/"+key+".json")["required"].([]any); slices.Contains(req, any("record")) {
				t.Errorf("contract/%s.json requires record", key)
			}
		}
	}},
	"record-absent": {schemas.Assumed, func(t *testing.T) {
		var optional []string
		for _, tr := range schemas.Triggers() {
			if tr.RecordOptional {
				optional = append(optional, tr.Key)
			}
		}
		if want := []string{"APPOINTMENT_CREATED", "APPOINTMENT_RESCHEDULED", "CALL_UPSERTED"}; !slices.Equal(optional, want) {
			t.Errorf("record optional on %v, want %v", optional, want)
		}
		if _, ok := mustGenerate(t, "CALL_UPSERTED", generator.WithProfile(generator.Minimal))["record"]; ok {
			t.Error("the minimal profile keeps the record of a call")
		}
	}},
	"record-id-absent": {schemas.Assumed, func(t *testing.T) {
		ev := mustGenerate(t, "APPOINTMENT_CREATED", generator.WithProfile(generator.Minimal))["event"].(map[string]any)
		if ev["recordId"] != ev["appointmentId"] {
			t.Errorf("recordId %v, appointmentId %v", ev["recordId"], ev["appointmentId"])
		}
		labelled(t, schemas.Documented, schemas.SourceKeyword, "contract/defs/event.json", "recordId")
		if d, _ := schemaAt(t, "contract/defs/event.json", "recordId")["description"].(string); !strings.Contains(d, "Assumed by coperniq-mock: On a payload without record") {
			t.Errorf("event.recordId's description does not label what it holds without record: %q", d)
		}
	}},
	"absent-keys": {schemas.Assumed, func(t *testing.T) {
		if _, ok := mustGenerate(t, "PROJECT_CREATED")["workOrder"]; ok {
			t.Error("a project payload carries a workOrder key")
		}
	}},
	"workorder-key": {schemas.Documented, func(t *testing.T) {
		for _, tr := range schemas.Triggers() {
			if tr.WorkOrder != strings.HasPrefix(tr.Key, "TASK_") {
				t.Errorf("%s: workOrder %v", tr.Key, tr.WorkOrder)
			}
		}
	}},
	"eventid-type": {schemas.Documented, func(t *testing.T) {
		for _, p := range [][2]string{{"defs/event.json", "eventId"}, {"defs/event.json", "recordId"}, {"defs/record.json", "uid"}, {"defs/workOrder.json", "priority"}} {
			typ := schemaAt(t, "contract/"+p[0], p[1])["type"]
			if typ != "number" && !slices.Equal(anyStrings(typ), []string{"number", "null"}) {
				t.Errorf("contract %s %s: type %v, want number", p[0], p[1], typ)
			}
		}
	}},
	"extra-field-types": {schemas.Assumed, func(t *testing.T) {
		for file, want := range map[string][2]string{
			"contract/TASK_CREATED.json":            {"workOrderId", "integer"},
			"contract/PROJECT_PHASE_STARTED.json":   {"phaseTemplateId", "integer"},
			"contract/APPOINTMENT_RESCHEDULED.json": {"previousDueDate", "string"},
		} {
			p := schemaAt(t, file, "event", want[0])
			if got := p["type"]; got != want[1] {
				t.Errorf("%s event.%s: type %v, want %s", file, want[0], got, want[1])
			}
			// Not in the documented example: the name is Coperniq's, the type ours.
			if want[0] != "workOrderId" && p[schemas.TypeSourceKeyword] != schemas.Assumed {
				t.Errorf("%s event.%s: %s %v, want assumed", file, want[0], schemas.TypeSourceKeyword, p[schemas.TypeSourceKeyword])
			}
		}
	}},
	"fields-present": {schemas.Assumed, func(t *testing.T) {
		doc := documented(t)
		delete(doc["record"].(map[string]any), "jurisdiction")
		if validAt(t, doc, schemas.Contract).Valid() {
			t.Error("the contract level accepts a record without jurisdiction")
		}
	}},
	"id-range": {schemas.Assumed, func(t *testing.T) {
		doc := documented(t)
		doc["event"].(map[string]any)["eventId"] = float64(1 << 53)
		if validAt(t, doc, schemas.Strict).Valid() || !validAt(t, doc, schemas.Contract).Valid() {
			t.Error("2^53 must fail strict and pass contract")
		}
	}},
	"uid-order": {schemas.Assumed, func(t *testing.T) {
		doc := documented(t)
		doc["record"].(map[string]any)["uid"] = doc["record"].(map[string]any)["id"]
		if validAt(t, doc, schemas.Strict).Valid() {
			t.Error("strict accepts a uid equal to the id")
		}
		if d, _ := schemaAt(t, "contract/defs/record.json", "uid")["description"].(string); !strings.Contains(d, "Assumed by coperniq-mock: An integer from 1 to 2^53-1, smaller than id") || !strings.Contains(d, "in creation order.") {
			t.Errorf("record.uid's description: %q", d)
		}
	}},
	"won-request": {schemas.Assumed, func(t *testing.T) {
		const steps = "steps:\n  - createRequest: {name: r, trades: [Solar]}\n  - updateProperty: {request: r, dealValue: 31000}\n  - moveRequest: {request: r, to: WON}\n  - createProject: {name: p, from: r%s}\n"
		type rec struct {
			ID, UID   int64
			Type      string
			DealValue float64
		}
		story := func(set string) (req, project rec) {
			for _, e := range renderScenario(t, fmt.Sprintf(steps, set)) {
				var p struct{ Record rec }
				if err := json.Unmarshal(e.Body, &p); err != nil {
					t.Fatal(err)
				}
				if p.Record.Type == "DEAL" {
					req = p.Record
				} else {
					project = p.Record
				}
			}
			return req, project
		}
		req, project := story("")
		if project.ID <= req.ID || project.DealValue != 31000 || req.DealValue != 31000 {
			t.Errorf("request %+v became project %+v", req, project)
		}
		if _, p := story(", set: {record.uid: 7}"); p.UID != 7 {
			t.Errorf("set: on createProject did not switch the project's number: %+v", p)
		}
	}},
	"priority-scale": {schemas.Assumed, func(t *testing.T) {
		doc := documented(t)
		doc["workOrder"].(map[string]any)["priority"] = 7.0
		if validAt(t, doc, schemas.Strict).Valid() || !validAt(t, doc, schemas.Contract).Valid() {
			t.Error("priority 7 must fail strict (our scale) and pass contract")
		}
	}},
	"record-types": {schemas.Documented, func(t *testing.T) {
		if !slices.Equal(schemas.RecordTypes, []string{"PROJECT", "DEAL", "ACCOUNT", "VENDOR"}) {
			t.Errorf("record types %v", schemas.RecordTypes)
		}
		labelled(t, schemas.Documented, schemas.ValuesSourceKeyword, "strict/defs/record.json", "type")
	}},
	"record-type-family": {schemas.Documented, func(t *testing.T) {
		doc := documented(t)
		ev := doc["event"].(map[string]any)
		ev["triggerKey"] = "PROJECT_ARCHIVED" // unknown, so only the family rule speaks
		doc["record"].(map[string]any)["type"] = "DEAL"
		r := validAt(t, doc, schemas.Contract)
		if !slices.ContainsFunc(r.Violations, func(v schemas.Violation) bool { return v.Rule == schemas.RuleRecordTypeFamily }) {
			t.Errorf("a DEAL on a PROJECT_* trigger: %v", r.Violations)
		}
	}},
	"vendor": {schemas.Assumed, func(t *testing.T) {
		for _, tr := range schemas.Triggers() {
			if slices.Contains(tr.RecordTypes, "VENDOR") != (tr.Key == "CALL_UPSERTED") {
				t.Errorf("%s: record types %v", tr.Key, tr.RecordTypes)
			}
		}
	}},
	"record-statuses": {schemas.Documented, func(t *testing.T) {
		if !slices.Equal(schemas.RecordStatuses, []string{"ACTIVE", "ON_HOLD", "CANCELLED", "COMPLETED"}) {
			t.Errorf("record statuses %v", schemas.RecordStatuses)
		}
		labelled(t, schemas.Documented, schemas.ValuesSourceKeyword, "strict/defs/record.json", "status")
	}},
	"request-statuses": {schemas.Assumed, func(t *testing.T) {
		labelled(t, schemas.Assumed, schemas.ValuesSourceKeyword, "strict/defs/record.json", "requestStatus")
	}},
	"workorder-statuses": {schemas.Documented, func(t *testing.T) {
		want := []string{"QUEUED", "ASSIGNED", "SCHEDULED", "WORKING", "IN_PROGRESS", "WAITING", "REVIEW", "COMPLETED", "CANCELLED"}
		if !slices.Equal(schemas.WorkOrderStatuses, want) {
			t.Errorf("work-order statuses %v", schemas.WorkOrderStatuses)
		}
		labelled(t, schemas.Documented, schemas.ValuesSourceKeyword, "strict/defs/workOrder.json", "status")
	}},
	"working-name": {schemas.Assumed, func(t *testing.T) {
		if generator.DefaultWorkingStatus != "IN_PROGRESS" {
			t.Errorf("default working name %s", generator.DefaultWorkingStatus)
		}
		seen := map[string]bool{}
		for seed := uint64(1); seed <= 200; seed++ {
			b, _ := generator.New(seed, generator.WithWorkingStatus("WORKING")).JSON("TASK_STATUS_MOVEMENT")
			for _, s := range []string{"IN_PROGRESS", "WORKING"} {
				if strings.Contains(string(b), `"`+s+`"`) {
					seen[s] = true
				}
			}
		}
		if !seen["WORKING"] || seen["IN_PROGRESS"] {
			t.Errorf("WithWorkingStatus(WORKING): seen %v", seen)
		}
	}},
	"trigger-keys": {schemas.Documented, func(t *testing.T) {
		keys := schemas.TriggerKeys()
		if len(keys) != 18 || !slices.Contains(keys, "REQUEST_CREATED") || !slices.Contains(keys, "DEAL_STATUS_MOVEMENT") {
			t.Errorf("trigger keys %v", keys)
		}
	}},
	"trigger-names": {schemas.Assumed, func(t *testing.T) {
		for _, tr := range schemas.Triggers() {
			documented := tr.Key == "TASK_STATUS_MOVEMENT"
			name := triggerJSON(t, tr.Key)["properties"].(map[string]any)["event"].(map[string]any)["properties"].(map[string]any)["triggerName"].(map[string]any)
			if tr.NameDocumented != documented || (name[schemas.ValuesSourceKeyword] == schemas.Documented) != documented {
				t.Errorf("%s: NameDocumented %v, schema %v", tr.Key, tr.NameDocumented, name[schemas.ValuesSourceKeyword])
			}
		}
		if tr, _ := schemas.Lookup("TASK_STATUS_MOVEMENT"); tr.Name != "Work Order Status Movement" {
			t.Errorf("the documented name is %q", tr.Name)
		}
	}},
	"created-previous": {schemas.Assumed, func(t *testing.T) {
		p := triggerJSON(t, "TASK_CREATED")["properties"].(map[string]any)["event"].(map[string]any)["properties"].(map[string]any)["previousStatus"].(map[string]any)
		if p["type"] != "null" || p[schemas.SourceKeyword] != schemas.Assumed {
			t.Errorf("strict TASK_CREATED previousStatus: %v", p)
		}
	}},
	"movement-moves": {schemas.Assumed, func(t *testing.T) {
		doc := documented(t)
		doc["event"].(map[string]any)["previousStatus"] = "COMPLETED"
		if validAt(t, doc, schemas.Strict).Valid() {
			t.Error("strict accepts a movement to the same status")
		}
	}},
	"phase-status": {schemas.Assumed, func(t *testing.T) {
		labelled(t, schemas.Assumed, schemas.ValuesSourceKeyword, "strict/PROJECT_PHASE_STARTED.json", "event", "status")
	}},
	"workflows": {schemas.Assumed, func(t *testing.T) {
		wf := schemas.DefaultVocabulary().ProjectWorkflow("solar")
		if got := strings.Join(wf.Names(), " → "); !strings.Contains(referenceRow(t, "workflows").value, got) {
			t.Errorf("the row does not give the solar workflow as the code has it, %s", got)
		}
	}},
	"phase-types": {schemas.Assumed, func(t *testing.T) {
		labelled(t, schemas.Assumed, schemas.ValuesSourceKeyword, "strict/PROJECT_PHASE_STARTED.json", "event", "phaseType")
	}},
	"sla-types": {schemas.Assumed, func(t *testing.T) {
		labelled(t, schemas.Assumed, schemas.ValuesSourceKeyword, "strict/PROJECT_PHASE_SLA_VIOLATION.json", "event", "slaType")
	}},
	"sla-lag": {schemas.Assumed, func(t *testing.T) {
		const steps = "steps:\n  - createProject: {name: p, workflow: solar}\n  - startPhase: {project: p}\n  - slaViolation: {project: p, level: YELLOW}\n"
		var p struct {
			Event struct{ FiredAt, OverdueAt time.Time } `json:"event"`
		}
		events := renderScenario(t, "slaLag: 20h\n"+steps)
		if err := json.Unmarshal(events[len(events)-1].Body, &p); err != nil {
			t.Fatal(err)
		}
		if lag := p.Event.FiredAt.Sub(p.Event.OverdueAt); lag < 20*time.Hour || lag > 20*time.Hour+time.Second {
			t.Errorf("slaLag: 20h gave %s", lag)
		}
	}},
	"call-object": {schemas.Assumed, func(t *testing.T) {
		for k := range mustGenerate(t, "CALL_UPSERTED", generator.WithProfile(generator.Maximal)) {
			if k != "event" && k != "record" && !strings.HasPrefix(k, generator.UnknownFieldPrefix) {
				t.Errorf("CALL_UPSERTED carries %s", k)
			}
		}
	}},
	"trades": {schemas.Assumed, func(t *testing.T) {
		labelled(t, schemas.Assumed, schemas.ValuesSourceKeyword, "strict/defs/record.json", "trades")
	}},
	"fired-at": {schemas.Documented, func(t *testing.T) {
		fired, _ := mustGenerate(t, "PROJECT_CREATED")["event"].(map[string]any)["firedAt"].(string)
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", fired); err != nil {
			t.Errorf("firedAt %q: %v", fired, err)
		}
	}},
	"modified-at": {schemas.Documented, func(t *testing.T) {
		wo := schemaAt(t, "contract/defs/workOrder.json")["properties"].(map[string]any)
		if _, ok := wo["modifiedAt"]; !ok {
			t.Error("workOrder has no modifiedAt")
		}
		if _, ok := wo["updatedAt"]; ok {
			t.Error("workOrder has updatedAt")
		}
	}},
	"completion-date": {schemas.Documented, func(t *testing.T) {
		doc := documented(t)
		doc["workOrder"].(map[string]any)["completionDate"] = nil
		r := validAt(t, doc, schemas.Strict)
		if !slices.ContainsFunc(r.Violations, func(v schemas.Violation) bool { return v.Rule == schemas.RuleCompletionDate }) {
			t.Errorf("a COMPLETED work order without completionDate: %v", r.Violations)
		}
	}},
	"unknown-fields": {schemas.Assumed, func(t *testing.T) {
		if schemaAt(t, "contract/defs/record.json")["additionalProperties"] != true {
			t.Error("the contract level closes record")
		}
		if _, ok := mustGenerate(t, "PROJECT_CREATED", generator.WithProfile(generator.Maximal))[generator.UnknownFieldPrefix+"futureField"]; !ok {
			t.Error("maximal adds no prefixed unknown field")
		}
	}},
}

func anyStrings(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

func TestReferenceRows(t *testing.T) {
	rows := readReference(t)
	if len(rows) < 30 {
		t.Fatalf("%d rows read from %s", len(rows), referencePath)
	}
	seen := map[string]bool{}
	for _, row := range rows {
		t.Run(row.id, func(t *testing.T) {
			if seen[row.id] {
				t.Fatalf("row %s appears twice", row.id)
			}
			seen[row.id] = true
			c, ok := referenceChecks[row.id]
			if !ok {
				t.Fatalf("row %s (%s) has no check in this test", row.id, row.subject)
			}
			if row.status != c.status {
				t.Errorf("row %s says %s, its check expects %s", row.id, row.status, c.status)
			}
			switch row.status {
			case schemas.Documented:
				if !strings.Contains(row.source, "webhooks page") && !strings.Contains(row.source, "support page") && !strings.Contains(row.source, "REST API") {
					t.Errorf("documented row %s names no source: %q", row.id, row.source)
				}
			case schemas.Assumed:
				if len(row.source) < 10 {
					t.Errorf("assumed row %s gives no reason: %q", row.id, row.source)
				}
			}
			c.check(t)
			if key, ok := vocabularySwitch(row.change); ok {
				switchedByVocabulary(t, key)
			}
		})
	}
	for id := range referenceChecks {
		if !seen[id] {
			t.Errorf("check %s has no row in %s", id, referencePath)
		}
	}
}

// vocabularySwitch reads the vocabulary key a row's switch names:
// "`--vocabulary` (slaTypes)" → slaTypes.
func vocabularySwitch(change string) (string, bool) {
	_, rest, ok := strings.Cut(change, "`--vocabulary` (")
	if !ok {
		return "", false
	}
	key, _, ok := strings.Cut(rest, ")")
	return key, ok
}

// switchedByVocabulary checks that a vocabulary file setting key changes
// what the strict schemas accept.
func switchedByVocabulary(t *testing.T, key string) {
	t.Helper()
	cases := map[string][3]string{
		"requestStatuses":   {"requestStatuses: [OPEN, SIGNED, LOST]\nwonStatus: SIGNED", "strict/defs/record.json", `"SIGNED"`},
		"workingStatus":     {"workOrderStatuses: [QUEUED, WORKING, COMPLETED]\nworkingStatus: WORKING", "strict/defs/workOrder.json", `"WORKING", "COMPLETED"`},
		"triggerNames":      {"triggerNames: {PROJECT_CREATED: New Project}", "strict/PROJECT_CREATED.json", `"New Project"`},
		"phaseStatuses":     {"phaseStatuses: {started: ACTIVE, completed: DONE}", "strict/PROJECT_PHASE_COMPLETED.json", `"DONE"`},
		"phaseTypes":        {"phaseTypes: [SALES, FIELD]", "strict/PROJECT_PHASE_STARTED.json", `"FIELD"`},
		"slaTypes":          {"slaTypes: [YELLOW, ORANGE, RED]", "strict/PROJECT_PHASE_SLA_VIOLATION.json", `"ORANGE"`},
		"workOrderStatuses": {"workOrderStatuses: [QUEUED, IN_PROGRESS, ON_HOLD, COMPLETED]", "strict/defs/workOrder.json", `"ON_HOLD"`},
		"trades":            {"trades: [Roofing, Gutters]", "strict/defs/record.json", `"Gutters"`},
	}
	if key == "workflows" {
		switchedWorkflows(t)
		return
	}
	c, ok := cases[key]
	if !ok {
		t.Fatalf("the switch names vocabulary key %q, which this test does not know", key)
	}
	v, err := schemas.ParseVocabulary("switch.yaml", []byte(c[0]+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := schemas.GenerateFilesFor(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(files[c[1]]), c[2]) {
		t.Errorf("vocabulary %q: %s lacks %s", c[0], c[1], c[2])
	}
}

func referenceRow(t *testing.T, id string) refRow {
	t.Helper()
	for _, r := range readReference(t) {
		if r.id == id {
			return r
		}
	}
	t.Fatalf("no row %s", id)
	return refRow{}
}

// switchedWorkflows checks that a vocabulary's workflows reach the
// payloads: a renamed stage keeps its id and shows its new name, an added
// one shows up with a fresh id.
func switchedWorkflows(t *testing.T) {
	t.Helper()
	v, err := schemas.ParseVocabulary("switch.yaml", []byte("workflows:\n  solar:\n    - {id: 16646, name: Closing}\n    - {name: Roof Check, phaseType: DESIGN}\n"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for seed := uint64(1); seed <= 400 && len(seen) < 2; seed++ {
		body, err := generator.New(seed, generator.WithVocabulary(v)).JSON("PROJECT_PHASE_STARTED")
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Record struct {
				Stage *struct {
					ID   int64
					Name string
				}
			}
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		if s := p.Record.Stage; s != nil {
			switch {
			case s.ID == 16646 && s.Name == "Closing", s.Name == "Roof Check" && s.ID > 17624:
				seen[s.Name] = true
			case s.ID >= 16647 && s.ID <= 16654:
				t.Errorf("seed %d: a stage the vocabulary removed from solar: %+v", seed, *s)
			}
		}
	}
	if len(seen) != 2 {
		t.Errorf("over 400 seeds, the vocabulary's solar stages seen: %v", seen)
	}
}
