package testreceivers

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// ErrNoPython is StartPython's error when python3 is not installed.
var ErrNoPython = errors.New("no python3 on the PATH")

// StartPython runs one of the Python receivers (a script that prints
// "listening on PORT" once it accepts connections) with args and returns
// its base URL and a function that stops it.
func StartPython(script string, args ...string) (base string, stop func(), err error) {
	python, err := exec.LookPath("python3")
	if err != nil {
		return "", nil, ErrNoPython
	}
	cmd := exec.Command(python, append([]string{script}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	var port int
	if _, err := fmt.Fscanf(stdout, "listening on %d\n", &port); err != nil {
		stop()
		return "", nil, fmt.Errorf("the python receiver %s did not start: %w", script, err)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port), stop, nil
}
