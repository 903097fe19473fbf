package schemas

// ExpandTriggers is the trigger keys names stands for, "all" standing for
// every one (TriggerKeys), each checked (Lookup) before any is returned,
// so that a typo in the third name does not leave half an output behind.
func ExpandTriggers(names []string) ([]string, error) {
	var keys []string
	for _, n := range names {
		if n == "all" {
			keys = append(keys, TriggerKeys()...)
			continue
		}
		if _, err := Lookup(n); err != nil {
			return nil, err
		}
		keys = append(keys, n)
	}
	return keys, nil
}
