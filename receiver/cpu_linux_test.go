package receiver_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process has used, every thread
// included: the receiver's printer and the garbage collector count.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
