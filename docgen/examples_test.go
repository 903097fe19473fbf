package docgen

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// splitRow splits a Markdown table row on the pipes that are not escaped.
func splitRow(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(strings.TrimSuffix(row, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case row[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

var mdFieldName = regexp.MustCompile("`([^`]+)`")

// On every trigger page, every Example cell is the value at that path in
// the page's own example payload, so a table never disagrees with the
// payload beneath it.
func TestDocsExamplesComeFromThePagePayload(t *testing.T) {
	_, files := writeDocs(t, WithFormats(Markdown))
	for _, key := range schemas.TriggerKeys() {
		page := string(files["triggers/"+key+".md"])
		_, rest, _ := strings.Cut(page, "```json\n")
		raw, _, _ := strings.Cut(rest, "\n```")
		payload, err := decodeOrdered([]byte(raw))
		if err != nil {
			t.Fatalf("%s: example payload: %v", key, err)
		}
		table, checked, fromPayload := "", 0, 0
		for _, line := range strings.Split(page, "\n") {
			if strings.HasPrefix(line, "## ") {
				table = ""
				if m := mdFieldName.FindStringSubmatch(line); m != nil {
					table = m[1]
				}
				continue
			}
			if table == "" || !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| Field ") {
				continue
			}
			cells := splitRow(line)
			if len(cells) != 5 {
				t.Fatalf("%s: row %q has %d cells", key, line, len(cells))
			}
			name := mdFieldName.FindStringSubmatch(cells[0])[1]
			path := table + "." + name
			checked++
			v, ok := valueAt(payload, path)
			if !ok {
				continue
			}
			fromPayload++
			want := codeSpan(compactJSON(v))
			if _, isObj := v.(obj); isObj {
				want = "see [`" + path + "`](#" + anchor(path) + ")"
			}
			if cells[4] != want {
				t.Errorf("%s: %s example %s, the page's payload has %s", key, path, cells[4], want)
			}
		}
		if checked == 0 || fromPayload == 0 {
			t.Errorf("%s: checked %d Example cells, %d from the payload", key, checked, fromPayload)
		}
	}
}

var (
	htmlSection  = regexp.MustCompile(`(?s)<section class="trigger" id="([A-Z_]+)">(.*?)</section>`)
	htmlShared   = regexp.MustCompile(`(?s)<h3 id="[^"]*"><code>([^<]+)</code>.*?Examples from the <a href="#([A-Z_]+)">.*?</table>`)
	htmlFieldRow = regexp.MustCompile(`<tr[^>]*><td class="name">(?:<a [^>]*>)?<code>([^<]+)</code>.*?<td class="ex">(.*?)</td></tr>`)
)

// The HTML page likewise: a trigger's event table from its own payload,
// each shared table from the payload it names.
func TestDocsHTMLExamplesComeFromAPayload(t *testing.T) {
	s := testSite(t)
	_, files := writeDocs(t, WithSeed(1), WithFormats(HTML))
	doc := string(files["index.html"])
	payloads := map[string]any{}
	for _, p := range s.pages {
		payloads[p.trigger.Key] = p.exampleTree
	}
	check := func(where, table string, payload any, body string) {
		t.Helper()
		rows := htmlFieldRow.FindAllStringSubmatch(body, -1)
		if len(rows) == 0 {
			t.Errorf("%s: no rows in the %s table", where, table)
		}
		for _, r := range rows {
			path := table + "." + html.UnescapeString(r[1])
			v, ok := valueAt(payload, path)
			if !ok {
				continue
			}
			got := html.UnescapeString(r[2])
			want := "<code>" + compactJSON(v) + "</code>"
			if _, isObj := v.(obj); isObj {
				if !strings.HasPrefix(got, "see ") {
					t.Errorf("%s: %s example %s, want a pointer to its table", where, path, got)
				}
				continue
			}
			if got != want {
				t.Errorf("%s: %s example %s, the payload has %s", where, path, got, want)
			}
		}
	}
	sections := htmlSection.FindAllStringSubmatch(doc, -1)
	if len(sections) != len(s.pages) {
		t.Fatalf("%d trigger sections", len(sections))
	}
	for _, m := range sections {
		_, event, _ := strings.Cut(m[2], `-event"><code>event</code></h3>`)
		event, _, _ = strings.Cut(event, "</table>")
		check(m[1], "event", payloads[m[1]], event)
	}
	_, shared, _ := strings.Cut(doc, `<h2 id="objects">`)
	tables := htmlShared.FindAllStringSubmatch(shared, -1)
	if len(tables) == 0 {
		t.Fatal("no shared table names the payload of its examples")
	}
	for _, m := range tables {
		check("shared "+m[1], m[1], payloads[m[2]], m[0])
	}
}
