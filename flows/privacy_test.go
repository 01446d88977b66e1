package flows

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestPrivacyCommandsAreListedAndParsed(t *testing.T) {
	names := map[string]bool{}
	for _, c := range CommandList() {
		names[c.Name+"/"+c.NameFR+"/"+c.NameEN] = true
	}
	for _, want := range []string{CmdMyData + "/mes_donnees/my_data", CmdErase + "/effacer/erase"} {
		if !names[want] {
			t.Errorf("CommandList lacks %s", want)
		}
	}
	for text, want := range map[string]string{
		"/mes_donnees": CmdMyData, "/my_data": CmdMyData, "/mesdonnees@bot": CmdMyData,
		"/effacer": CmdErase, "/erase": CmdErase,
	} {
		if ev, ok := ParseCommand(text); !ok || ev.Command != want {
			t.Errorf("ParseCommand(%q) = %+v, want %s", text, ev, want)
		}
	}
}

// richSession is a participant with every field set.
func richSession() Session {
	at := baseTime.Add(time.Hour)
	return Session{
		Participant: "telegram:987654321", Lang: LangFR, Stage: StageMenu, ConsentAt: baseTime,
		Profile: "parent", Academie: "Lyon", Source: "affiche_college_jaures", Prompt: 7,
		Answers: map[string]Answer{
			"acces/equipement": {Theme: "acces", Question: "equipement", Text: "Des prêts de tablettes", CreatedAt: baseTime, UpdatedAt: at},
			"acces/besoins":    {Theme: "acces", Question: "besoins", Voice: &Voice{FileID: "AwADBAAD", Duration: 12}, CreatedAt: at, UpdatedAt: at},
		},
		Confirmed: map[string]time.Time{"acces": at},
		CreatedAt: baseTime, UpdatedAt: at,
	}
}

func TestMyDataSendsEverythingAsJSON(t *testing.T) {
	m := NewMachine(nil, Config{Privacy: Privacy{Controller: "Académie de Lyon", Contact: "dpd@example.org"}})
	s := richSession()
	next, replies := checkStep(t, m, s, Event{Kind: EventCommand, Command: CmdMyData}, baseTime.Add(2*time.Hour))
	if next.Stage != s.Stage || len(next.Answers) != 2 {
		t.Fatalf("my data changed the session: %+v", next)
	}
	var doc *Document
	var text strings.Builder
	for _, r := range replies {
		text.WriteString(r.Title + "\n" + r.Text + "\n")
		if r.Document != nil {
			doc = r.Document
		}
	}
	for _, want := range []string{"telegram:987654321", "Parent", "Lyon", "affiche_college_jaures", "Des prêts de tablettes", "02/03/2025 à 09:00", "validé le 02/03/2025 à 10:00"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("readable data lacks %q:\n%s", want, text.String())
		}
	}
	if doc == nil || doc.MIME != "application/json" || doc.Name != DataFileName {
		t.Fatalf("no JSON document: %+v", doc)
	}
	var got struct {
		Participant string    `json:"participant"`
		Language    string    `json:"language"`
		ConsentAt   time.Time `json:"consent_at"`
		Profile     labelled  `json:"profile"`
		Academie    string    `json:"academie"`
		Source      string    `json:"source"`
		Controller  string    `json:"controller"`
		Contact     string    `json:"contact"`
		Answers     []struct {
			Question  string    `json:"question"`
			Text      string    `json:"text"`
			Voice     *Voice    `json:"voice"`
			CreatedAt time.Time `json:"created_at"`
			UpdatedAt time.Time `json:"updated_at"`
		} `json:"answers"`
		Confirmed []dataConfirmed `json:"confirmed_themes"`
	}
	if err := json.Unmarshal(doc.Data, &got); err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	if got.Participant != s.Participant || got.Language != "fr" || !got.ConsentAt.Equal(s.ConsentAt) ||
		got.Profile.ID != "parent" || got.Academie != "Lyon" || got.Source != s.Source ||
		got.Controller != "Académie de Lyon" || got.Contact != "dpd@example.org" {
		t.Errorf("document misses session fields: %+v", got)
	}
	if len(got.Answers) != 2 || got.Answers[0].Question != "equipement" || got.Answers[0].Text != "Des prêts de tablettes" ||
		!got.Answers[0].UpdatedAt.Equal(baseTime.Add(time.Hour)) || got.Answers[1].Voice == nil || got.Answers[1].Voice.FileID != "AwADBAAD" {
		t.Errorf("document answers = %+v", got.Answers)
	}
	if len(got.Confirmed) != 1 || got.Confirmed[0].Theme != "acces" {
		t.Errorf("document confirmed = %+v", got.Confirmed)
	}
}

// eraseButton asks for the erasure and returns the confirmation's tokens.
func eraseButtons(t *testing.T, m *Machine, s Session, now time.Time) (Session, string, string) {
	t.Helper()
	s, replies := checkStep(t, m, s, Event{Kind: EventCommand, Command: CmdErase}, now)
	if len(replies) != 1 || len(replies[0].Options) != 2 {
		t.Fatalf("erase asks %+v", replies)
	}
	return s, replies[0].Options[0].Token, replies[0].Options[1].Token
}

func TestEraseKeepsNothing(t *testing.T) {
	m := NewMachine(nil, Config{})
	now := baseTime.Add(2 * time.Hour)
	s, yes, _ := eraseButtons(t, m, richSession(), now)
	got, replies := checkStep(t, m, s, Event{Kind: EventChoice, Token: yes}, now)
	want := Session{Participant: "telegram:987654321", Lang: LangFR, Stage: StageErased, Prompt: s.Prompt}
	if got.Participant != want.Participant || got.Stage != StageErased || len(got.Answers) != 0 || len(got.Confirmed) != 0 ||
		got.Profile != "" || got.Academie != "" || got.Source != "" || !got.ConsentAt.IsZero() || !got.CreatedAt.IsZero() {
		t.Fatalf("erased session keeps data: %+v", got)
	}
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "effacées") {
		t.Errorf("erase replies %+v", replies)
	}
}

func TestEraseCancelKeepsEverything(t *testing.T) {
	m := NewMachine(nil, Config{})
	now := baseTime.Add(2 * time.Hour)
	s, _, no := eraseButtons(t, m, richSession(), now)
	got, _ := checkStep(t, m, s, Event{Kind: EventChoice, Token: no}, now)
	if got.Stage != StageMenu || len(got.Answers) != 2 || got.Profile != "parent" {
		t.Fatalf("cancel lost data: %+v", got)
	}
}

// TestOldEraseButtonDoesNotEraseANewLife: after an erasure prompt numbers
// start again from zero in storage, so the old "Oui, tout effacer" button
// may carry the current prompt number of the person's new session; it
// must not erase it.
func TestOldEraseButtonDoesNotEraseANewLife(t *testing.T) {
	m := NewMachine(nil, Config{})
	now := baseTime.Add(2 * time.Hour)
	asked, yes, _ := eraseButtons(t, m, richSession(), now)
	later := richSession()
	later.CreatedAt = now.Add(time.Hour) // a new session, after the erasure
	later.Prompt = asked.Prompt
	got, _ := checkStep(t, m, later, Event{Kind: EventChoice, Token: yes}, now.Add(2*time.Hour))
	if got.Stage == StageErased || len(got.Answers) != 2 {
		t.Fatalf("an old erase button erased a new session: %+v", got)
	}
}

// Erasing everything takes a clear yes: a message that names erasing but
// asks about one answer, or what exactly, keeps everything and is told
// what erasing removes and how to remove one answer.
func TestEraseTakesAClearYes(t *testing.T) {
	m := NewMachine(nil, Config{})
	s := richSession()
	asked, _ := checkStep(t, m, s, Event{Kind: EventCommand, Command: CmdErase}, baseTime.Add(2*time.Hour))
	for _, lang := range []string{LangFR, LangEN} {
		asked.Lang = lang
		for _, text := range []string{"effacer une seule réponse", "effacer quoi exactement ?", "hmm can I just delete one answer instead?", "delete only my last answer"} {
			got, replies := checkStep(t, m, asked, Event{Kind: EventText, Text: text}, baseTime.Add(3*time.Hour))
			if got.Stage == StageErased || len(got.Answers) != 2 || got.Pending == nil || got.Pending.Kind != PendingErase {
				t.Fatalf("%s %q: stage %v, %d answers, pending %+v; want nothing erased and the confirmation kept", lang, text, got.Stage, len(got.Answers), got.Pending)
			}
			want := "Pour ne retirer qu'une réponse : « Annuler », puis /menu et son thème."
			if lang == LangEN {
				want = "To remove just one answer: “Cancel”, then /menu and its theme."
			}
			if len(replies) == 0 || !strings.Contains(replies[0].Text, want) {
				t.Errorf("%s %q: replies %+v lack %q", lang, text, replies, want)
			}
		}
		for _, text := range []string{"1", "oui, tout effacer", "yes delete everything", "effacer"} {
			if got, _ := checkStep(t, m, asked, Event{Kind: EventText, Text: text}, baseTime.Add(3*time.Hour)); got.Stage != StageErased {
				t.Errorf("%s %q did not erase: stage %v", lang, text, got.Stage)
			}
		}
	}
}

// TestCommandAtAPendingConfirmation checks every command at every pending
// yes/no: one that goes elsewhere (/reprendre, /menu, /start, /langue,
// with the slash or typed as a word) cancels the confirmation, saying so
// where its cancel button would (« Rien n'a été effacé. »), and is done;
// help and the lists answer and ask the confirmation again.
func TestCommandAtAPendingConfirmation(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	fr := catalogFor(LangFR, false, "")
	at := func(s Session, text string) Session {
		t.Helper()
		ev := Event{Kind: EventText, Text: text}
		if c, ok := ParseCommand(text); ok {
			ev = c
		}
		got, _ := m.Step(s, ev, baseTime)
		if got.Pending == nil {
			t.Fatalf("%q: nothing pending", text)
		}
		return got
	}
	heldAt := p["academie"]
	heldAt.Theme = "acces"
	pending := []struct {
		name    string
		s       Session
		says    string // what cancelling says; empty: nothing
		saysNot string
	}{
		{"erase at a question", p["erase"], fr.Privacy.Kept, ""},
		{"erase at the menu", at(p["menu"], "/effacer"), fr.Privacy.Kept, ""},
		{"erase at the review", at(p["review"], "/effacer"), fr.Privacy.Kept, ""},
		{"check", p["check"], "", fr.Flow.Retype},
		{"check of a sentence kept", at(heldAt, "j'habite à Lyon et mes enfants n'ont pas d'ordinateur"), fr.Flow.HeldDropped, ""},
		{"language", at(p["question"], "english"), fr.Flow.LanguageKept, ""},
		{"sentence kept at the menu", p["held"], fr.Flow.HeldDropped, ""},
	}
	for _, pd := range pending {
		kind := pd.s.Pending.Kind
		for _, tt := range []struct {
			in    string
			stage Stage
		}{
			{"/reprendre", pd.s.Stage},
			{"/start", pd.s.Stage},
			{"/menu", StageMenu},
			{"menu", StageMenu},
			{"/resume", pd.s.Stage},
		} {
			ev := Event{Kind: EventText, Text: tt.in}
			if c, ok := ParseCommand(tt.in); ok {
				ev = c
			}
			got, replies := m.Step(pd.s, ev, baseTime)
			if got.Pending != nil || got.Stage != tt.stage || len(got.Answers) != len(pd.s.Answers) || len(replies) == 0 {
				t.Errorf("%s, %q: pending %+v at %s with %d answers (%d replies); want nothing pending at %s, every answer kept",
					pd.name, tt.in, got.Pending, got.Stage, len(got.Answers), len(replies), tt.stage)
				continue
			}
			first := replies[0].Lead
			if first == "" {
				first = replies[0].Text
			}
			if pd.says != "" && !strings.HasPrefix(first, pd.says) {
				t.Errorf("%s, %q: says %q first, want %q", pd.name, tt.in, first, pd.says)
			}
			if pd.saysNot != "" && strings.Contains(first, pd.saysNot) {
				t.Errorf("%s, %q: says %q", pd.name, tt.in, first)
			}
			if len(replies[len(replies)-1].Options) == 0 {
				t.Errorf("%s, %q: ends on no prompt: %+v", pd.name, tt.in, replies)
			}
		}
		// /langue cancels too, and says so in the language switched to.
		got, replies := m.Step(pd.s, Event{Kind: EventCommand, Command: CmdLanguage}, baseTime)
		if got.Lang != LangEN || got.Pending != nil || kind == PendingErase && !strings.HasPrefix(replies[0].Lead, catalogFor(LangEN, false, "").Privacy.Kept) {
			t.Errorf("%s, /langue: lang %s, pending %+v, replies %+v", pd.name, got.Lang, got.Pending, replies)
		}
		// Help and the lists leave it pending, asked again.
		for _, c := range []string{CmdHelp, CmdAnswers, CmdMyData} {
			got, _ := m.Step(pd.s, Event{Kind: EventCommand, Command: c}, baseTime)
			if got.Pending == nil || got.Pending.Kind != kind {
				t.Errorf("%s, /%s: pending %+v, want %s still", pd.name, c, got.Pending, kind)
			}
		}
	}
}

// TestConsentSaysWhatHowLongUnderWhatName: the consent says, in both
// languages, what is kept, under what name (the pseudonym, named before
// anything refers to it), how long the answers stay, and how to see or
// erase them; with every optional line on, the details still fit in one
// Discord message.
func TestConsentSaysWhatHowLongUnderWhatName(t *testing.T) {
	m := NewMachine(nil, Config{
		ClosesAt: baseTime.AddDate(0, 3, 0),
		Privacy: Privacy{
			Controller:   "Ministère de l'Éducation nationale, direction du numérique pour l'éducation, bureau des consultations",
			Contact:      "dpd-consultation-numerique@education.example.gouv.fr",
			InactiveDays: 90, RetentionDaysAfterClose: 30,
		},
		Voice: VoiceSettings{Kept: true, Transcribed: true, DeletedOnceConfirmed: true},
	})
	for lang, want := range map[string]struct {
		short, details []string
	}{
		LangFR: {
			short: []string{"sous un pseudonyme", "/mes_donnees vous montre tout ce que nous gardons", "/effacer efface tout"},
			details: []string{"Sous quel nom : un pseudonyme", "vos réponses restent pour la synthèse jusqu'à ce que vous les effaciez",
				"Si vous n'avez validé aucun thème, tout est effacé après 90 jours sans activité", "/mes_donnees", "/effacer"},
		},
		LangEN: {
			short: []string{"under a pseudonym", "/my_data shows you everything we keep", "/erase erases everything"},
			details: []string{"Under what name: a pseudonym", "your answers stay for the summary until you erase them",
				"If you have confirmed no theme, everything is erased after 90 days without activity", "/my_data", "/erase"},
		},
	} {
		s, replies := checkStep(t, m, Session{Participant: "telegram:1"}, Event{Kind: EventCommand, Command: CmdStart, Lang: lang}, baseTime)
		short := replies[len(replies)-1]
		if len(short.Options) != 3 {
			t.Fatalf("%s: consent has options %+v", lang, short.Options)
		}
		_, replies = checkStep(t, m, s, Event{Kind: EventChoice, Token: short.Options[2].Token}, baseTime.Add(time.Minute))
		details := replies[len(replies)-1].Text
		for _, w := range want.short {
			if !strings.Contains(short.Text, w) {
				t.Errorf("%s: the consent lacks %q:\n%s", lang, w, short.Text)
			}
		}
		for _, w := range want.details {
			if !strings.Contains(details, w) {
				t.Errorf("%s: the consent's details lack %q:\n%s", lang, w, details)
			}
		}
		for _, text := range []string{short.Text, details} {
			named := strings.Index(text, map[string]string{LangFR: "un pseudonyme", LangEN: "a pseudonym"}[lang])
			if ref := strings.Index(text, map[string]string{LangFR: "ce pseudonyme", LangEN: "that pseudonym"}[lang]); ref >= 0 && (named < 0 || ref < named) {
				t.Errorf("%s: the consent refers to a pseudonym it has not named:\n%s", lang, text)
			}
		}
		if n := len([]rune(details)); n > 2000 {
			t.Errorf("%s: the consent's details are %d characters, more than a Discord message holds:\n%s", lang, n, details)
		}
	}
}

// Erasing everything cannot be undone: it takes a clear yes. A nod
// (« ok », « 👍 », « d'acc ») asks once more, saying what would be
// erased and how to confirm, and erases nothing, however often it comes;
// a clear yes (« oui », « yes », « effacer », 1, the button's label)
// erases.
func TestANodDoesNotErase(t *testing.T) {
	m := NewMachine(nil, Config{})
	now := baseTime.Add(2 * time.Hour)
	asked, _ := checkStep(t, m, richSession(), Event{Kind: EventCommand, Command: CmdErase}, now)
	pm := catalogFor(LangFR, false, "").Privacy
	for _, nod := range []string{"ok", "👍", "d'acc", "ouep", "ok merci", "dac", "OK", "okay", "d'accord", "vas-y", "👌", "yep"} {
		t.Run(nod, func(t *testing.T) {
			s := asked
			for range 2 {
				var replies []Reply
				s, replies = checkStep(t, m, s, Event{Kind: EventText, Text: nod}, now)
				if s.Stage == StageErased || len(s.Answers) != 2 {
					t.Fatalf("%q erased everything", nod)
				}
				if p := s.Pending; p == nil || p.Kind != PendingErase {
					t.Fatalf("%q: the erasure is no longer asked: pending %+v", nod, s.Pending)
				}
				last := replies[len(replies)-1]
				want := fmt.Sprintf(pm.EraseNodAnswers, 2) + "\n\n" + fmt.Sprintf(pm.EraseNod, pm.EraseNo)
				if last.Text != want || len(last.Options) != 2 {
					t.Fatalf("%q answered %+v, want %q with both buttons", nod, last, want)
				}
			}
		})
	}
	for _, yes := range []string{"oui", "yes", "oui tout effacer", "effacer", "1", "Oui, tout effacer", "ouiii", "je confirme"} {
		t.Run(yes, func(t *testing.T) {
			s, _ := checkStep(t, m, asked, Event{Kind: EventText, Text: yes}, now)
			if s.Stage != StageErased {
				t.Errorf("%q did not erase: stage %s", yes, s.Stage)
			}
			// Asked once more, the clear yes still erases.
			again, _ := checkStep(t, m, asked, Event{Kind: EventText, Text: "ok"}, now)
			if s, _ = checkStep(t, m, again, Event{Kind: EventText, Text: yes}, now); s.Stage != StageErased {
				t.Errorf("%q after a nod did not erase: stage %s", yes, s.Stage)
			}
		})
	}
}

// Removing the answer given before cannot be undone either: a nod asks
// once more, the answer quoted, and removes nothing; « oui » removes it.
func TestRemovingThePreviousAnswerTakesAClearYes(t *testing.T) {
	m := NewMachine(nil, Config{})
	s, _ := m.Step(Session{Participant: "p"}, Event{Kind: EventCommand, Command: CmdStart}, baseTime)
	for _, in := range []string{"1", "1", "Lyon", "1", "Une première réponse sur l'équipement des élèves", "efface ma dernière réponse"} {
		s, _ = m.Step(s, Event{Kind: EventText, Text: in}, baseTime)
	}
	if p := s.Pending; p == nil || p.Kind != PendingRemovePrev {
		t.Fatalf("removing the previous answer is not asked: pending %+v", s.Pending)
	}
	th := m.Questionnaire().Themes[0]
	first := AnswerKey(th.ID, th.Questions[0].ID)
	msg := messagesFor(LangFR)
	for _, nod := range []string{"ok", "👍", "d'acc", "ouep", "ok merci", "dac"} {
		t.Run(nod, func(t *testing.T) {
			got, replies := checkStep(t, m, s, Event{Kind: EventText, Text: nod}, baseTime)
			if _, ok := got.Answers[first]; !ok {
				t.Fatalf("%q removed the answer", nod)
			}
			if p := got.Pending; p == nil || p.Kind != PendingRemovePrev || p.Answer != first {
				t.Fatalf("%q: the removal is no longer asked: pending %+v", nod, got.Pending)
			}
			last := replies[len(replies)-1]
			if !strings.HasSuffix(last.Text, fmt.Sprintf(msg.RemovePrevNod, msg.RemovePrevNo)) ||
				!strings.Contains(last.Text, "Une première réponse") || len(last.Options) != 2 {
				t.Errorf("%q answered %+v", nod, last)
			}
		})
	}
	for _, yes := range []string{"oui", "yes", "Oui, la supprimer", "supprimer"} {
		got, _ := checkStep(t, m, s, Event{Kind: EventText, Text: yes}, baseTime)
		if _, ok := got.Answers[first]; ok {
			t.Errorf("%q did not remove the answer", yes)
		}
	}
}

// /effacer typed while a text waits (« Est-ce votre réponse ? », a
// sentence kept at the menu or the review) and then cancelled loses
// nothing: the text is asked about again, as it was, whether the erasure
// is cancelled with its button or in words; a command that goes
// elsewhere cancels it and says what becomes of the text.
func TestCancelledErasureBringsBackWhatWaited(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	now := baseTime.Add(time.Hour)
	const sentence = "mes enfants n'ont pas d'ordinateur à la maison et c'est dur pour les devoirs"
	// The sentence typed at the académie, offered at the first question.
	offered, _ := m.Step(p["academie"], Event{Kind: EventText, Text: sentence}, now)
	offered, _ = m.Step(offered, Event{Kind: EventText, Text: "Toulouse"}, now)
	atMenu, _ := m.Step(p["menu"], Event{Kind: EventText, Text: "Les écrans prennent trop de place à l'école, mes enfants sont fatigués"}, now)
	cancel := func(t *testing.T, s Session, how string) (Session, []Reply) {
		t.Helper()
		if how == "tap" {
			for _, o := range lastOptions(t, s, m, now) {
				if tk, _ := parseToken(o.Token); tk.action == actKeep {
					return checkStep(t, m, s, Event{Kind: EventChoice, Token: o.Token}, now)
				}
			}
			t.Fatal("no cancel button")
		}
		if ev, ok := ParseCommand(how); ok {
			return checkStep(t, m, s, ev, now)
		}
		return checkStep(t, m, s, Event{Kind: EventText, Text: how}, now)
	}
	for name, s := range map[string]Session{"check": p["check"], "check-held": offered, "review-held": p["review-held"], "held": p["held"]} {
		for _, how := range []string{"tap", "annuler", "non", "reprendre", "/reprendre", "Annuler"} {
			t.Run(name+"/"+how, func(t *testing.T) {
				before := *s.Pending
				asked, _ := checkStep(t, m, s, Event{Kind: EventCommand, Command: CmdErase}, now)
				got, replies := cancel(t, asked, how)
				if got.Stage == StageErased {
					t.Fatal("erased")
				}
				pend := got.Pending
				if pend == nil || pend.Kind != before.Kind || pend.Text != before.Text || pend.Held != before.Held || pend.Prompt != got.Prompt {
					t.Fatalf("after the erasure cancelled, pending %+v, want %+v again", pend, before)
				}
				var all strings.Builder
				for _, r := range replies {
					all.WriteString(r.Lead + "\n" + r.Text + "\n")
				}
				if quoted := shorten(sanitizeLine(before.Text), 40); !strings.Contains(all.String(), quoted[:len(quoted)-len("…")]) && !strings.Contains(all.String(), before.Text) {
					t.Errorf("the text in question is not shown again: %s", all.String())
				}
			})
		}
	}
	t.Run("menu", func(t *testing.T) {
		asked, _ := checkStep(t, m, atMenu, Event{Kind: EventCommand, Command: CmdErase}, now)
		got, _ := cancel(t, asked, "tap")
		if got.Held != atMenu.Held || got.Held == "" {
			t.Errorf("the sentence kept at the menu is lost: %q", got.Held)
		}
	})
	// /menu at the erasure goes elsewhere: the sentence offered at the
	// first question is dropped, and said so, as /menu at that question
	// says it.
	asked, _ := checkStep(t, m, offered, Event{Kind: EventCommand, Command: CmdErase}, now)
	_, replies := checkStep(t, m, asked, Event{Kind: EventCommand, Command: CmdMenu}, now)
	var all strings.Builder
	for _, r := range replies {
		all.WriteString(r.Lead + "\n" + r.Text + "\n")
	}
	if msg := messagesFor(LangFR); !strings.Contains(all.String(), msg.HeldDropped) {
		t.Errorf("/menu after /effacer drops the kept sentence unsaid: %s", all.String())
	}
}

// lastOptions returns the buttons of the prompt s stands at.
func lastOptions(t *testing.T, s Session, m *Machine, now time.Time) []Option {
	t.Helper()
	st := &step{m: m, s: cloneSession(s), now: now}
	r, opts := st.current()
	st.show(r, opts)
	// Numbered as the prompt s shows: one less than a new one.
	out := st.out[len(st.out)-1].Options
	for i := range out {
		tk, _ := parseToken(out[i].Token)
		tk.prompt = s.Prompt
		out[i].Token = tk.String()
	}
	return out
}

// TestReopenKeepsWhatIsPending: a channel that shows where the person
// stands without being asked (the terminal started again, the web page
// reloaded) cancels nothing: a text in question, kept at the académie,
// the menu or the review, is offered again as it was, and so is a
// confirmation; /reprendre typed still cancels (TestCommandAtAPendingConfirmation).
func TestReopenKeepsWhatIsPending(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	fr := catalogFor(LangFR, false, "")
	heldAt := p["academie"]
	heldAt.Theme = "acces"
	keptAtAcademie, _ := m.Step(heldAt, Event{Kind: EventText, Text: "j'habite à Lyon et mes enfants n'ont pas d'ordinateur"}, baseTime)
	for name, s := range map[string]Session{
		"check":             p["check"],
		"sentence kept":     keptAtAcademie,
		"kept at the menu":  p["held"],
		"kept at a review":  p["review-held"],
		"erase over a text": p["check-erase"],
		"erase":             p["erase"],
		"remove the last":   p["removeprev"],
	} {
		if s.Pending == nil {
			t.Fatalf("%s: nothing pending", name)
		}
		got, replies := m.Step(s, Event{Kind: EventCommand, Command: CmdResume, Reopen: true}, baseTime.Add(time.Hour))
		if got.Pending == nil || got.Pending.Kind != s.Pending.Kind || got.Pending.Text != s.Pending.Text || got.Stage != s.Stage {
			t.Errorf("%s: pending %+v at %s after reopening; want %+v at %s", name, got.Pending, got.Stage, s.Pending, s.Stage)
		}
		var all strings.Builder
		for _, r := range replies {
			all.WriteString(r.Lead + r.Text)
		}
		if strings.Contains(all.String(), fr.Flow.HeldDropped) || strings.Contains(all.String(), fr.Privacy.Kept) {
			t.Errorf("%s: reopening says %q", name, all.String())
		}
		if len(replies) == 0 || len(replies[len(replies)-1].Options) == 0 {
			t.Errorf("%s: reopening ends on no prompt: %+v", name, replies)
		}
		if txt := s.Pending.Text; txt != "" && s.Pending.Kind != PendingErase && !strings.Contains(all.String(), shorten(txt, 400)) {
			t.Errorf("%s: reopening does not show %q again: %q", name, txt, all.String())
		}
	}
}

// /mes_donnees names a kept message by where it waits: for the first
// question (typed at the académie), for the theme to be chosen (typed at
// the menu, or with the profile), for a question of the theme reviewed
// (typed at the review); in French and English.
func TestMyDataLabelsAKeptMessageByWhereItWaits(t *testing.T) {
	m := NewMachine(nil, Config{})
	p := corpusPrompts(t, m)
	const opinion = "Les écrans prennent trop de place à l'école, mes enfants sont fatigués"
	for _, lang := range []string{LangFR, LangEN} {
		pm := &catalogFor(lang, false, "").Privacy
		at := func(name string, typed ...string) Session {
			s := p[name]
			s.Lang = lang
			for _, in := range typed {
				s, _ = m.Step(s, Event{Kind: EventText, Text: in}, baseTime)
			}
			return s
		}
		for _, tt := range []struct {
			name  string
			s     Session
			label string
		}{
			{"académie", at("academie", opinion), pm.LabelHeld},
			{"profile", at("profile", "je suis maman de 2 enfants et je trouve qu'il y a trop d'écrans"), pm.LabelHeldMenu},
			{"menu", at("menu", opinion), pm.LabelHeldMenu},
			{"review", at("review-held"), fmt.Sprintf(pm.LabelHeldReview, 1)},
		} {
			t.Run(lang+" "+tt.name, func(t *testing.T) {
				_, replies := checkStep(t, m, tt.s, Event{Kind: EventCommand, Command: CmdMyData}, baseTime)
				var text strings.Builder
				for _, r := range replies {
					text.WriteString(r.Title + "\n" + r.Text + "\n")
				}
				if !strings.Contains(text.String(), fmt.Sprintf(pm.LineLayout, tt.label, "")) {
					t.Errorf("the kept message is not labelled %q:\n%s", tt.label, text.String())
				}
				for _, other := range []string{pm.LabelHeld, pm.LabelHeldMenu, fmt.Sprintf(pm.LabelHeldReview, 1)} {
					if other != tt.label && strings.Contains(text.String(), fmt.Sprintf(pm.LineLayout, other, "")) {
						t.Errorf("the kept message is labelled %q too:\n%s", other, text.String())
					}
				}
			})
		}
	}
}
