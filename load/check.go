package load

// Check applies opts to a default configuration and returns the first
// one's error, so that a caller can say which of its inputs is bad (a
// flag, a field) before anything is sent. The bounds are the options' own.
func Check(opts ...Option) error {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return err
		}
	}
	return nil
}
