package flows

import (
	"strconv"
	"strings"
)

// Button actions, the middle part of a token "<prompt>.<action>[.<arg>]".
const (
	actYes     = "yes"     // consent given
	actNo      = "no"      // consent refused
	actProfile = "profile" // arg: profile id
	actSkip    = "skip"    // skip the question (or the académie)
	actBack    = "back"    // previous question; from an edit, back to the review
	actPause   = "pause"   // continue later
	actResume  = "resume"  // resume after a pause
	actTheme   = "theme"   // arg: theme id
	actPick    = "pick"    // arg: choice id of a choice question
	actEdit    = "edit"    // arg: question id, from the review
	actConfirm = "confirm" // confirm the review
	actMenu    = "menu"    // back to the menu
	actReview  = "review"  // arg: theme id, whose review comes back from below its recap
	actAddTo   = "addto"   // arg: question id, to whose answer a sentence typed at the review is added
	actAddNo   = "addno"   // the sentence typed at the review is not kept
)

// actionArgs says which actions take an argument.
var actionArgs = map[string]bool{
	actYes: false, actNo: false, actProfile: true, actSkip: false, actBack: false,
	actPause: false, actResume: false, actTheme: true, actPick: true, actEdit: true,
	actConfirm: false, actMenu: false, actReview: true, actErase: true, actKeep: false,
	actMore: false, actRemove: false, actStore: false, actRetype: false, actLangYes: false, actLangNo: false, actPlace: true,
	actRemindYes: false, actRemindNo: false, actRemindStop: false, actHeldYes: false, actHeldNo: false, actAddTo: true, actAddNo: false,
	actAppend: false, actReplace: false, actRmPrev: false, actKeepPrev: false,
}

// token is a parsed Option.Token.
type token struct {
	prompt int
	action string
	arg    string
}

func (t token) String() string {
	s := strconv.Itoa(t.prompt) + "." + t.action
	if t.arg != "" {
		s += "." + t.arg
	}
	return s
}

// parseToken parses a token; it reports false for anything this package
// could not have produced.
func parseToken(s string) (token, bool) {
	if len(s) == 0 || len(s) > MaxTokenLen {
		return token{}, false
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return token{}, false
	}
	p := parts[0]
	if len(p) == 0 || len(p) > 9 || strings.Trim(p, "0123456789") != "" {
		return token{}, false
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return token{}, false
	}
	t := token{prompt: n, action: parts[1]}
	hasArg, known := actionArgs[t.action]
	if !known || hasArg != (len(parts) == 3) {
		return token{}, false
	}
	if hasArg {
		t.arg = parts[2]
		if !idPattern.MatchString(t.arg) {
			return token{}, false
		}
	}
	return t, true
}

// promptOf returns the prompt number a token carries, whatever its action,
// for text that arrives with the token of the prompt it answers.
func promptOf(s string) (int, bool) {
	p, _, _ := strings.Cut(s, ".")
	if len(p) == 0 || len(p) > 9 || strings.Trim(p, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(p)
	return n, err == nil
}
