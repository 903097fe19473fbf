package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"os"
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
	keys := 0
	for i, c := range src {
		if c != ':' {
			continue
		}
		next := byte('\n')
		if i+1 < len(src) {
			next = src[i+1]
		}
		if next == ' ' || next == '\t' || next == '\n' || next == '\r' || (i > 0 && src[i-1] == '"') {
			if keys++; keys > MaxKeys {
				line := 1 + bytes.Count(src[:i], []byte{'\n'})
				return fmt.Sprintf("the file has more than %d keys (line %d passes the cap for a scenario file); split it up", MaxKeys, line)
			}
		}
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
