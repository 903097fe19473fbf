package schemas

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// The committed, generated schema files. They are embedded rather than
// generated at start-up so that what the validator uses is byte for byte
// what integrators download from the repository.
//
//go:embed contract strict
var files embed.FS

// Schema returns the schema file of triggerKey at level, as committed. It
// references the level's defs/ files by relative URL; Export writes them
// all. An unknown trigger gets the *UnknownTriggerError from Lookup.
func Schema(triggerKey string, level Level) ([]byte, error) {
	if _, err := Lookup(triggerKey); err != nil {
		return nil, err
	}
	if !level.valid() {
		return nil, fmt.Errorf("level %d isn't one of [contract strict]", int(level))
	}
	return files.ReadFile(level.String() + "/" + triggerKey + ".json")
}

// Export writes every schema file of level into dir (created if needed),
// keeping the layout (defs/ beside the trigger files) so that the relative
// references resolve. The files have no $id, so a validator that loads a
// file from dir resolves its references in dir: nothing is fetched.
func Export(dir string, level Level) error {
	if !level.valid() {
		return fmt.Errorf("level %d isn't one of [contract strict]", int(level))
	}
	root := level.String()
	return fs.WalkDir(files, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := p[len(root):]
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}

// SchemaFor is Schema in the vocabulary v: the strict file closes its
// value lists to v's and names v's file; the contract level takes any names,
// so its files are the committed ones whatever v (nil: the built-in one).
func SchemaFor(v *Vocabulary, triggerKey string, level Level) ([]byte, error) {
	if v.IsDefault() || level != Strict {
		return Schema(triggerKey, level)
	}
	if _, err := Lookup(triggerKey); err != nil {
		return nil, err
	}
	generated, err := vocabularyFiles(v)
	if err != nil {
		return nil, err
	}
	return generated[level.String()+"/"+triggerKey+".json"], nil
}

// ExportFor is Export in the vocabulary v, as SchemaFor.
func ExportFor(v *Vocabulary, dir string, level Level) error {
	if v.IsDefault() || level != Strict {
		return Export(dir, level)
	}
	generated, err := vocabularyFiles(v)
	if err != nil {
		return err
	}
	prefix := level.String() + "/"
	for name, data := range generated {
		rel, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// vocabularyFiles generates the schema files of v, as NewValidator does.
func vocabularyFiles(v *Vocabulary) (map[string][]byte, error) {
	v, err := v.Complete()
	if err != nil {
		return nil, err
	}
	return GenerateFilesFor(nil, v)
}

// schemaFiles lists the embedded files of one level as slash paths relative
// to the level directory ("TASK_CREATED.json", "defs/record.json").
func schemaFiles(level Level) ([]string, error) {
	root := level.String()
	var out []string
	err := fs.WalkDir(files, root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) == ".json" {
			out = append(out, p[len(root)+1:])
		}
		return err
	})
	return out, err
}
