//go:build !unix

package load

// rawIO: elsewhere (Windows) connReader uses the connection's own Write
// and Read, and a connection closed while idle is found only by the
// request's read, which fails it as eof or reset.
const rawIO = false

func (r *connReader) rawStep(uintptr) bool { return true } // never called: rc stays nil
func (r *connReader) peekStep(uintptr)     {}              // never called: under stays nil
