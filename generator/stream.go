package generator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// WriteStream writes count payloads of each trigger in keys to w, in that
// order: NDJSON (one document a line), or indented documents one after
// another when pretty. Output is buffered; what was written before an error
// is flushed.
func (g *Generator) WriteStream(w io.Writer, keys []string, count int, pretty bool) error {
	if count < 1 {
		return &CountError{count}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf []byte
	var ib bytes.Buffer
	for _, key := range keys {
		for range count {
			var err error
			if buf, err = g.AppendJSON(buf[:0], key); err != nil {
				bw.Flush()
				return err
			}
			out := buf
			if pretty {
				ib.Reset()
				if err := json.Indent(&ib, buf, "", "  "); err != nil {
					return err
				}
				out = ib.Bytes()
			}
			bw.Write(out)
			if err := bw.WriteByte('\n'); err != nil {
				return err // nobody reads on: stop
			}
		}
	}
	return bw.Flush()
}

// CountError is a count of payloads below 1.
type CountError struct{ Count int }

func (e *CountError) Error() string { return fmt.Sprintf("count %d: want at least 1", e.Count) }
