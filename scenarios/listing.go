package scenarios

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
)

// CheckRendered refuses events that are none: a run that sends nothing and
// succeeds would look like a success.
func (sc *Scenario) CheckRendered(seed uint64, events []Rendered) error {
	if len(events) > 0 {
		return nil
	}
	return fmt.Errorf("scenario %s renders to no events (seed %d): nothing to send; is a repeat count or parameter 0?", sc.Name, seed)
}

// CountParam is WithParam for a count a person gives, such as a number of
// projects: below 1, Render fails with a *schemas.FieldError naming the
// parameter (projects is Projects).
func CountParam(name string, n int) RenderOption {
	return func(c *renderConfig) error {
		if n < 1 {
			return paramError(name, strconv.Itoa(n), "want at least 1")
		}
		return WithParam(name, n)(c)
	}
}

// WriteNDJSON writes the events' payloads to w, one a line, in firing
// order.
func WriteNDJSON(w io.Writer, events []Rendered) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, e := range events {
		bw.Write(e.Body)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteBuiltinText writes the built-in scenarios as a table: name, events
// fired with the default parameters, distinct triggers, what it shows.
func WriteBuiltinText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tEVENTS\tTRIGGERS\tWHAT IT SHOWS")
	for _, info := range Builtin() {
		events := fmt.Sprint(info.Events)
		for _, p := range info.Params {
			events += fmt.Sprintf(" (%s=%d)", p.Name, p.Default)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", info.Name, events, len(info.Triggers), info.Summary)
	}
	return tw.Flush()
}

// WriteBuiltinJSON writes the built-in scenarios as an indented JSON array
// of {"name", "summary", "events", "triggers": [...], "params": [{"name",
// "default"}]}.
func WriteBuiltinJSON(w io.Writer) error {
	type param struct {
		Name    string `json:"name"`
		Default int    `json:"default"`
	}
	type entry struct {
		Name     string   `json:"name"`
		Summary  string   `json:"summary"`
		Events   int      `json:"events"`
		Triggers []string `json:"triggers"`
		Params   []param  `json:"params"`
	}
	list := []entry{}
	for _, info := range Builtin() {
		e := entry{Name: info.Name, Summary: info.Summary, Events: info.Events, Triggers: info.Triggers, Params: []param{}}
		for _, p := range info.Params {
			e.Params = append(e.Params, param(p))
		}
		list = append(list, e)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(list)
}
