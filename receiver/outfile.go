package receiver

import (
	"errors"
	"os"
)

// OutFile is the file a server writes deliveries to (WithOutput), opened
// before the server binds its address and emptied only once it has: a busy
// port must not cost the previous capture, nor leave an empty file behind.
// Writes wait until Ready.
type OutFile struct {
	path    string
	f       *os.File
	created bool
	ready   chan struct{}
}

// OpenOutFile opens path for writing without truncating it.
func OpenOutFile(path string) (*OutFile, error) {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	return &OutFile{path: path, f: f, created: errors.Is(statErr, os.ErrNotExist), ready: make(chan struct{})}, nil
}

// Write holds p until Ready, then writes it.
func (o *OutFile) Write(p []byte) (int, error) {
	<-o.ready
	return o.f.Write(p)
}

// Ready empties the file, once the server is bound, and lets writes through.
func (o *OutFile) Ready() error {
	defer close(o.ready)
	return o.f.Truncate(0)
}

// Abandon closes the file for a server that never started, removing it
// when OpenOutFile created it.
func (o *OutFile) Abandon() {
	o.f.Close()
	if o.created {
		os.Remove(o.path)
	}
}

// Close closes the file.
func (o *OutFile) Close() error { return o.f.Close() }
