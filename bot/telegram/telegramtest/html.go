package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// htmlEntityTypes maps the tags Telegram's HTML parse mode accepts to the
// entity types they produce.
var htmlEntityTypes = map[string]string{
	"b": "bold", "strong": "bold",
	"i": "italic", "em": "italic",
	"u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
	"tg-spoiler": "spoiler", "span": "spoiler",
	"a":          "text_link",
	"code":       "code",
	"pre":        "pre",
	"blockquote": "blockquote",
}

// parseHTML parses text as Telegram's HTML parse mode does and returns the
// visible text and its entities (offsets in UTF-16 code units), or the
// description Telegram gives for malformed markup.
func parseHTML(s string) (string, []wireEntity, error) {
	var (
		out      strings.Builder
		entities []wireEntity
		u16      int
	)
	type open struct {
		tag   string
		start int
		url   string
	}
	var stack []open
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", nil, fmt.Errorf("can't parse entities: Unclosed start tag at byte offset %d", i)
			}
			inner := s[i+1 : i+end]
			if strings.HasPrefix(inner, "/") {
				name := strings.ToLower(strings.TrimSpace(inner[1:]))
				if len(stack) == 0 || stack[len(stack)-1].tag != name {
					return "", nil, fmt.Errorf("can't parse entities: Unexpected end tag at byte offset %d", i)
				}
				o := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if u16 > o.start {
					entities = append(entities, wireEntity{Type: htmlEntityTypes[name], Offset: o.start, Length: u16 - o.start, URL: o.url})
				}
			} else {
				name, attrs, _ := strings.Cut(inner, " ")
				name = strings.ToLower(name)
				if _, ok := htmlEntityTypes[name]; !ok {
					return "", nil, fmt.Errorf("can't parse entities: Unsupported start tag %q at byte offset %d", name, i)
				}
				o := open{tag: name, start: u16}
				if name == "a" {
					_, v, ok := strings.Cut(attrs, "href=\"")
					if !ok {
						return "", nil, fmt.Errorf("can't parse entities: Can't find href attribute at byte offset %d", i)
					}
					o.url, _, _ = strings.Cut(v, "\"")
				}
				stack = append(stack, o)
			}
			i += end + 1
		case '>':
			// Telegram tolerates a bare '>' in text.
			out.WriteByte(c)
			u16++
			i++
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				return "", nil, fmt.Errorf("can't parse entities: Unsupported HTML entity at byte offset %d", i)
			}
			r, ok := decodeEntity(s[i+1 : i+end])
			if !ok {
				return "", nil, fmt.Errorf("can't parse entities: Unsupported HTML entity at byte offset %d", i)
			}
			out.WriteRune(r)
			u16 += len(utf16.Encode([]rune{r}))
			i += end + 1
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			out.WriteRune(r)
			u16 += len(utf16.Encode([]rune{r}))
			i += size
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("can't parse entities: Can't find end tag corresponding to start tag %q", stack[len(stack)-1].tag)
	}
	return out.String(), entities, nil
}

func decodeEntity(name string) (rune, bool) {
	switch name {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	}
	if strings.HasPrefix(name, "#x") || strings.HasPrefix(name, "#X") {
		n, err := strconv.ParseUint(name[2:], 16, 32)
		return rune(n), err == nil
	}
	if strings.HasPrefix(name, "#") {
		n, err := strconv.ParseUint(name[1:], 10, 32)
		return rune(n), err == nil
	}
	return 0, false
}

// utf16Len is the length of s as Telegram counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // ranging a string never yields a surrogate
	}
	return n
}
