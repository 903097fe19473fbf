package receiver

import (
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// WithVocabulary checks deliveries against the schemas of a team's
// vocabulary (schemas.ParseVocabulary): at the strict level, the trigger
// names and value lists are v's. Nil is the built-in vocabulary.
func WithVocabulary(v *schemas.Vocabulary) Option {
	return func(c *config) error {
		v, err := v.Complete()
		if err != nil {
			return err
		}
		if v.IsDefault() {
			c.validator = nil
			return nil
		}
		val, err := schemas.NewValidator(v)
		if err != nil {
			return err
		}
		c.validator, c.vocabFile = val, v.File()
		return nil
	}
}

// validate checks a payload with the configured vocabulary's schemas.
func (c *config) validate(payload []byte) (schemas.Validation, error) {
	if c.validator == nil {
		return schemas.Validate(payload, c.level)
	}
	return c.validator.Validate(payload, c.level)
}
