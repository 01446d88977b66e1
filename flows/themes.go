package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Questions about what a theme is about: « c quoi la gouvernance »,
// « ça parle de quoi le thème 3 ? », « what is theme 4 about? », and at a
// question « c'est quoi ce thème ? ». Each says that it asks (themeAsks),
// names a theme (its number after « thème », its name, or « ce thème »
// for the one in sight), and holds no other word than glue: « le thème 4
// est le plus important » is an answer.
var (
	themeAsks = []string{"qu est ce que c est", "qu est ce que", "c est quoi", "cest quoi", "c quoi", "c koi", "c est koi",
		"ca parle de quoi", "ca parle de koi", "parle de quoi", "parlent de quoi", "de quoi parle", "de quoi ca parle",
		"ca porte sur quoi", "porte sur quoi", "c est sur quoi", "c est a propos de quoi", "ca concerne quoi", "concerne quoi",
		"ca veut dire quoi", "il y a quoi dans", "y a quoi dans", "on y parle de quoi", "explique moi", "expliquez moi",
		"explique", "expliquez", "expliquer", "en quoi consiste", "ca consiste en quoi", "consiste en quoi",
		"what is", "what s", "whats", "what does", "tell me about", "explain", "about", "cover", "covers", "mean", "means"}
	themeAskGlue = wordSet("le la l les du de des d un une ce cet cette this the a an of is it its svp stp please exactement " +
		"au juste en fait ici donc alors bonjour euh moi me nous un peu plus en sur quoi numero n no rapidement vraiment " +
		"what s theme topic about so again")
	// articles are numbers before a noun: « un thème » is no theme 1.
	articles = wordSet("un une one a")
	// thisTheme name the theme in sight: « ce thème », « le thème », « this theme ».
	thisTheme = wordSet("ce cet cette le this the current")
)

// themeAboutAsked reads a question about what a theme is about, and the
// theme's id, "" for the theme in sight (« c'est quoi ce thème ? »). open
// says the prompt takes free text: there a theme is named only with the
// word « thème » (« c'est quoi la gouvernance ? » at a question asks what
// a word of it means).
func themeAboutAsked(n string, open bool, q *Questionnaire) (string, bool) {
	words := strings.Fields(n)
	if len(words) < 2 || len(words) > 14 || q == nil {
		return "", false
	}
	padded := " " + n + " "
	asked := false
	for _, a := range themeAsks {
		if strings.Contains(padded, " "+a+" ") {
			padded, asked = strings.ReplaceAll(padded, " "+a+" ", " "), true
		}
	}
	if !asked {
		return "", false
	}
	named := strings.Contains(padded, " theme ") || strings.Contains(padded, " topic ")
	id, found := "", false
	words = strings.Fields(padded)
	// By its number: « thème 3 », « thème n° 3 », « 3e thème ».
	for i, w := range words {
		if w != "theme" && w != "topic" {
			continue
		}
		for _, j := range []int{i + 1, i + 2, i - 1} {
			if j < 0 || j >= len(words) || j == i+2 && !questionRef[words[i+1]] || j == i-1 && articles[words[j]] {
				continue
			}
			num, ok := numberWords[words[j]]
			if v, err := strconv.Atoi(words[j]); err == nil && len(words[j]) <= 2 {
				num, ok = v, true
			}
			if !ok || num < 1 || num > len(q.Themes) {
				continue
			}
			id, found = q.Themes[num-1].ID, true
			words = slices.Delete(words, j, j+1)
			break
		}
		if found {
			break
		}
	}
	// By its name: « la gouvernance », « le thème sobriété ».
	if !found && (named || !open) {
		rest := " " + strings.Join(words, " ") + " "
		longest := ""
		for _, th := range q.Themes {
			for _, name := range themeNames(th) {
				if len(name) > len(longest) && strings.Contains(rest, " "+name+" ") {
					id, found, longest = th.ID, true, name
				}
			}
		}
		words = strings.Fields(strings.Replace(rest, " "+longest+" ", " ", 1))
	}
	// The theme in sight: « ce thème », « le thème ».
	if !found {
		i := slices.IndexFunc(words, func(w string) bool { return w == "theme" || w == "topic" })
		if i < 1 || !thisTheme[words[i-1]] {
			return "", false
		}
		found = true
	}
	for _, w := range words {
		if !themeAskGlue[w] {
			return "", false
		}
	}
	return id, true
}

// themeNames returns the folded names of th: its id, its titles in every
// language and its usual names (themeWords).
func themeNames(th Theme) []string {
	names := append([]string{th.ID}, themeWords[th.ID]...)
	for _, t := range th.Title {
		names = append(names, foldKey(t))
	}
	return names
}

// explainTheme says what theme id is about, from the catalogue (its
// subtitle for a theme the catalogue does not know), then the prompt
// again: at the menu in one message above its buttons, which open it;
// at a question of another theme with how to go there. id "" is the
// theme in sight, and outside a theme the word « thème » is explained.
func (st *step) explainTheme(id string) {
	s := &st.s
	m := st.msg()
	inTheme := s.Stage == StageQuestion || s.Stage == StageEdit || s.Stage == StageReview ||
		s.Stage == StagePaused && s.Back != StageReview
	if id == "" && inTheme {
		id = s.Theme
	}
	ti := st.m.q.themeIndex(id)
	if id == "" || ti < 0 || st.m.q.Theme(id) == nil {
		st.explainWord("theme")
		st.reshowOrResume()
		return
	}
	th := &st.m.q.Themes[ti]
	about := m.ThemeAbout[id]
	if about == "" {
		about = th.Subtitle.In(s.Lang)
	}
	title := fmt.Sprintf(m.ThemeAboutTitle, ti+1, th.Title.In(s.Lang))
	if s.Stage == StageMenu && st.pending() == nil {
		// The menu's buttons below: the theme's among them opens it.
		_, opts := st.menuPrompt()
		st.show(Reply{Title: title, Text: about + "\n\n" + fmt.Sprintf(m.ThemeAboutOpen, ti+1)}, opts)
		return
	}
	text := title + "\n" + about
	if (s.Stage == StageQuestion || s.Stage == StageEdit || s.Stage == StagePaused) && id != s.Theme {
		text += "\n" + fmt.Sprintf(m.ThemeAboutGo, ti+1)
	}
	st.say(text)
	st.reshowOrResume()
}

// reshowOrResume shows the prompt again, or after a pause the question
// where the person stopped.
func (st *step) reshowOrResume() {
	switch {
	case st.s.Stage == StagePaused:
		st.resume()
	case st.atReview():
		st.remind()
	default:
		st.reshow()
	}
}

// opinionMarks say that a message gives an opinion about school, not
// only who one is: « je trouve que… », « il faudrait… », « trop
// d'écrans », « I think… », « too many screens ».
var opinionMarks = []string{"je trouve", "jtrouve", "je pense", "je crois", "il faudrait", "faudrait", "il faut", "trop",
	"pas assez", "j aimerais", "je voudrais", "je souhaite", "je souhaiterais", "a mon avis", "selon moi",
	"je regrette", "dommage", "je suis pour", "je suis contre", "on devrait", "devrait", "devraient", "il manque",
	"manque de", "ne sert a rien", "i think", "i feel", "i believe", "too many", "too much", "not enough", "should",
	"i wish", "i would like", "in my opinion", "lack of"}

// opinionSaid reports a folded message that gives an opinion.
func opinionSaid(n string) bool {
	padded := " " + n + " "
	return slices.ContainsFunc(opinionMarks, func(m string) bool { return strings.Contains(padded, " "+m+" ") })
}

// profileWithOpinion takes, at the profile prompt, a message that says
// who one is and gives an opinion (« je suis maman de 2 enfants et je
// trouve qu'il y a trop d'écrans », « Papa d'une élève de CM2, il
// faudrait moins de tablettes »): the profile is chosen, as its words
// alone would choose it, and the whole message is kept (Session.Held,
// HeldForMenu), which the reply says, to be offered below the first
// question of the theme chosen at the menu. It reports whether it did.
func (st *step) profileWithOpinion(text string) bool {
	s := &st.s
	if s.Stage != StageProfile || s.Back != "" || st.pending() != nil || s.ConsentAt.IsZero() ||
		len(strings.Fields(text)) < minHeldWords || utf8.RuneCountInString(text) > st.m.cfg.MaxText ||
		!opinionSaid(normalize(text)) {
		return false
	}
	_, opts := st.current()
	rd := readText(text, opts, false, st.m.q)
	if rd.kind != readOption {
		// « Papa d'une élève de CM2, il faudrait… »: the first clause
		// says who, the rest what they think.
		first, _, _ := strings.Cut(text, ",")
		if first == text {
			first, _, _ = strings.Cut(text, ".")
		}
		if first == text || opinionSaid(normalize(first)) {
			return false
		}
		rd = readText(first, opts, false, st.m.q)
	}
	if rd.kind != readOption || rd.opt.action != actProfile || !st.hold(text) {
		return false
	}
	s.HeldForMenu = true
	st.say(st.msg().ProfileHeld)
	ev := Event{Kind: EventChoice, Token: token{prompt: s.Prompt, action: rd.opt.action, arg: rd.opt.arg}.String()}
	_, st.chosen = st.tapOf(ev)
	st.handle(ev)
	return true
}
