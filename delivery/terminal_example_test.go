package delivery_test

import (
	"fmt"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// A receiver's answer with a terminal escape sequence in it, made safe to
// print.
func ExampleEscape() {
	fmt.Println(delivery.Escape("error: \x1b[2Jbad token\r\nretry"))
	// Output:
	// error: \x1b[2Jbad token\x0d
	// retry
}
