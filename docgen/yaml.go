package docgen

import "strings"

// The YAML is written by hand rather than by a YAML library so that the
// bytes depend on nothing but this code: a library upgrade that changes
// quoting or line folding would make every committed docs/ folder stale.
// The subset used is block mappings and sequences, plain scalars only where
// no YAML 1.1 or 1.2 reader can take them for anything but a string,
// double-quoted scalars (JSON string syntax, which YAML accepts) otherwise,
// and literal blocks for multi-line text. Tests parse the output back with a
// YAML library and compare it with the tree.

// yamlDoc renders a tree as a YAML document after a comment header.
func yamlDoc(header string, v obj) []byte {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		b.WriteString(strings.TrimRight("# "+line, " "))
		b.WriteByte('\n')
	}
	writeYAMLMap(&b, v, 0)
	return []byte(b.String())
}

func writeYAMLMap(b *strings.Builder, o obj, indent int) {
	for _, m := range o {
		b.WriteString(strings.Repeat(" ", indent))
		b.WriteString(yamlKey(m.k))
		b.WriteByte(':')
		writeYAMLValue(b, m.v, indent)
	}
}

// writeYAMLValue writes what follows "key:" or "-": a scalar on the same
// line, or a newline and a nested block indented by two more spaces.
func writeYAMLValue(b *strings.Builder, v any, indent int) {
	switch t := v.(type) {
	case obj:
		if len(t) == 0 {
			b.WriteString(" {}\n")
			return
		}
		b.WriteByte('\n')
		writeYAMLMap(b, t, indent+2)
	case []any:
		if len(t) == 0 {
			b.WriteString(" []\n")
			return
		}
		b.WriteByte('\n')
		writeYAMLSeq(b, t, indent+2)
	case string:
		if block, ok := yamlBlock(t, indent+2); ok {
			b.WriteString(block)
			return
		}
		b.WriteByte(' ')
		b.WriteString(yamlScalar(t))
		b.WriteByte('\n')
	default:
		b.WriteByte(' ')
		b.WriteString(scalarJSON(t))
		b.WriteByte('\n')
	}
}

func writeYAMLSeq(b *strings.Builder, a []any, indent int) {
	pad := strings.Repeat(" ", indent)
	for _, e := range a {
		b.WriteString(pad)
		b.WriteByte('-')
		// A mapping item starts on the dash's line, the YAML everyone writes:
		// "- name: x" with the other keys under "name".
		if o, ok := e.(obj); ok && len(o) > 0 {
			b.WriteByte(' ')
			b.WriteString(yamlKey(o[0].k))
			b.WriteByte(':')
			writeYAMLValue(b, o[0].v, indent+2)
			writeYAMLMap(b, o[1:], indent+2)
			continue
		}
		writeYAMLValue(b, e, indent)
	}
}

// yamlBlock writes multi-line text as a literal block ("|-" or "|"), so that
// descriptions read as prose. It declines text a literal block cannot carry
// exactly: leading spaces on the first line, trailing blank lines, or
// characters outside printable text.
func yamlBlock(s string, indent int) (string, bool) {
	if !strings.Contains(s, "\n") || strings.HasPrefix(s, " ") || strings.HasSuffix(s, "\n\n") || s == "\n" {
		return "", false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff {
			return "", false
		}
	}
	chomp := "-"
	body := s
	if strings.HasSuffix(s, "\n") {
		chomp = ""
		body = strings.TrimSuffix(s, "\n")
	}
	var b strings.Builder
	b.WriteString(" |" + chomp + "\n")
	pad := strings.Repeat(" ", indent)
	for _, line := range strings.Split(body, "\n") {
		if line != "" {
			b.WriteString(pad)
			b.WriteString(line)
		}
		b.WriteByte('\n')
	}
	return b.String(), true
}

// yamlKey writes a mapping key: plain when it is safe, quoted otherwise
// ("2XX", "200", keys with spaces).
func yamlKey(k string) string {
	if plainSafe(k, true) {
		return k
	}
	return jsonString(k)
}

func yamlScalar(s string) string {
	if plainSafe(s, false) {
		return s
	}
	return jsonString(s)
}

// plainSafe reports whether s can be written unquoted and still read back
// as the same string by YAML 1.1 and 1.2 readers. It is deliberately
// conservative: ASCII only, starting with a letter (so never a number, date,
// or indicator), none of the words that 1.1 reads as booleans or null, and
// no ": " or " #" that would start a mapping or a comment.
func plainSafe(s string, key bool) bool {
	if s == "" || s != strings.TrimSpace(s) {
		return false
	}
	first := s[0]
	if !(first >= 'a' && first <= 'z' || first >= 'A' && first <= 'Z' || key && first == '$' || first == '/') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte(" _-./(),;+=?&!@~%*'\"`$^<>|:", c) >= 0:
		default:
			return false
		}
	}
	if strings.Contains(s, ": ") || strings.HasSuffix(s, ":") || strings.Contains(s, " #") {
		return false
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~":
		return false
	}
	return true
}
