package examples

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"engage/token"
)

// Mask returns response, a GraphQL response, indented for reading, with the
// value of every key in keys replaced by the placeholder "<key>". Only
// values of the expected shape are replaced: non-empty strings, and for the
// key "secret" a well-formed token secret. Anything else stays as it is, so
// that a comparison with a recorded response shows it.
//
// Mask keeps the order of object keys, which is the order of the fields in
// the operation, so that its output is stable and reads like the query.
func Mask(response []byte, keys []string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(response))
	dec.UseNumber()
	v, err := decode(dec)
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("reading the response: trailing data")
	}
	var buf bytes.Buffer
	encode(&buf, mask(v, "", keys), "")
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Placeholder is what a masked value of key becomes.
func Placeholder(key string) string { return "<" + key + ">" }

// object is a JSON object that keeps its keys' order.
type object []member

type member struct {
	key   string
	value any
}

// decode reads one JSON value: an object, a []any, a string, a json.Number,
// a bool or nil.
func decode(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		obj := object{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decode(dec)
			if err != nil {
				return nil, err
			}
			obj = append(obj, member{k.(string), v})
		}
		_, err := dec.Token() // '}'
		return obj, err
	case json.Delim('['):
		arr := []any{}
		for dec.More() {
			v, err := decode(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token() // ']'
		return arr, err
	}
	return t, nil
}

// mask replaces the values of keys in v, which is the value of key.
func mask(v any, key string, keys []string) any {
	switch v := v.(type) {
	case object:
		out := make(object, len(v))
		for i, m := range v {
			out[i] = member{m.key, mask(m.value, m.key, keys)}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = mask(x, key, keys)
		}
		return out
	case string:
		if slices.Contains(keys, key) && v != "" && (key != "secret" || token.Check(v) == nil) {
			return Placeholder(key)
		}
	}
	return v
}

// encode writes v as JSON indented by two spaces per level.
func encode(buf *bytes.Buffer, v any, indent string) {
	switch v := v.(type) {
	case object:
		if len(v) == 0 {
			buf.WriteString("{}")
			return
		}
		buf.WriteString("{\n")
		for i, m := range v {
			buf.WriteString(indent + "  ")
			writeString(buf, m.key)
			buf.WriteString(": ")
			encode(buf, m.value, indent+"  ")
			if i < len(v)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "}")
	case []any:
		if len(v) == 0 {
			buf.WriteString("[]")
			return
		}
		buf.WriteString("[\n")
		for i, x := range v {
			buf.WriteString(indent + "  ")
			encode(buf, x, indent+"  ")
			if i < len(v)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "]")
	case string:
		writeString(buf, v)
	case json.Number:
		buf.WriteString(v.String())
	case bool:
		fmt.Fprint(buf, v)
	case nil:
		buf.WriteString("null")
	}
}

// writeString writes s as a JSON string, leaving <, > and & as they are so
// that placeholders read "<secret>", not "\u003csecret\u003e".
func writeString(buf *bytes.Buffer, s string) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	buf.WriteString(strings.TrimSuffix(b.String(), "\n"))
}
