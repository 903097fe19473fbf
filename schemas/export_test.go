package schemas

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// diskLoader serves BaseURL + level + "/" from a directory and refuses
// everything else, so a test proves the exported files need no network.
type diskLoader struct{ prefix, dir string }

func (l diskLoader) Load(url string) (any, error) {
	rel, ok := strings.CutPrefix(url, l.prefix)
	if !ok {
		return nil, fmt.Errorf("offline: refusing to fetch %s", url)
	}
	f, err := os.Open(filepath.Join(l.dir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

func TestExportResolvesOffline(t *testing.T) {
	for _, level := range Levels() {
		t.Run(level.String(), func(t *testing.T) {
			dir := t.TempDir()
			if err := Export(dir, level); err != nil {
				t.Fatal(err)
			}
			want, _ := schemaFiles(level)
			var got []string
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, p)
					got = append(got, filepath.ToSlash(rel))
				}
				return err
			})
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("exported %v, want %v", got, want)
			}

			comp := jsonschema.NewCompiler()
			comp.UseLoader(diskLoader{prefix: BaseURL + level.String() + "/", dir: dir})
			if level == Strict {
				comp.AssertFormat()
			}
			var payloadSchema *jsonschema.Schema
			for _, name := range got {
				s, err := comp.Compile(BaseURL + level.String() + "/" + name)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if name == "TASK_STATUS_MOVEMENT.json" {
					payloadSchema = s
				}
			}
			doc := documentedDoc(t)
			if err := payloadSchema.Validate(doc); err != nil {
				t.Errorf("the documented example fails the exported schema: %v", err)
			}
			at(doc, "record.stage")["id"] = "16651"
			if err := payloadSchema.Validate(doc); err == nil || !strings.Contains(err.Error(), "/record/stage/id") {
				t.Errorf("the exported schema accepts a string stage id: %v", err)
			}
		})
	}
}

func TestExportRejectsUnknownLevel(t *testing.T) {
	if err := Export(t.TempDir(), Level(9)); err == nil {
		t.Error("want an error for an unknown level")
	}
}
