package schemas

import (
	"io"
	"os"
)

// ReadVocabulary reads and parses the vocabulary file at path; "" is the
// built-in vocabulary, returned as nil (what every option taking a
// *Vocabulary reads as the built-in one). A bad file is reported
// file:line:col; one that cannot be read is an *fs.PathError. A file over
// MaxVocabularySize is refused after reading one byte past the cap.
func ReadVocabulary(path string) (*Vocabulary, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err // an *fs.PathError, naming path
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxVocabularySize+1))
	if err != nil {
		return nil, err // an *fs.PathError, naming path
	}
	return ParseVocabulary(path, data)
}
