package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/coperniq-mock/coperniq-mock/suggest"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// RuleSchema is the Rule of every violation found by JSON Schema validation
// (including an unknown trigger at the strict level); cross-field rules
// carry their own names (see Rules).
const RuleSchema = "schema"

// Violation is one problem found in a payload.
type Violation struct {
	Location string `json:"location"` // JSON pointer into the payload ("" = root), e.g. "/record/stage/id"
	Message  string `json:"message"`  // e.g. "want integer, got string"
	Rule     string `json:"rule"`     // RuleSchema, or the cross-field rule's name
	Warning  bool   `json:"warning"`  // cross-field rules at the contract level warn rather than fail
}

func (v Violation) String() string {
	loc := v.Location
	if loc == "" {
		loc = "(root)"
	}
	s := loc + ": " + v.Message
	if v.Warning {
		s += " (warning)"
	}
	return s
}

// Validation is the outcome of validating one payload.
type Validation struct {
	TriggerKey string // event.triggerKey when it is a string, else ""
	Known      bool   // TriggerKey is one of the catalog's triggers
	// Violations are sorted by location, then rule and message, so output
	// is stable. Nil when the payload is fine.
	Violations []Violation
}

// Valid reports whether the payload passed: no violation other than
// warnings.
func (r Validation) Valid() bool {
	for _, v := range r.Violations {
		if !v.Warning {
			return false
		}
	}
	return true
}

// SyntaxError is the one error Validate returns: the payload is not JSON.
// Line and Column (1-based, column in characters) point at the offending
// character, or just past the end for a truncated payload.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Validate decodes payload and checks it against the schema of its
// event.triggerKey at level, plus the cross-field rules. The error is
// non-nil only when payload is not JSON, and is then a *SyntaxError; every
// other problem, a non-object payload included, is a Violation.
func Validate(payload []byte, level Level) (Validation, error) {
	return defaultValidator.Validate(payload, level)
}

// defaultValidator uses the embedded schemas, compiled on first use.
var defaultValidator = &Validator{}

func decode(payload []byte) (any, error) {
	if doc, ok := fastDecode(payload); ok {
		return doc, nil
	}
	var doc any
	err := json.Unmarshal(payload, &doc)
	if err == nil {
		return doc, nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return nil, syntaxError(payload, se)
	}
	// Valid JSON that float64 cannot hold (1e400): keep the number's text.
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	doc = nil
	if err := dec.Decode(&doc); err != nil {
		return nil, &SyntaxError{Line: 1, Column: 1, Msg: err.Error()}
	}
	return boundNumbers(doc), nil
}

// CheckJSON reports whether data is JSON, without decoding it; the error
// is a *SyntaxError locating the first problem, as Validate's is.
func CheckJSON(data []byte) error {
	if json.Valid(data) {
		return nil
	}
	var v any
	var se *json.SyntaxError
	if err := json.Unmarshal(data, &v); errors.As(err, &se) {
		return syntaxError(data, se)
	}
	return &SyntaxError{Line: 1, Column: 1, Msg: "not valid JSON"}
}

func syntaxError(payload []byte, se *json.SyntaxError) *SyntaxError {
	// Offset counts the bytes read, the offending one included; at the end
	// of a truncated payload it is the length, and the position is past it.
	pos := int(se.Offset)
	if pos > 0 && pos <= len(payload) && !strings.HasPrefix(se.Error(), "unexpected end") {
		pos--
	}
	pos = min(max(pos, 0), len(payload))
	line := 1 + bytes.Count(payload[:pos], []byte{'\n'})
	lineStart := bytes.LastIndexByte(payload[:pos], '\n') + 1
	return &SyntaxError{Line: line, Column: utf8.RuneCount(payload[lineStart:pos]) + 1, Msg: se.Error()}
}

// ValidateValue is Validate for a payload already decoded by encoding/json
// (map[string]any, []any, string, float64 or json.Number, bool, nil). It
// does not modify doc. Decoding has already lost what only the bytes show
// (RuleUTF8, RuleDuplicateKey), so those rules are Validate's alone. It
// compares ids as it is given them: json.Number ids (a decoder with
// UseNumber) exactly, float64 ones as float64s, which cannot tell
// 9007199254740993 from 9007199254740992 (Validate, which has the bytes,
// can).
func ValidateValue(doc any, level Level) Validation {
	return validateValue(compiledSchemas(), doc, level, nil)
}

// Validator validates against the schemas of one vocabulary (Vocabulary:
// the names Coperniq does not publish); the package-level Validate uses the
// built-in one. It is safe for concurrent
// use.
type Validator struct {
	c *compiled
}

// NewValidator compiles the schemas of v (nil: the built-in vocabulary;
// one built in Go is completed first, see Complete).
func NewValidator(v *Vocabulary) (*Validator, error) {
	v, err := v.Complete()
	if err != nil {
		return nil, err
	}
	if v.IsDefault() {
		return &Validator{c: compiledSchemas()}, nil
	}
	files, err := GenerateFilesFor(nil, v)
	if err != nil {
		return nil, err
	}
	c, err := compileFrom(func(level Level) (map[string][]byte, error) {
		out := map[string][]byte{}
		prefix := level.String() + "/"
		for name, data := range files {
			if rest, ok := strings.CutPrefix(name, prefix); ok {
				out[rest] = data
			}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	c.fast = newFastValidator(v)
	c.completed = v.WorkOrderStatusName("COMPLETED")
	return &Validator{c: c}, nil
}

// Validate is the package-level Validate against the validator's schemas.
// A clean payload, the common case, is recognised in one pass over its
// bytes (see fast.go); any other goes to the JSON Schema validator and the
// rules, which find and explain every violation.
func (val *Validator) Validate(payload []byte, level Level) (Validation, error) {
	c := val.compiled()
	if r, clean := c.fast.check(payload, level); clean {
		return r, nil
	}
	return validateFull(c, payload, level)
}

func (val *Validator) compiled() *compiled {
	if val.c == nil {
		return compiledSchemas()
	}
	return val.c
}

// validateFull is Validate without the fast path.
func validateFull(c *compiled, payload []byte, level Level) (Validation, error) {
	doc, err := decode(payload)
	if err != nil {
		return Validation{}, err
	}
	written := &writtenNumbers{payload: payload}
	r := validateValue(c, doc, level, written)
	asWritten(written, r.Violations)
	if level.valid() {
		n := len(r.Violations)
		if r.Violations = rawViolations(payload, level, r.Violations); len(r.Violations) > n {
			sortViolations(r.Violations)
		}
	}
	return r, nil
}

func validateValue(c *compiled, doc any, level Level, written *writtenNumbers) Validation {
	var r Validation
	if !level.valid() {
		r.Violations = []Violation{{Message: fmt.Sprintf("level %d isn't one of [contract strict]", int(level)), Rule: RuleSchema}}
		return r
	}
	key, isString := triggerKeyOf(doc)
	if isString {
		r.TriggerKey = key
	}
	sch, defined := c.envelope, map[string]bool(nil)
	if s, ok := c.triggers[level][key]; ok && isString {
		sch, defined, r.Known = s, c.eventProps[key], true
	}
	if err := sch.Validate(doc); err != nil {
		var verr *jsonschema.ValidationError
		if errors.As(err, &verr) {
			r.Violations = flattenAll(verr, defined)
		} else {
			r.Violations = append(r.Violations, Violation{Message: err.Error(), Rule: RuleSchema})
		}
	}
	if isString && !r.Known && level == Strict {
		r.Violations = append(r.Violations, Violation{Location: "/event/triggerKey", Message: (&UnknownTriggerError{Key: key}).Error(), Rule: RuleSchema})
	}
	r.Violations = checkRules(doc, key, level, r.Violations, written, c.completed)
	sortViolations(r.Violations)
	return r
}

func triggerKeyOf(doc any) (string, bool) {
	root, _ := doc.(map[string]any)
	event, _ := root["event"].(map[string]any)
	key, ok := event["triggerKey"].(string)
	return key, ok
}

func sortViolations(vs []Violation) {
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		if a.Location != b.Location {
			return a.Location < b.Location
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// flattenAll turns the library's error tree into violations. defined holds
// the JSON pointers of the event properties the trigger's schema defines.
func flattenAll(verr *jsonschema.ValidationError, defined map[string]bool) []Violation {
	var out []Violation
	var unevaluated []int
	flatten(verr, &out, &unevaluated)
	if len(unevaluated) == 0 {
		return out
	}
	// When one property fails the base event definition, the library drops
	// what that definition evaluated, and unevaluatedProperties then calls
	// every base property unexpected. A property the schema defines is never
	// unexpected; its real problem is reported on its own.
	kept := out[:0]
	for i, v := range out {
		if !slices.Contains(unevaluated, i) || !defined[v.Location] {
			kept = append(kept, v)
		}
	}
	return kept
}

// flatten keeps the leaves of the library's error tree: they are the causes,
// the inner nodes only say that a $ref or a group failed.
func flatten(verr *jsonschema.ValidationError, out *[]Violation, unevaluated *[]int) {
	if len(verr.Causes) > 0 {
		for _, c := range verr.Causes {
			flatten(c, out, unevaluated)
		}
		return
	}
	loc := pointer(verr.InstanceLocation)
	add := func(loc, msg string) { *out = append(*out, Violation{Location: loc, Message: msg, Rule: RuleSchema}) }
	switch k := verr.ErrorKind.(type) {
	case *kind.Required:
		// Pointing at the missing property itself tells the reader which
		// key to add, and lets one missing key be one violation.
		for _, m := range k.Missing {
			add(loc+"/"+escapePointer(m), fmt.Sprintf("missing property %q", m))
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			add(loc+"/"+escapePointer(p), fmt.Sprintf("unexpected property %q", p))
		}
	case *kind.FalseSchema:
		// Only unevaluatedProperties: false produces these.
		if n := len(verr.InstanceLocation); n > 0 {
			*unevaluated = append(*unevaluated, len(*out))
			add(loc, fmt.Sprintf("unexpected property %q", verr.InstanceLocation[n-1]))
		} else {
			add(loc, "not allowed")
		}
	case *kind.Type:
		// "integer or null" reads better than the library's "null or integer".
		want := slices.Clone(k.Want)
		if i := slices.Index(want, "null"); i >= 0 {
			want = append(slices.Delete(want, i, i+1), "null")
		}
		add(loc, fmt.Sprintf("want %s, got %s", strings.Join(want, " or "), k.Got))
	case *kind.Const:
		add(loc, fmt.Sprintf("want %s, got %s", jsonText(k.Want), jsonText(k.Got)))
	case *kind.Enum:
		add(loc, enumMessage(k))
	case *kind.Pattern:
		add(loc, fmt.Sprintf("%s doesn't match %s", jsonText(k.Got), k.Want))
	case *kind.MinLength:
		add(loc, fmt.Sprintf("%d characters, want at least %d (minLength)", k.Got, k.Want))
	case *kind.Format:
		add(loc, fmt.Sprintf("%s isn't a valid %s: %v", jsonText(k.Got), k.Want, k.Err))
	case *kind.InvalidJsonValue:
		add(loc, fmt.Sprintf("a Go %T is not a JSON value", k.Value))
	default:
		add(loc, "fails "+strings.Join(verr.ErrorKind.KeywordPath(), "/"))
	}
}

func enumMessage(k *kind.Enum) string {
	want := make([]string, len(k.Want))
	var names []string
	for i, w := range k.Want {
		want[i] = jsonText(w)
		if s, ok := w.(string); ok {
			names = append(names, s)
		}
	}
	msg := fmt.Sprintf("%s isn't one of [%s]", jsonText(k.Got), strings.Join(want, " "))
	if got, ok := k.Got.(string); ok {
		if s := suggest.Nearest(got, names); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
	}
	return msg
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePointer(t))
	}
	return b.String()
}

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// compiled holds the schemas, compiled once: compiling all of them takes
// milliseconds, validating a payload microseconds.
type compiled struct {
	triggers [2]map[string]*jsonschema.Schema // by Level, then triggerKey
	envelope *jsonschema.Schema
	// eventProps holds, by triggerKey, the JSON pointers of the event
	// properties the trigger's schemas define ("/event/eventId").
	eventProps map[string]map[string]bool
	// fast recognises clean payloads of the same vocabulary.
	fast *fastValidator
	// completed is the vocabulary's completed work-order status.
	completed string
}

var (
	compileOnce sync.Once
	compiledSet *compiled
)

func compiledSchemas() *compiled {
	compileOnce.Do(func() {
		c, err := compileAll()
		if err != nil {
			// The files are embedded and every test compiles them, so this
			// is a broken build, not a runtime condition.
			panic("schemas: embedded schemas do not compile: " + err.Error())
		}
		c.fast = newFastValidator(nil)
		compiledSet = c
	})
	return compiledSet
}

func compileAll() (*compiled, error) { return compileFrom(embeddedFiles) }

// embeddedFiles reads the committed files of one level, keyed by their path
// relative to the level directory.
func embeddedFiles(level Level) (map[string][]byte, error) {
	names, err := schemaFiles(level)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, name := range names {
		data, err := files.ReadFile(level.String() + "/" + name)
		if err != nil {
			return nil, err
		}
		out[name] = data
	}
	return out, nil
}

// compileFrom compiles the schema files src gives for each level.
func compileFrom(src func(Level) (map[string][]byte, error)) (*compiled, error) {
	out := &compiled{eventProps: map[string]map[string]bool{}, completed: defaultVocabulary.CompletedStatus}
	for _, t := range triggers {
		set := map[string]bool{}
		for _, f := range propertyPaths(t) {
			if name, ok := strings.CutPrefix(f, "event."); ok {
				set["/event/"+name] = true
			}
		}
		out.eventProps[t.Key] = set
	}
	for _, level := range Levels() {
		levelFiles, err := src(level)
		if err != nil {
			return nil, err
		}
		comp, err := newCompilerFrom(level, true, levelFiles)
		if err != nil {
			return nil, err
		}
		out.triggers[level] = map[string]*jsonschema.Schema{}
		for _, t := range triggers {
			s, err := comp.Compile(BaseURL + level.String() + "/" + t.Key + ".json")
			if err != nil {
				return nil, err
			}
			out.triggers[level][t.Key] = s
		}
		if level == Contract {
			if out.envelope, err = comp.Compile(BaseURL + "contract/envelope.json"); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// newCompiler returns a compiler that knows every embedded file of level
// under BaseURL, so nothing is fetched.
func newCompilerWith(level Level, fastInteger bool) (*jsonschema.Compiler, error) {
	levelFiles, err := embeddedFiles(level)
	if err != nil {
		return nil, err
	}
	return newCompilerFrom(level, fastInteger, levelFiles)
}

func newCompilerFrom(level Level, fastInteger bool, levelFiles map[string][]byte) (*jsonschema.Compiler, error) {
	comp := jsonschema.NewCompiler()
	if fastInteger {
		comp.RegisterVocabulary(integerVocab)
		comp.AssertVocabs()
	}
	comp.DefaultDraft(jsonschema.Draft2020)
	if level == Strict {
		// Draft 2020-12 only annotates formats unless told otherwise.
		comp.AssertFormat()
	}
	for _, name := range slices.Sorted(maps.Keys(levelFiles)) {
		data := levelFiles[name]
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", level, name, err)
		}
		if fastInteger {
			useIntegerExt(doc)
		}
		if err := comp.AddResource(BaseURL+level.String()+"/"+name, doc); err != nil {
			return nil, err
		}
	}
	return comp, nil
}

// numText formats a JSON number for a message the way it appeared.
func numText(v any) string {
	switch n := v.(type) {
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64)
	case json.Number:
		return n.String()
	}
	return fmt.Sprint(v)
}

// asWritten puts back, in the id-range messages and those naming two
// numbers (twoNumbers), the numbers as the payload wrote them: the decoded
// value holds 9007199254740993 as the float64 9007199254740992 and 1e999999
// as its bounded stand-in, and a message that names another value than the
// one in the file misleads. Only payloads with such a violation, naming a
// number a float64 may have rounded, pay for the second decoding, which
// the id rules share (writtenNumbers).
func asWritten(written *writtenNumbers, vs []Violation) {
	for i, v := range vs {
		pair, isPair := twoNumbers[v.Rule]
		if v.Rule != RuleIDRange && !(isPair && mayBeRounded(v.Message)) {
			continue
		}
		if isPair {
			a, ok1 := written.at(v.Location)
			b, ok2 := written.at(pair.other)
			if ok1 && ok2 {
				vs[i].Message = fmt.Sprintf(pair.format, writtenText(a), writtenText(b))
			}
			continue
		}
		n, ok := written.at(v.Location)
		is := strings.Index(v.Message, " is ")
		if !ok || is < 0 {
			continue
		}
		head := v.Message[:is]
		vs[i].Message = head[:strings.LastIndex(head, " ")+1] + writtenText(n) + v.Message[is:]
	}
}

// writtenNumbers reads the numbers of a payload as it wrote them, for the
// few checks and messages that a float64 may mislead. It decodes the
// payload again, with UseNumber, on first use only: most payloads never
// need it. A nil *writtenNumbers (ValidateValue) knows no text.
type writtenNumbers struct {
	payload []byte
	doc     any
	decoded bool
	// long: 1 when the payload has a run of 16 digits or more, 2 when
	// not, 0 when not looked at yet.
	long uint8
}

// at is the number at ptr as the payload wrote it.
func (w *writtenNumbers) at(ptr string) (json.Number, bool) {
	if w == nil {
		return "", false
	}
	if !w.decoded {
		w.decoded = true
		d := json.NewDecoder(bytes.NewReader(w.payload))
		d.UseNumber()
		if d.Decode(&w.doc) != nil {
			w.doc = nil
		}
	}
	n, ok := atPointer(w.doc, ptr).(json.Number)
	return n, ok
}

// mayHide reports whether the decoded number v may stand for another
// number the payload wrote, one that decoding rounded or bounded: a
// float64 past 2^53, with a fraction, or zero (1e-400 underflows to it), a
// stand-in for a number beyond float64. A nonzero integer below 2^53 is
// the number written unless that had 16 significant digits or more
// (1.0000000000000001): a number of at most 15 that rounds to such an
// integer is that integer, since the integer's neighbours lie closer than
// the 15th digit's steps.
func (w *writtenNumbers) mayHide(v any) bool {
	if w == nil {
		return false
	}
	switch n := v.(type) {
	case json.Number:
		return true
	case float64:
		if n == 0 || n != math.Trunc(n) || math.Abs(n) >= 1<<53 {
			return true
		}
		if w.long == 0 {
			w.long = 2
			if hasLongDigits(w.payload) {
				w.long = 1
			}
		}
		return w.long == 1
	}
	return false
}

// hasLongDigits reports whether data has 16 digits or more in a row, a
// decimal point between them or not: the only way to write a number with
// that many significant digits. Digits in strings count too, which costs
// no more than a needless second decoding. It looks at every 16th byte
// until one may end such a run: a run of 16 bytes holds one of them.
func hasLongDigits(data []byte) bool {
	inRun := func(c byte) bool { return c >= '0' && c <= '9' || c == '.' }
	for i := 15; i < len(data); i += 16 {
		if !inRun(data[i]) {
			continue
		}
		start, end := i, i+1
		for start > 0 && inRun(data[start-1]) {
			start--
		}
		for end < len(data) && inRun(data[end]) {
			end++
		}
		digits := 0
		for _, c := range data[start:end] {
			if c != '.' {
				digits++
			}
		}
		if digits >= 16 {
			return true
		}
		i = end - 1 // the next run starts past end: its 16th byte is at end+15 or later
	}
	return false
}

// mayBeRounded reports whether msg names a number a float64 may not hold
// as written: 16 digits or more in a row (2^53 has 16), or an infinity.
func mayBeRounded(msg string) bool {
	run := 0
	for i := 0; i < len(msg); i++ {
		if msg[i] < '0' || msg[i] > '9' {
			run = 0
			continue
		}
		if run++; run >= 16 {
			return true
		}
	}
	return strings.Contains(msg, "Inf")
}

// writtenText is a number as the payload wrote it, cut when absurdly long.
func writtenText(n json.Number) string {
	text := string(n)
	if len(text) > 40 {
		text = fmt.Sprintf("%s…(%d characters)", text[:24], len(text))
	}
	return text
}

// atPointer is the value at a JSON pointer of plain object keys ("/a/b").
func atPointer(doc any, ptr string) any {
	for _, k := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, ok := doc.(map[string]any)
		if !ok {
			return nil
		}
		doc = m[strings.ReplaceAll(strings.ReplaceAll(k, "~1", "/"), "~0", "~")]
	}
	return doc
}
