package delivery_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestSettingsValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*delivery.Settings)
		field string
		want  string
	}{
		{"defaults", func(*delivery.Settings) {}, "", ""},
		{"unknown preset", func(s *delivery.Settings) { s.Retry = "cii" }, "Retry", `Retry "cii" isn't one of [default ci none]; did you mean ci?`},
		{"retry and schedule", func(s *delivery.Settings) { s.Schedule = "1s" }, "Schedule", "not both"},
		{"bad schedule", func(s *delivery.Settings) { s.Retry, s.Schedule = "", "1s,later" }, "Schedule", `Schedule: retry schedule "1s,later"`},
		{"time scale 0", func(s *delivery.Settings) { s.TimeScale = 0 }, "TimeScale", "TimeScale: time scale 0"},
		{"concurrency 0", func(s *delivery.Settings) { s.Concurrency = 0 }, "Concurrency", "Concurrency 0: must be between 1 and 1024"},
		{"concurrency over the bound", func(s *delivery.Settings) { s.Concurrency = delivery.MaxConcurrency + 1 }, "Concurrency", "Concurrency 1025: must be between 1 and 1024"},
		{"duplicate 2", func(s *delivery.Settings) { s.Duplicate = 2 }, "Duplicate", "Duplicate 2: must be a fraction between 0 and 1"},
		{"duplicate mode", func(s *delivery.Settings) { s.DuplicateMode = "later" }, "DuplicateMode", `DuplicateMode "later" isn't one of [after concurrent]`},
		{"reorder negative", func(s *delivery.Settings) { s.Reorder = -1 }, "Reorder", "Reorder -1: must be 0 or more"},
		{"jitter negative", func(s *delivery.Settings) { s.Jitter = -time.Second }, "Jitter", "Jitter -1s: must be 0 or more"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := delivery.DefaultSettings()
			tc.edit(&s)
			err := s.Validate()
			_, optErr := s.Options()
			if (err == nil) != (optErr == nil) {
				t.Errorf("Validate says %v, Options %v", err, optErr)
			}
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var fe *schemas.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate = %v, want a *FieldError", err)
			}
			if fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %q (field %s), want field %s and %q", err, fe.Field, tc.field, tc.want)
			}
		})
	}
}
