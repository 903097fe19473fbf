package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Document is Coperniq's published OpenAPI 3.1 document, as mirrored in
// api-evangelist/coperniq at openapi/_original/coperniq-openapi.yml
// (snapshot of 2026-08-21). It is Coperniq's, copied unchanged: the paths,
// parameters, response shapes and error bodies the mock serves come from
// it.
//
//go:embed openapi.yml
var Document []byte

// docURL is the document's location for the schema compiler; refs such
// as #/components/schemas/Project resolve inside it.
const docURL = "https://api.coperniq.io/openapi.json"

// Operation is one documented method on one path.
type Operation struct {
	Method string // GET, POST, PATCH, PUT, DELETE
	Path   string // as documented: /projects/{projectId}
	ID     string // operationId: get-project
	// Implemented is whether the mock serves it; the others answer 501.
	Implemented bool
	responses   map[string]any // status -> the JSON schema of its body
}

type spec struct {
	doc   map[string]any
	ops   []*Operation
	byKey map[string]*Operation // "GET /projects/{projectId}"
	comp  *jsonschema.Compiler
	// bodies compiles request-body schemas with their formats asserted
	// (email, date-time, uri): the document declares them, and JSON
	// Schema 2020-12 only annotates formats unless told to assert.
	// Responses are checked as annotated, as before.
	bodies *jsonschema.Compiler
	mu     sync.Mutex
	cache  map[string]*jsonschema.Schema
}

var loadSpec = sync.OnceValues(func() (*spec, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(Document, &doc); err != nil {
		return nil, fmt.Errorf("the embedded OpenAPI document: %w", err)
	}
	// The schema compiler wants JSON values (numbers as json.Number).
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("the embedded OpenAPI document: %w", err)
	}
	jdoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return nil, err
	}
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	if err := comp.AddResource(docURL, jdoc); err != nil {
		return nil, err
	}
	bodies := jsonschema.NewCompiler()
	bodies.DefaultDraft(jsonschema.Draft2020)
	bodies.AssertFormat()
	if err := bodies.AddResource(docURL, jdoc); err != nil {
		return nil, err
	}
	s := &spec{doc: doc, byKey: map[string]*Operation{}, comp: comp, bodies: bodies, cache: map[string]*jsonschema.Schema{}}
	paths, _ := doc["paths"].(map[string]any)
	for path, v := range paths {
		methods, _ := v.(map[string]any)
		for method, o := range methods {
			om, _ := o.(map[string]any)
			op := &Operation{Method: strings.ToUpper(method), Path: path, responses: map[string]any{}}
			op.ID, _ = om["operationId"].(string)
			resps, _ := om["responses"].(map[string]any)
			for status, r := range resps {
				rm, _ := r.(map[string]any)
				content, _ := rm["content"].(map[string]any)
				aj, _ := content["application/json"].(map[string]any)
				if sch, ok := aj["schema"]; ok {
					op.responses[status] = sch
				}
			}
			s.ops = append(s.ops, op)
			s.byKey[op.Method+" "+path] = op
		}
	}
	slices.SortFunc(s.ops, func(a, b *Operation) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	for _, r := range routes {
		op := s.byKey[r.key]
		if op == nil {
			return nil, fmt.Errorf("the mock implements %s, which the OpenAPI document does not have", r.key)
		}
		op.Implemented = true
	}
	return s, nil
})

func mustSpec() *spec {
	s, err := loadSpec()
	if err != nil {
		// The document is embedded and checked by the tests; failing to
		// read it is a build defect, not a user error.
		panic(err)
	}
	return s
}

// Operations lists every operation the document has, by path then
// method, each marked whether the mock implements it.
func Operations() []Operation {
	s := mustSpec()
	out := make([]Operation, len(s.ops))
	for i, op := range s.ops {
		out[i] = *op
	}
	return out
}

// resolve follows a local $ref.
func (s *spec) resolve(v any) map[string]any {
	m, _ := v.(map[string]any)
	for i := 0; i < 10 && m != nil; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		m = s.pointer(ref)
	}
	return m
}

func (s *spec) pointer(ref string) map[string]any {
	var cur any = s.doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, _ := cur.(map[string]any)
		cur = m[part]
	}
	m, _ := cur.(map[string]any)
	return m
}

// errorCode is the code the document gives the error body of op's status,
// "" when it documents none: its schema's code enum has one value. The
// document's codes are sometimes surprising (a 401 whose code is
// NOT_FOUND); they are served as documented.
func (s *spec) errorCode(op *Operation, status int) string {
	if op == nil {
		return ""
	}
	body := s.resolve(op.responses[fmt.Sprint(status)])
	props, _ := body["properties"].(map[string]any)
	code := s.resolve(props["code"])
	enum, _ := code["enum"].([]any)
	if len(enum) == 1 {
		c, _ := enum[0].(string)
		return c
	}
	return ""
}

// paramType is the type the document gives op's parameter name, "" when
// it has none.
func (s *spec) paramType(op *Operation, name string) string {
	for _, p := range s.parameters(op) {
		if p.name == name {
			return p.typ
		}
	}
	return ""
}

// bodyFields are the properties of op's request-body schema, sorted (the
// document, read into maps, keeps no order).
func (s *spec) bodyFields(op *Operation) []string {
	body, _ := s.operation(op)["requestBody"].(map[string]any)
	content, _ := body["content"].(map[string]any)
	aj, _ := content["application/json"].(map[string]any)
	props, _ := s.resolve(aj["schema"])["properties"].(map[string]any)
	return slices.Sorted(maps.Keys(props))
}

// schema compiles the schema at a JSON pointer in the document
// (#/components/schemas/ProjectUpdate).
func (s *spec) schema(ptr string) (*jsonschema.Schema, error) {
	return s.compile(s.comp, "", ptr)
}

// bodySchema compiles a request body's schema at ptr, formats asserted.
func (s *spec) bodySchema(ptr string) (*jsonschema.Schema, error) {
	return s.compile(s.bodies, "body ", ptr)
}

func (s *spec) compile(c *jsonschema.Compiler, kind, ptr string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.cache[kind+ptr]; ok {
		return sch, nil
	}
	sch, err := c.Compile(docURL + ptr)
	if err != nil {
		return nil, err
	}
	s.cache[kind+ptr] = sch
	return sch, nil
}

// ResponseSchema is the compiled schema the document gives the body of
// the response to method path with status, for tests that check what a
// server answered; nil when the document gives none.
func ResponseSchema(method, path string, status int) (*jsonschema.Schema, error) {
	s, err := loadSpec()
	if err != nil {
		return nil, err
	}
	op := s.byKey[strings.ToUpper(method)+" "+path]
	if op == nil {
		return nil, fmt.Errorf("the document has no %s %s", method, path)
	}
	if _, ok := op.responses[fmt.Sprint(status)]; !ok {
		return nil, nil
	}
	ptr := fmt.Sprintf("#/paths/%s/%s/responses/%d/content/application~1json/schema",
		escapePointer(path), strings.ToLower(method), status)
	return s.schema(ptr)
}

func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
