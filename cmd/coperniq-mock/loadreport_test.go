package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// load --out writes each duration again as a number with its unit in the
// key (docs/reports/load-report.md), and load merge still reads a file
// written before those numbers existed.
func TestLoadOutDurationsAsNumbers(t *testing.T) {
	url := loadReceiver(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	cli(t, "", "load", "--target", url, "--rate", "100/s", "--duration", "1s", "--timeout", "1500ms", "--mix", "TASK_CREATED", "--out", out, "--progress", "none").want(t, 0)
	data := readFile(t, out)
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	sum, _ := doc["summary"].(map[string]any)
	for key, want := range map[string]float64{"plannedSeconds": 1, "windowSeconds": 1, "intervalSeconds": 1, "timeoutMs": 1500} {
		if got, ok := sum[key].(float64); !ok || got != want {
			t.Errorf("summary.%s = %v, want %v", key, sum[key], want)
		}
	}
	elapsed, err := time.ParseDuration(doc["elapsed"].(string))
	if got, ok := sum["elapsedSeconds"].(float64); err != nil || !ok || got != elapsed.Seconds() || got <= 0 {
		t.Errorf("summary.elapsedSeconds = %v, elapsed %q", sum["elapsedSeconds"], doc["elapsed"])
	}
	trig, _ := sum["triggersCorrectedMs"].(map[string]any)
	if q, _ := trig["TASK_CREATED"].(map[string]any); q["p99"] == nil || q["max"] == nil {
		t.Errorf("summary.triggersCorrectedMs = %v", sum["triggersCorrectedMs"])
	}
	timeline, _ := doc["timeline"].([]any)
	if len(timeline) == 0 {
		t.Fatal("no timeline")
	}
	for i, p := range timeline {
		if at, ok := p.(map[string]any)["atSeconds"].(float64); !ok || at != float64(i) {
			t.Errorf("timeline[%d].atSeconds = %v", i, p.(map[string]any)["atSeconds"])
		}
	}

	// The file as older versions wrote it: no numbers beside the strings.
	delete(doc, "summary")
	for _, p := range timeline {
		delete(p.(map[string]any), "atSeconds")
	}
	old, _ := json.Marshal(doc)
	oldPath := filepath.Join(dir, "old.json")
	if err := os.WriteFile(oldPath, old, 0o644); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "load", "merge", oldPath).want(t, 0)
	if !strings.Contains(r.stdout, "100 scheduled, 100 sent") {
		t.Errorf("merging an older file:\n%s", r.stdout)
	}
}
