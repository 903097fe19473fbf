package scenarios

import (
	"fmt"
	"io"
	"os"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Caps on a scenario file, checked before the YAML parser sees it: a file of
// unknown origin must not take the memory or the time it likes. The YAML
// parser's work grows with the square of a mapping's keys (80,000 keys took
// over 25 s), so the keys are bounded too; real scenario files have some
// hundreds of keys in some tens of KiB.
const (
	// MaxFileSize bounds a scenario file's size.
	MaxFileSize = 1 << 20
	// MaxKeys bounds a scenario file's mapping keys, all mappings together
	// (counted as the colons that end a key: "key: value", "key:" at the end
	// of a line, `"key":`).
	MaxKeys = 5000
)

// checkCaps says why src is over a cap, or "" when it is not. One pass.
func checkCaps(src []byte) string {
	if len(src) > MaxFileSize {
		return fmt.Sprintf("the file is %d bytes, over the %d KiB cap for a scenario file; split it up", len(src), MaxFileSize>>10)
	}
	if line := schemas.YAMLKeysOver(src, MaxKeys); line > 0 {
		return fmt.Sprintf("the file has more than %d keys (line %d passes the cap for a scenario file); split it up", MaxKeys, line)
	}
	if line := schemas.YAMLFlowDepthOver(src, schemas.MaxYAMLFlowDepth); line > 0 {
		return fmt.Sprintf("the file nests [ ] and { } more than %d deep (line %d passes the cap for a scenario file); write it with fewer levels", schemas.MaxYAMLFlowDepth, line)
	}
	return ""
}

// readFileCapped reads a scenario file, stopping just past MaxFileSize so
// that a huge file is refused without being read whole.
func readFileCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
}
