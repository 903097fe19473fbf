package docgen

import (
	"fmt"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Prose shared by every format, so that the Markdown, the HTML page and the
// AsyncAPI and OpenAPI descriptions tell integrators the same thing.

const docTitle = "Coperniq webhooks: trigger reference"

const intro = "Coperniq calls your URL when one of its automation triggers fires: one HTTP `POST` per event, with a JSON body that says what happened (`event`), to which project, request or account (`record`) and, for work-order triggers, to which work order (`workOrder`)."

// deliveryRules are the receiving rules, Markdown inline syntax. Each says
// whether Coperniq documents it or this project assumes it, so a reader
// knows which rules to check with Coperniq; the sources are in
// docs/coperniq.md.
var deliveryRules = []string{
	"**Set up.** In Coperniq: Company Settings → Process Studio → Automations, pick the trigger, add the action Call webhook with your URL, and switch the automation to Active (documented). Records that met the trigger before activation are not processed retroactively (documented).",
	"**Request.** `POST` with `Content-Type: application/json`, one event per request, to the URL set in the automation's webhook action (documented).",
	"**Acknowledge with any 2xx**, quickly; do slow work after answering. Any other status makes Coperniq retry (documented); a redirect (3xx is not followed), a timeout or a refused connection count as failures too (assumed: Coperniq publishes no retry schedule or timeout).",
	"**Be idempotent.** The same event can arrive more than once (documented); `event.eventId` identifies it, and a retry carries the same body (assumed: Coperniq does not say).",
	"**Don't rely on order.** Events can arrive out of order (assumed: Coperniq publishes no ordering). Keep, per record and work order, the version with the newest `record.updatedAt` / `workOrder.modifiedAt` (the later `event.firedAt` when those are equal), and ignore an older one that arrives late.",
	"**No signature or auth header.** If you need authentication, put a secret token in the URL's query string and check it (documented).",
	"**Be tolerant.** Coperniq may add properties, status values and triggers: accept what you don't know (the contract schemas do). Only `triggerKey` values and one `triggerName` are documented; the other names are this tool's.",
	"**`record` may be absent.** Coperniq sends it \"when the trigger is associated with a Project, Request, or Account\" (documented); `event.recordId` is always there.",
	"**Custom fields are not in the payload** (assumed: the documented example has none). Fetch them from Coperniq's REST API with `record.id` (`GET /projects/{id}` for a project).",
}

// levelsText explains the two schema levels and the "known values" column.
var levelsText = []string{
	"**contract** (`schemas/contract/`): what your receiver must accept. Open to extra properties and to status values nobody has published yet. Validate incoming payloads against this level.",
	"**strict** (`schemas/strict/`): exactly what coperniq-mock sends: closed objects and closed vocabularies. The *known values* in these docs come from it.",
}

func familyTitle(f schemas.Family) string {
	s := string(f)
	return strings.ToUpper(s[:1]) + s[1:]
}

// anchor is the fragment GitHub and the HTML page give a heading or id.
func anchor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// regenerateCommand is the command that rewrote these docs. The output
// directory is left out so that the bytes don't depend on where they were
// written.
func (s *site) regenerateCommand() string {
	cmd := "coperniq-mock docs --out DIR"
	if s.seed != generator.DefaultSeed {
		cmd += fmt.Sprintf(" --seed %d", s.seed)
	}
	return cmd
}

// generateCommand reproduces a page's example payload.
func (s *site) generateCommand(key string) string {
	return fmt.Sprintf("coperniq-mock generate %s --seed %d --pretty", key, s.seed)
}

// carries lists a trigger's top-level keys.
func (p *page) carries() []string {
	var out []string
	for _, k := range p.keys {
		out = append(out, k.name)
	}
	return out
}

// families groups pages in Families order, keeping catalog order within a
// family.
func (s *site) families() []familyPages {
	var out []familyPages
	for _, f := range schemas.Families() {
		fp := familyPages{family: f}
		for _, p := range s.pages {
			if p.trigger.Family == f {
				fp.pages = append(fp.pages, p)
			}
		}
		if len(fp.pages) > 0 {
			out = append(out, fp)
		}
	}
	return out
}

type familyPages struct {
	family schemas.Family
	pages  []*page
}

func extraNames(p *page) []string {
	var out []string
	for _, f := range p.extras {
		out = append(out, f.name)
	}
	return out
}

// commonEventFields counts the event fields every trigger carries.
func commonEventFields(p *page) int {
	for _, o := range p.objects {
		if o.path == "event" {
			return len(o.fields) - len(p.extras)
		}
	}
	return 0
}
