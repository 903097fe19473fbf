package contract

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// payload is one body the suite sends, with what it takes to send the same
// bytes again from the command line.
type payload struct {
	Trigger string // the catalog trigger it was generated for
	Profile generator.Profile
	Seed    uint64
	// Sets are --set expressions applied after generation; AllowInvalid is
	// --allow-invalid. Both go into the reproducer as flags.
	Sets         []string
	AllowInvalid bool
	// Vocabulary is the --vocabulary file the payload was generated in, ""
	// for the built-in vocabulary.
	Vocabulary string
	// Command replaces the `send` reproducer for payloads that a single
	// send cannot produce (a scenario's events); URL is appended.
	Command string

	Body []byte
	// Event is read back from Body: with overrides, event.triggerKey is
	// not Trigger.
	Event schemas.Identity
}

// generate builds the payload exactly as `coperniq-mock send` does with the
// same flags: a fresh Generator whose first payload it is, so the printed
// reproducer sends the same bytes.
func (pl *plan) generate(trigger string, profile generator.Profile, seed uint64, allowInvalid bool, sets ...string) (payload, error) {
	p := payload{Trigger: trigger, Profile: profile, Seed: seed, Sets: sets, AllowInvalid: allowInvalid, Vocabulary: pl.vocab.File()}
	opts := []generator.Option{generator.WithProfile(profile), generator.WithAllowInvalid(allowInvalid), generator.WithVocabulary(pl.vocab)}
	if len(sets) > 0 {
		o := &generator.Overrides{}
		for _, expr := range sets {
			if err := o.SetExpr(expr); err != nil {
				return p, fmt.Errorf("contract: --set %q: %w", expr, err)
			}
		}
		opts = append(opts, generator.WithOverrides(o))
	}
	body, err := generator.New(seed, opts...).JSON(trigger)
	if err != nil {
		return p, fmt.Errorf("contract: generating %s (seed %d, profile %s): %w", trigger, seed, profile, err)
	}
	p.Body = body
	p.Event, err = eventOf(body)
	return p, err
}

// fromBody wraps a body made elsewhere (a scenario), whose identity was
// read there, with its reproducer.
func fromBody(id schemas.Identity, body []byte, command string) payload {
	return payload{Trigger: id.TriggerKey, Body: body, Event: id, Command: command}
}

// eventOf reads the identity back with schemas.DecodeIdentity. Specs send
// payloads without a triggerKey on purpose; they need their ids.
func eventOf(body []byte) (schemas.Identity, error) {
	id, err := schemas.DecodeIdentity(body)
	var ie *schemas.IdentityError
	if errors.As(err, &ie) && (ie.Lacks(schemas.FieldEventID) || ie.Lacks(schemas.FieldRecordID)) {
		return schemas.Identity{}, fmt.Errorf("contract: reading event ids back: %w: %.200s", err, body)
	}
	return id, nil
}

// label names the payload in messages: "TASK_CREATED (edge, seed 3)".
func (p payload) label() string {
	if p.Command != "" {
		return fmt.Sprintf("%s, eventId %d", p.Event.TriggerKey, p.Event.EventID)
	}
	s := fmt.Sprintf("%s (%s, seed %d)", p.Trigger, p.Profile, p.Seed)
	if p.Event.TriggerKey != p.Trigger {
		s = fmt.Sprintf("%s as %s (%s, seed %d)", p.Trigger, p.Event.TriggerKey, p.Profile, p.Seed)
	}
	return s
}

// reproducer is the one-line command that sends this payload to d as
// shown (masked), with d's flags.
func (p payload) reproducer(d dest) string {
	if p.Command != "" {
		return p.Command + " " + d.targetArgs()
	}
	args := []string{"coperniq-mock", "send", p.Trigger, "--seed", strconv.FormatUint(p.Seed, 10), "--profile", string(p.Profile)}
	for _, s := range p.Sets {
		args = append(args, "--set", shellQuote(s))
	}
	if p.AllowInvalid {
		args = append(args, "--allow-invalid")
	}
	if p.Vocabulary != "" {
		args = append(args, "--vocabulary", shellQuote(p.Vocabulary))
	}
	return strings.Join(args, " ") + " " + d.targetArgs()
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
