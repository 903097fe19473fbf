package schemas

import (
	"fmt"
	"strings"
)

// Plural spells a count with its noun: "1 payload", "2 payloads",
// "2 deliveries". Every summary this project prints counts this way.
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ey") {
		return fmt.Sprintf("%d %sies", n, noun[:len(noun)-1])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
