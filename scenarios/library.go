package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// The built-in library: scenario files embedded in the binary. Their file
// names are the vocabulary (`scenario run residential-solar`), and
// `scenario show NAME` prints the file itself, to copy and change.
//
//go:embed library/*.yaml
var library embed.FS

// builtinOrder is the order `scenario list` shows: the main story first,
// then single-feature lifecycles, then delivery behaviour, then scale.
// TestLibraryOrderListsEveryFile keeps it in step with the folder.
var builtinOrder = []string{
	"residential-solar",
	"work-order-lifecycle",
	"request-won",
	"request-lost",
	"phase-sla-violation",
	"appointment-rescheduled",
	"call-logged",
	"retry-after-5xx",
	"duplicate-delivery",
	"out-of-order-delivery",
	"concurrent-projects",
}

// Info describes a built-in scenario.
type Info struct {
	Name string
	// Summary is the first line of the description.
	Summary string
	// Events is how many events it fires with its default parameters.
	Events   int
	Triggers []string
	Params   []Param
}

// builtins parses each built-in once, when first asked for: running one
// scenario need not parse the whole library.
var builtins = func() map[string]func() (*Scenario, error) {
	m := map[string]func() (*Scenario, error){}
	for _, name := range builtinOrder {
		m[name] = sync.OnceValues(func() (*Scenario, error) {
			src, err := library.ReadFile("library/" + name + ".yaml")
			if err != nil {
				return nil, err
			}
			return Parse(name+".yaml", src)
		})
	}
	return m
}()

// Builtin describes every built-in scenario, in display order. A built-in
// that fails to parse is a bug that the package's tests catch; it is left
// out here.
func Builtin() []Info {
	out := make([]Info, 0, len(builtinOrder))
	for _, name := range builtinOrder {
		s, err := builtins[name]()
		if err != nil {
			continue
		}
		summary, _, _ := strings.Cut(s.Description, "\n")
		out = append(out, Info{Name: name, Summary: strings.TrimSpace(summary), Events: s.events,
			Triggers: s.Triggers(), Params: slices.Clone(s.Params)})
	}
	return out
}

// Names lists the built-in scenarios' names, in display order.
func Names() []string { return slices.Clone(builtinOrder) }

func builtinName(name string) string {
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".yaml"), ".yml")
	if slices.Contains(builtinOrder, name) {
		return name
	}
	return ""
}

// Source returns a built-in scenario's file, as embedded.
func Source(name string) ([]byte, error) {
	n := builtinName(name)
	if n == "" {
		return nil, errors.New(oneOf("built-in scenario", name, builtinOrder))
	}
	return library.ReadFile("library/" + n + ".yaml")
}

// Load returns the built-in scenario of that name, or else parses the file
// at that path. Errors from a file are Parse's, located in it.
func Load(nameOrPath string) (*Scenario, error) {
	if n := builtinName(nameOrPath); n != "" && !strings.ContainsAny(nameOrPath, `/\`) {
		return builtins[n]()
	}
	src, err := readFileCapped(nameOrPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(nameOrPath, `/\.`) {
			msg := fmt.Sprintf("scenario %q is neither a built-in one [%s] nor a file", nameOrPath, strings.Join(builtinOrder, " "))
			if s := suggest.Nearest(nameOrPath, builtinOrder); s != "" {
				msg += "; did you mean " + s + "?"
			}
			return nil, errors.New(msg)
		}
		return nil, err
	}
	return Parse(nameOrPath, src)
}

// builtinsErr reports built-ins that failed to parse, for tests.
func builtinsErr() error {
	var errs []error
	for _, name := range builtinOrder {
		if _, err := builtins[name](); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
