package docgen

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// The AsyncAPI and OpenAPI documents describe the same webhooks for the two
// kinds of tooling integrators use. Payload schemas are not copied into
// them: each message or request body is a relative $ref to the trigger's
// contract schema file under schemas/, the same file a receiver validates
// against, so there is one definition of every payload. File references are
// what mainstream bundlers, viewers and code generators resolve; the schema
// files declare their own dialect (JSON Schema 2020-12) with $schema.

// specVersion is info.version: the version of these descriptions, not of
// Coperniq, which versions neither its webhooks nor its payloads.
const specVersion = "1.0.0"

const specTitle = "Coperniq outbound webhooks"

const ackText = "Any 2xx status acknowledges the event; the response body is ignored. Answer quickly and do slow work afterwards."

const retryText = "Any other status counts as a failure and Coperniq retries (documented); so do, by this tool's assumption, a redirect (3xx is not followed), a timeout or a refused connection. A retry carries the same body (assumed), so the same `event.eventId` can arrive more than once."

func (s *site) specHeader() string {
	return generatedMark + " from the JSON Schemas in schemas/; do not edit.\nRegenerate: " + s.regenerateCommand() + "\n"
}

// specDescription is info.description: the intro and the receiving rules
// in CommonMark, which both formats allow there.
func (s *site) specDescription(extra string) string {
	var b strings.Builder
	b.WriteString(intro + "\n\n")
	for _, r := range deliveryRules {
		b.WriteString("- " + r + "\n")
	}
	b.WriteString("\n" + extra)
	if !s.vocab.IsDefault() {
		// The contract schemas referenced here are open: a reader of this
		// file alone would see the team's values only in the examples.
		fmt.Fprintf(&b, "\nWritten with %s: its value lists (work-order statuses, phase types, SLA types, ...) close the strict schemas under `schemas/strict/`, where they are the `enum`s; the contract schemas referenced here accept any value, so here they show only in the examples.\n", vocabularyName(s.vocab))
	}
	return b.String()
}

// vocabularyName names a team's vocabulary in prose: its file's base name
// (docs are published; a local path means nothing there).
func vocabularyName(v *schemas.Vocabulary) string {
	name := ""
	if v.File() != "" {
		name = "`" + filepath.Base(v.File()) + "`"
	}
	return schemas.NameVocabulary(name)
}

func schemaRef(key string) string { return "./schemas/contract/" + key + ".json" }

func (s *site) exampleSummary(key string) string {
	return "A realistic payload: what `" + s.generateCommand(key) + "` prints."
}

func familyTags(s *site) []any {
	var tags []any
	for _, fp := range s.families() {
		keys := make([]string, len(fp.pages))
		for i, p := range fp.pages {
			keys[i] = p.trigger.Key
		}
		tags = append(tags, obj{
			{"name", string(fp.family)},
			{"description", fmt.Sprintf("%s triggers: %s.", familyTitle(fp.family), strings.Join(keys, ", "))},
		})
	}
	return tags
}

// asyncAPI describes Coperniq as the application: it sends one message per
// trigger to a single channel, the subscriber's URL, over HTTP POST.
func (s *site) asyncAPI() []byte { return yamlDoc(s.specHeader(), s.asyncAPITree()) }

func (s *site) asyncAPITree() obj {
	return obj{
		{"asyncapi", "3.0.0"},
		{"info", obj{
			{"title", specTitle},
			{"version", specVersion},
			{"description", s.specDescription("Coperniq is the application described here: it **sends** every message, to the URL you configure. Payload schemas are the JSON Schema (draft 2020-12) files under `schemas/contract/`, the level a receiver must accept.\n")},
			{"tags", familyTags(s)},
		}},
		{"defaultContentType", "application/json"},
		{"servers", obj{
			{"receiver", obj{
				{"host", "{receiverHost}"},
				{"protocol", "https"},
				{"title", "Your webhook receiver"},
				{"description", "The receiver behind the URL you enter in a Coperniq automation's webhook action."},
				{"variables", obj{
					{"receiverHost", obj{
						{"description", "Host, and port if any, of your webhook URL."},
						{"examples", []any{"hooks.example.com", "hooks.example.com:8443"}},
					}},
				}},
			}},
			{"local", obj{
				{"host", "{localHost}"},
				{"protocol", "http"},
				{"title", "A receiver on your machine"},
				{"description", "A receiver under development on your machine, reached over plain HTTP, such as one you point `coperniq-mock send` at. Coperniq itself calls the URL set in the automation, normally HTTPS."},
				{"variables", obj{
					{"localHost", obj{
						{"description", "Host and port of the local receiver."},
						{"default", "127.0.0.1:8080"},
						{"examples", []any{"127.0.0.1:8080", "localhost:3000"}},
					}},
				}},
			}},
		}},
		{"channels", obj{
			{"webhook", obj{
				{"address", "{webhookPath}"},
				{"title", "Your webhook URL"},
				{"description", "Every trigger's events go to the one URL set in the automation; tell them apart by `event.triggerKey`."},
				{"parameters", obj{
					{"webhookPath", obj{
						{"description", "Path and query string of your webhook URL. Coperniq sends no auth header, so put a secret token here if you need one."},
						{"examples", []any{"/webhooks/coperniq?token=s3cret"}},
					}},
				}},
				{"messages", s.asyncMessageRefs("#/components/messages/")},
			}},
		}},
		{"operations", s.asyncOperations()},
		{"components", obj{{"messages", s.asyncMessages()}}},
	}
}

func (s *site) asyncMessageRefs(prefix string) obj {
	var o obj
	for _, p := range s.pages {
		o = append(o, kv{p.trigger.Key, obj{{"$ref", prefix + p.trigger.Key}}})
	}
	return o
}

func (s *site) asyncOperations() obj {
	var o obj
	for _, p := range s.pages {
		t := p.trigger
		o = append(o, kv{t.Key, obj{
			{"action", "send"},
			{"channel", obj{{"$ref", "#/channels/webhook"}}},
			{"title", t.Name},
			{"summary", "Coperniq POSTs this when " + t.FiresWhen + "."},
			{"description", ackText + " " + retryText},
			{"tags", []any{obj{{"name", string(t.Family)}}}},
			{"bindings", obj{{"http", obj{{"method", "POST"}, {"bindingVersion", "0.3.0"}}}}},
			{"messages", []any{obj{{"$ref", "#/channels/webhook/messages/" + t.Key}}}},
		}})
	}
	return o
}

func (s *site) asyncMessages() obj {
	var o obj
	for _, p := range s.pages {
		t := p.trigger
		o = append(o, kv{t.Key, obj{
			{"name", t.Key},
			{"title", t.Name},
			{"summary", "Fires when " + t.FiresWhen + "."},
			{"description", p.summary},
			{"contentType", "application/json"},
			{"tags", []any{obj{{"name", string(t.Family)}}}},
			{"payload", obj{{"$ref", schemaRef(t.Key)}}},
			{"bindings", obj{{"http", obj{
				{"headers", obj{
					{"type", "object"},
					{"properties", obj{{"Content-Type", obj{{"type", "string"}, {"enum", []any{"application/json"}}}}}},
				}},
				{"bindingVersion", "0.3.0"},
			}}}},
			{"examples", []any{obj{
				{"name", "realistic"},
				{"summary", s.exampleSummary(t.Key)},
				{"payload", p.exampleTree},
			}}},
		}})
	}
	return o
}

// openAPI lists each trigger under webhooks, the OpenAPI 3.1 way to
// describe requests an API sends rather than receives.
func (s *site) openAPI() []byte { return yamlDoc(s.specHeader(), s.openAPITree()) }

func (s *site) openAPITree() obj {
	return obj{
		{"openapi", "3.1.0"},
		{"info", obj{
			{"title", specTitle},
			{"version", specVersion},
			{"summary", "The HTTP POST Coperniq sends to your URL for each of its automation triggers."},
			{"description", s.specDescription("Each entry under `webhooks` is one trigger: implement it as a `POST` handler at the URL you configure in Coperniq. Request body schemas are the JSON Schema files under `schemas/contract/`, the level a receiver must accept.\n")},
		}},
		{"tags", familyTags(s)},
		{"webhooks", s.openAPIWebhooks()},
	}
}

func (s *site) openAPIWebhooks() obj {
	var o obj
	for _, p := range s.pages {
		t := p.trigger
		o = append(o, kv{t.Key, obj{
			{"post", obj{
				{"operationId", t.Key},
				{"summary", t.Name},
				{"description", p.summary},
				{"tags", []any{string(t.Family)}},
				// Stated rather than left out: Coperniq sends no credentials,
				// and linters (redocly's security-defined) flag silence.
				{"security", []any{}},
				{"requestBody", obj{
					{"description", "One " + t.Key + " event."},
					{"required", true},
					{"content", obj{
						{"application/json", obj{
							{"schema", obj{{"$ref", schemaRef(t.Key)}}},
							{"examples", obj{
								{"realistic", obj{
									{"summary", s.exampleSummary(t.Key)},
									{"value", p.exampleTree},
								}},
							}},
						}},
					}},
				}},
				{"responses", obj{
					{"2XX", obj{{"description", "Acknowledged. " + ackText}}},
					{"default", obj{{"description", "Not acknowledged: Coperniq retries. " + retryText}}},
				}},
			}},
		}})
	}
	return o
}
