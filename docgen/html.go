package docgen

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"regexp"
	"slices"
	"strings"
)

// The HTML page is the Markdown's content on one self-contained page: inline
// CSS, no script, no fonts or images from elsewhere, so it works from a
// file:// URL, an intranet, or an email attachment. Every string from the
// schemas or payloads goes through html/template's escaping; the example
// payloads are highlighted here and escaped token by token.

type htmlField struct {
	Name, Path, Type, Meaning, Example, Object string
	Nullable, Extra, Optional                  bool
	Known                                      template.HTML
}

type htmlObject struct {
	Path, Description string
	ExampleFrom       string // the trigger whose example payload fills the Example column
	Nullable          bool
	Fields            []htmlField
}

type htmlTrigger struct {
	Key, Name, Family, FiresWhen string
	Carries, Extras              []string
	RecordTypes                  []string
	WorkOrder                    bool
	Event                        htmlObject
	Shared                       []string // object tables shown in the shared section
	Example                      template.HTML
	GenerateCommand              string
	CommonFields                 int
}

type htmlFamily struct {
	Title, Anchor string
	Triggers      []htmlTrigger
}

type htmlPage struct {
	Mark, Title, Regenerate string
	Intro, Delivery, Levels []template.HTML
	WorkflowsSource         template.HTML
	Workflows               []template.HTML
	Families                []htmlFamily
	Objects                 []htmlObject
	Count, CommonFields     int
	Formats                 []formatLink
	Markdown                bool // the Markdown pages are written beside
}

func (s *site) html() ([]byte, error) {
	d := htmlPage{
		Mark:         generatedMark,
		Title:        docTitle,
		Regenerate:   s.regenerateCommand(),
		Intro:        []template.HTML{inlineMarkdown(intro)},
		Count:        len(s.pages),
		CommonFields: commonEventFields(s.pages[0]),
		Markdown:     s.writes(Markdown),
	}
	for _, l := range s.alsoHere(HTML) {
		if l.Href == "README.md" {
			l.Text = "Markdown"
		}
		d.Formats = append(d.Formats, l)
	}
	for _, r := range deliveryRules {
		d.Delivery = append(d.Delivery, inlineMarkdown(r))
	}
	for _, l := range levelsText {
		d.Levels = append(d.Levels, inlineMarkdown(l))
	}
	d.WorkflowsSource, d.Workflows = s.htmlWorkflows()
	for _, fp := range s.families() {
		hf := htmlFamily{Title: familyTitle(fp.family), Anchor: "family-" + anchor(string(fp.family))}
		for _, p := range fp.pages {
			ht := htmlTrigger{
				Key: p.trigger.Key, Name: p.trigger.Name, Family: string(p.trigger.Family),
				FiresWhen: p.trigger.FiresWhen, Carries: p.carries(),
				Extras: extraNames(p), WorkOrder: p.trigger.WorkOrder,
				Example:         highlightJSON(p.exampleTree),
				GenerateCommand: s.generateCommand(p.trigger.Key),
				CommonFields:    commonEventFields(p),
			}
			for _, v := range p.recordTypes {
				ht.RecordTypes = append(ht.RecordTypes, display(v))
			}
			for _, o := range p.objects {
				if o.path == "event" {
					ht.Event = toHTMLObject(o)
				} else {
					ht.Shared = append(ht.Shared, o.path)
				}
			}
			hf.Triggers = append(hf.Triggers, ht)
		}
		d.Families = append(d.Families, hf)
	}
	for _, o := range s.sharedObjects() {
		d.Objects = append(d.Objects, toHTMLObject(o))
	}
	var buf bytes.Buffer
	// html/template drops comments from templates, so the mark that lets
	// Write recognise its own file is written here.
	fmt.Fprintf(&buf, "<!DOCTYPE html>\n<!-- %s from the JSON Schemas in schemas/; do not edit. Regenerate: %s -->\n", generatedMark, html.EscapeString(s.regenerateCommand()))
	if err := pageTemplate.Execute(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sharedObjects are the tables every trigger that carries them shares
// (record and its parts, workOrder), shown once on the HTML page. Triggers
// narrow record.type; the shared table lists every value any of them sends.
//
// The Example column of a shared table is the value in one trigger's
// example payload, named beside the table: the page that carries the most
// objects, so that record, its parts and workOrder all describe the same
// payload, or else the first page that carries the object.
func (s *site) sharedObjects() []object {
	var out []object
	index := map[string]int{}
	pages := slices.Clone(s.pages)
	best := 0
	for i, p := range pages {
		if len(p.objects) > len(pages[best].objects) {
			best = i
		}
	}
	pages = append([]*page{pages[best]}, slices.Delete(pages, best, best+1)...)
	for _, p := range pages {
		for _, o := range p.objects {
			if o.path == "event" {
				continue
			}
			i, seen := index[o.path]
			if !seen {
				index[o.path] = len(out)
				o.fields = slices.Clone(o.fields)
				o.exampleFrom = p.trigger.Key
				out = append(out, o)
				continue
			}
			for j, f := range o.fields {
				if j >= len(out[i].fields) {
					break
				}
				sf := &out[i].fields[j]
				for _, k := range f.known {
					if !slices.ContainsFunc(sf.known, func(x any) bool { return compactJSON(x) == compactJSON(k) }) {
						sf.known = append(slices.Clone(sf.known), k)
					}
				}
			}
		}
	}
	// Order: record and its parts first, as in a payload.
	slices.SortStableFunc(out, func(a, b object) int {
		return strings.Compare(strings.SplitN(a.path, ".", 2)[0], strings.SplitN(b.path, ".", 2)[0])
	})
	return out
}

func toHTMLObject(o object) htmlObject {
	ho := htmlObject{Path: o.path, Description: o.description, Nullable: o.nullable, ExampleFrom: o.exampleFrom}
	for _, f := range o.fields {
		ho.Fields = append(ho.Fields, htmlField{
			Name: f.name, Path: f.path, Type: f.typ, Meaning: f.meaning, Example: f.example,
			Object: f.object, Nullable: f.nullable, Extra: f.extra, Optional: !f.required,
			Known: template.HTML(knownText(f, func(v any) string {
				return "<code>" + html.EscapeString(display(v)) + "</code>"
			}, htmlText.Replace)),
		})
	}
	return ho
}

// htmlText escapes text for element content; quotes need no escape there,
// and leaving them keeps "Coperniq's" readable in the page's source.
var htmlText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

var inlineCode = regexp.MustCompile("`([^`]+)`")
var inlineBold = regexp.MustCompile(`\*\*([^*]+)\*\*`)
var inlineEm = regexp.MustCompile(`\*([^*]+)\*`)

// inlineMarkdown renders the little Markdown the shared prose uses (code,
// bold, emphasis) after escaping it, so the prose is written once.
func inlineMarkdown(s string) template.HTML {
	h := html.EscapeString(s)
	h = inlineCode.ReplaceAllString(h, "<code>$1</code>")
	h = inlineBold.ReplaceAllString(h, "<strong>$1</strong>")
	h = inlineEm.ReplaceAllString(h, "<em>$1</em>")
	return template.HTML(h)
}

// highlightJSON pretty-prints a payload with spans for keys, strings,
// numbers and literals. Every token is escaped on its own.
func highlightJSON(v any) template.HTML {
	var b strings.Builder
	span := func(class, text string) {
		fmt.Fprintf(&b, `<span class="%s">%s</span>`, class, html.EscapeString(text))
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		pad := func(d int) { b.WriteString("\n" + strings.Repeat("  ", d)) }
		// container writes n members between open and close, one a line.
		container := func(open, close string, n int, member func(i int)) {
			if n == 0 {
				b.WriteString(open + close)
				return
			}
			b.WriteString(open)
			for i := range n {
				if i > 0 {
					b.WriteString(",")
				}
				pad(depth + 1)
				member(i)
			}
			pad(depth)
			b.WriteString(close)
		}
		switch t := v.(type) {
		case obj:
			container("{", "}", len(t), func(i int) {
				span("k", jsonString(t[i].k))
				b.WriteString(": ")
				walk(t[i].v, depth+1)
			})
		case []any:
			container("[", "]", len(t), func(i int) { walk(t[i], depth+1) })
		case string:
			span("s", jsonString(t))
		case nil, bool:
			span("l", scalarJSON(t))
		default:
			span("n", scalarJSON(t))
		}
	}
	walk(v, 0)
	return template.HTML(b.String())
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"anchor": anchor,
	"join":   strings.Join,
}).Parse(`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0b5cad; --extra: #fff4d6; --extra-line: #e3a008; }
* { box-sizing: border-box; }
html { scroll-padding-top: 1rem; }
body { margin: 0; font: 15px/1.55 -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em; }
code { background: var(--soft); border-radius: 4px; padding: 0.05em 0.25em; }
pre code { background: none; padding: 0; border-radius: 0; font-size: 13px; color: inherit; }
nav { position: fixed; top: 0; bottom: 0; left: 0; width: 270px; overflow-y: auto; padding: 1.2rem 1rem 2rem; background: var(--soft); border-right: 1px solid var(--line); font-size: 14px; }
nav .brand { font-weight: 600; font-size: 15px; margin: 0 0 1rem; }
nav h2 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); margin: 1.2rem 0 0.3rem; }
nav ul { list-style: none; margin: 0; padding: 0; }
nav li a { display: block; padding: 0.15rem 0.4rem; border-radius: 4px; color: var(--ink); }
nav li a:hover { background: #e6eaef; text-decoration: none; }
nav li a code { background: none; padding: 0; font-size: 12.5px; }
main { margin-left: 270px; padding: 2rem 2.5rem 4rem; max-width: 1180px; }
h1 { font-size: 1.9rem; margin: 0 0 0.8rem; }
h2 { font-size: 1.35rem; margin: 2.4rem 0 0.8rem; padding-bottom: 0.3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.6rem 0 0.5rem; }
.lead { font-size: 1.05rem; color: #30363d; }
.formats a { margin-right: 0.2rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.name { white-space: nowrap; }
td.ex { min-width: 12rem; max-width: 22rem; }
td.ex code { overflow-wrap: anywhere; }
td.type { min-width: 6.5rem; }
tr.extra td { background: var(--extra); }
tr.extra td:first-child { box-shadow: inset 3px 0 0 var(--extra-line); }
.tag { display: inline-block; font-size: 11.5px; font-weight: 600; padding: 0.05rem 0.45rem; border-radius: 999px; vertical-align: middle; }
.tag.family { background: #ddf4ff; color: #0a3069; }
.tag.extra { background: var(--extra-line); color: #fff; margin-left: 0.3rem; }
.tag.null { background: #eef1f4; color: var(--muted); }
section.trigger { border: 1px solid var(--line); border-radius: 8px; padding: 0.2rem 1.4rem 1rem; margin: 1.5rem 0; }
section.trigger h2 { border: 0; margin-top: 1rem; }
.fires { font-size: 1.05rem; font-weight: 600; margin: 0.2rem 0 0.4rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0.8rem 0; font-size: 14px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
pre { background: #0d1117; color: #e6edf3; padding: 1rem; border-radius: 6px; overflow: auto; max-height: 34rem; line-height: 1.45; }
pre .k { color: #79c0ff; } pre .s { color: #a5d6ff; } pre .n { color: #ffa657; } pre .l { color: #ff7b72; }
.muted { color: var(--muted); font-size: 14px; }
footer { margin-top: 3rem; color: var(--muted); font-size: 13px; }
@media (max-width: 900px) { nav { position: static; width: auto; border-right: 0; border-bottom: 1px solid var(--line); } main { margin-left: 0; padding: 1.2rem; } }
</style>
</head>
<body>
<nav aria-label="Triggers">
<p class="brand"><a href="#top">{{.Title}}</a></p>
<ul><li><a href="#receiving">Receiving webhooks</a></li><li><a href="#triggers">All triggers</a></li></ul>
{{range .Families}}<h2>{{.Title}}</h2>
<ul>{{range .Triggers}}
<li><a href="#{{.Key}}"><code>{{.Key}}</code></a></li>{{end}}
</ul>
{{end}}<h2>Shared objects</h2>
<ul>{{range .Objects}}
<li><a href="#{{anchor .Path}}"><code>{{.Path}}</code></a></li>{{end}}
<li><a href="#workflows">Workflows</a></li>
<li><a href="#levels">Schema levels</a></li>
</ul>
</nav>
<main id="top">
<h1>{{.Title}}</h1>
{{range .Intro}}<p class="lead">{{.}}</p>{{end}}
<p>Generated by <code>coperniq-mock docs</code> from the JSON Schema files, so it cannot disagree with what a validator enforces. Every example payload passed the strict schema when it was written.</p>
<p class="formats">Also available: {{range .Formats}}<a href="{{.Href}}">{{.Text}}</a> · {{end}}JSON Schema <a href="schemas/contract/">contract</a>, <a href="schemas/strict/">strict</a></p>

<h2 id="receiving">Receiving webhooks</h2>
<ul>{{range .Delivery}}
<li>{{.}}</li>{{end}}
</ul>

<h2 id="triggers">Triggers</h2>
<p>{{.Count}} triggers. Every payload has <code>event</code> with {{.CommonFields}} common fields; <span class="tag extra">★ trigger field</span> marks the fields a trigger adds.</p>
{{range .Families}}<h3 id="{{.Anchor}}">{{.Title}}</h3>
<table>
<thead><tr><th>Trigger</th><th>Name</th><th>Fires when</th><th>Extra <code>event</code> fields</th><th><code>workOrder</code></th></tr></thead>
<tbody>{{range .Triggers}}
<tr><td class="name"><a href="#{{.Key}}"><code>{{.Key}}</code></a></td><td>{{.Name}}</td><td>{{.FiresWhen}}</td><td>{{range $i, $e := .Extras}}{{if $i}}, {{end}}<code>{{$e}}</code>{{else}}–{{end}}</td><td>{{if .WorkOrder}}yes{{else}}–{{end}}</td></tr>{{end}}
</tbody>
</table>
{{end}}
{{range .Families}}{{range .Triggers}}
<section class="trigger" id="{{.Key}}">
<h2><code>{{.Key}}</code> {{.Name}} <span class="tag family">{{.Family}}</span></h2>
<p class="fires">Fires when {{.FiresWhen}}.</p>
<dl class="facts">
<dt>Top-level keys</dt><dd>{{$key := .Key}}{{range $i, $k := .Carries}}{{if $i}}, {{end}}{{if eq $k "event"}}<a href="#{{$key}}-event">{{else}}<a href="#{{anchor $k}}">{{end}}<code>{{$k}}</code></a>{{end}}</dd>
<dt><code>record.type</code></dt><dd>{{range $i, $t := .RecordTypes}}{{if $i}}, {{end}}<code>{{$t}}</code>{{end}}</dd>
<dt>Trigger fields</dt><dd>{{range $i, $e := .Extras}}{{if $i}}, {{end}}<code>event.{{$e}}</code>{{else}}none: <code>event</code> has only the {{.CommonFields}} common fields{{end}}</dd>
<dt>Schema</dt><dd><a href="schemas/contract/{{.Key}}.json">contract</a> · <a href="schemas/strict/{{.Key}}.json">strict</a>{{if $.Markdown}} · <a href="triggers/{{.Key}}.md">Markdown page</a>{{end}}</dd>
</dl>
<h3 id="{{.Key}}-event"><code>event</code></h3>
<table>
<thead><tr><th>Field</th><th>Type</th><th>Nullable</th><th>Meaning</th><th>Example</th></tr></thead>
<tbody>{{range .Event.Fields}}
<tr{{if .Extra}} class="extra"{{end}}><td class="name"><code>{{.Name}}</code>{{if .Extra}}<span class="tag extra">★</span>{{end}}</td><td class="type">{{.Type}}{{if .Optional}}, optional{{end}}</td><td>{{if .Nullable}}<span class="tag null">yes</span>{{else}}no{{end}}</td><td>{{.Meaning}}{{if .Known}} {{.Known}}{{end}}</td><td class="ex">{{if .Example}}<code>{{.Example}}</code>{{else}}–{{end}}</td></tr>{{end}}
</tbody>
</table>
<p class="muted">{{range $i, $o := .Shared}}{{if $i}}, {{end}}<a href="#{{anchor $o}}"><code>{{$o}}</code></a>{{end}}: see Shared objects.</p>
<h3>Example payload</h3>
<p class="muted">Exactly what <code>{{.GenerateCommand}}</code> prints.</p>
<pre><code>{{.Example}}</code></pre>
</section>
{{end}}{{end}}
<h2 id="objects">Shared objects</h2>
<p>Every trigger that carries these objects sends them with the same fields.</p>
{{range .Objects}}
<h3 id="{{anchor .Path}}"><code>{{.Path}}</code>{{if .Nullable}} <span class="tag null">may be null</span>{{end}}</h3>
<p>{{.Description}}</p>
{{if .ExampleFrom}}<p class="muted">Examples from the <a href="#{{.ExampleFrom}}"><code>{{.ExampleFrom}}</code></a> example payload.</p>
{{end}}<table>
<thead><tr><th>Field</th><th>Type</th><th>Nullable</th><th>Meaning</th><th>Example</th></tr></thead>
<tbody>{{range .Fields}}
<tr><td class="name">{{if .Object}}<a href="#{{anchor .Object}}"><code>{{.Name}}</code></a>{{else}}<code>{{.Name}}</code>{{end}}</td><td class="type">{{.Type}}{{if .Optional}}, optional{{end}}</td><td>{{if .Nullable}}<span class="tag null">yes</span>{{else}}no{{end}}</td><td>{{.Meaning}}{{if .Known}} {{.Known}}{{end}}</td><td class="ex">{{if .Example}}<code>{{.Example}}</code>{{else if .Object}}see <a href="#{{anchor .Object}}"><code>{{.Object}}</code></a>{{else}}–{{end}}</td></tr>{{end}}
</tbody>
</table>
{{end}}
<h2 id="workflows">Workflows</h2>
<p>{{.WorkflowsSource}}</p>
<ul>{{range .Workflows}}
<li>{{.}}</li>{{end}}
</ul>
<h2 id="levels">Schema levels</h2>
<ul>{{range .Levels}}
<li>{{.}}</li>{{end}}
</ul>
<p>A field's type, nullability and meaning come from the contract level; known values list what the strict level allows. Its example is the value in the example payload (of the trigger, or named beside a shared table); where that payload lacks the field, the contract level's example.</p>
<footer>{{.Mark}}. Regenerate with <code>{{.Regenerate}}</code>.</footer>
</main>
</body>
</html>
`))
