package schemas

import "os"

// ReadVocabulary reads and parses the vocabulary file at path; "" is the
// built-in vocabulary, returned as nil (what every option taking a
// *Vocabulary reads as the built-in one). A bad file is reported
// file:line:col; one that cannot be read is an *fs.PathError.
func ReadVocabulary(path string) (*Vocabulary, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // an *fs.PathError, naming path
	}
	return ParseVocabulary(path, data)
}
