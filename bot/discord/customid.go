package discord

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Discord's limits the adapter shapes its messages to.
const (
	maxContent     = 2000
	maxCustomID    = 100
	maxParagraph   = 4000
	maxButtonLabel = 80
	maxModalTitle  = 45
	maxButtons     = 25 // five rows of five
)

// Custom id kinds. A custom id is "<kind>:<user tag>:<rest>"; the user tag
// lets a click from someone else than the addressee be recognised, since
// flows tokens only number prompts and would match another person's
// prompt of the same number.
const (
	kindChoice = "c" // rest: the flows option token
	kindAnswer = "a" // rest: "<prompt>:<max len>:<field>", opens the modal
	kindModal  = "m" // rest: "<prompt>", the modal's submission
)

// userTag is a short fingerprint of a Discord user id.
func userTag(userID string) string {
	h := fnv.New32a()
	h.Write([]byte(userID))
	return fmt.Sprintf("%08x", h.Sum32())
}

// customID is a parsed custom id.
type customID struct {
	kind, tag string
	token     string // choice: option token; answer and modal: prompt token
	maxLen    int    // answer only
	field     string // answer only
}

func choiceID(userID, token string) string { return kindChoice + ":" + userTag(userID) + ":" + token }

func modalID(userID, prompt string) string { return kindModal + ":" + userTag(userID) + ":" + prompt }

// answerID builds the "Answer" button's id; the field label is cut to fit,
// since it only titles the modal.
func answerID(userID, prompt string, maxLen int, field string) string {
	id := kindAnswer + ":" + userTag(userID) + ":" + prompt + ":" + strconv.Itoa(maxLen) + ":"
	room := maxCustomID - utf8.RuneCountInString(id)
	return id + truncate(field, room)
}

func parseCustomID(s string) (customID, bool) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 || len(parts[1]) != 8 {
		return customID{}, false
	}
	c := customID{kind: parts[0], tag: parts[1]}
	switch c.kind {
	case kindChoice, kindModal:
		c.token = parts[2]
	case kindAnswer:
		rest := strings.SplitN(parts[2], ":", 3)
		if len(rest) != 3 {
			return customID{}, false
		}
		n, err := strconv.Atoi(rest[1])
		if err != nil || n < 1 {
			return customID{}, false
		}
		c.token, c.maxLen, c.field = rest[0], n, rest[2]
	default:
		return customID{}, false
	}
	return c, true
}

// promptToken returns the prompt part of a flows option token
// ("<prompt>.<action>[.<arg>]"), which flows accepts as the token of a
// text answer.
func promptToken(optionToken string) string {
	p, _, _ := strings.Cut(optionToken, ".")
	if p == "" || strings.Trim(p, "0123456789") != "" {
		return ""
	}
	return p
}

// truncate cuts s to at most n characters, marking the cut with "…".
func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
