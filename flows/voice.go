package flows

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// VoiceSettings say what becomes of voice answers beyond the platform's
// reference, for the consent text and "my data". They come from the
// [voice] configuration; the zero value keeps nothing but the reference.
type VoiceSettings struct {
	// Kept: the audio of each voice answer is fetched from the platform
	// and kept, so that the organisers can listen to it.
	Kept bool
	// Transcribed: a program on the bot's own server transcribes it and
	// the participant confirms the text (EventTranscript).
	Transcribed bool
	// DeletedOnceConfirmed: the audio is deleted once its transcript is
	// confirmed.
	DeletedOnceConfirmed bool
}

// transcriptStep handles an EventTranscript: the transcript of a voice
// answer is offered for confirmation on top of whatever the person is
// doing, if that answer is still the same voice note and not yet
// confirmed. Otherwise nothing happens: the person answered again
// meanwhile, or erased everything (then nothing is kept either).
func (m *Machine) transcriptStep(s Session, ev Event, now time.Time) (Session, []Reply) {
	if s.Stage == StageNew || s.Stage == StageErased {
		// No one, or no one any more: asking must not store anything.
		return Session{Participant: s.Participant, Stage: StageErased, Prompt: s.Prompt}, nil
	}
	if m.Closed(now) || s.Banned {
		return s, nil
	}
	st := &step{m: m, s: cloneSession(s), now: now}
	st.repair(ev)
	if !st.offerTranscript(ev) {
		return s, nil
	}
	return st.s, st.out
}

// offerTranscript asks whether ev's transcript says what the voice note
// meant; it reports false when there is nothing to ask.
func (st *step) offerTranscript(ev Event) bool {
	key := AnswerKey(ev.Theme, ev.Question)
	a, ok := st.s.Answers[key]
	if !ok || a.Voice == nil || ev.Voice == nil || a.Voice.FileID != ev.Voice.FileID || a.Text != "" {
		return false
	}
	// A transcriber prints segments on lines of their own: one paragraph
	// reads better, and is what the person confirms.
	text := strings.Join(strings.Fields(sanitizeText(strings.ToValidUTF8(ev.Text, ""))), " ")
	if IsBlank(text) {
		return false
	}
	if utf8.RuneCountInString(text) > st.m.cfg.MaxText {
		text = shorten(text, st.m.cfg.MaxText)
	}
	p := &Pending{Kind: PendingTranscript, Text: text, Answer: key, FileID: a.Voice.FileID}
	st.show(st.transcriptPrompt(p))
	st.setPending(p)
	return true
}

// transcriptPrompt shows the transcript in full, since it becomes the
// answer, with the question it answers.
func (st *step) transcriptPrompt(p *Pending) (Reply, []opt) {
	vm := st.vmsg()
	title := p.Answer
	theme, question := splitKey(p.Answer)
	if q := st.m.q.Question(theme, question); q != nil {
		title = q.Title.In(st.s.Lang)
	}
	return Reply{Text: fmt.Sprintf(vm.Heard, title, p.Text)},
		[]opt{{actStore, "", vm.HeardYes}, {actRetype, "", vm.HeardNo}}
}

// confirmTranscript makes the transcript the answer's text, if the
// answer is still that voice note, and goes back to where the person was.
func (st *step) confirmTranscript(p *Pending) {
	vm := st.vmsg()
	a, ok := st.s.Answers[p.Answer]
	if !ok || a.Voice == nil || a.Voice.FileID != p.FileID {
		st.say(vm.Gone)
		st.reshowStage()
		return
	}
	a.Text = p.Text
	a.UpdatedAt = st.now
	st.s.Answers[p.Answer] = a
	st.say(vm.Saved)
	st.reshowStage()
}

// correctTranscript opens the question again, to type the answer or
// record it again: as an edit from the review when the theme is being
// reviewed or was confirmed, else as the question in its place.
func (st *step) correctTranscript(p *Pending) {
	s := &st.s
	vm := st.vmsg()
	theme, question := splitKey(p.Answer)
	if st.m.q.Question(theme, question) == nil {
		st.say(vm.Gone)
		st.reshowStage()
		return
	}
	_, confirmed := s.Confirmed[theme]
	if s.Stage == StageReview || s.Stage == StageEdit || confirmed {
		s.Stage = StageEdit
	} else {
		s.Stage = StageQuestion
	}
	s.Theme, s.Question = theme, question
	st.say(vm.Retry)
	st.showQuestion()
}

// transcriptHelp explains the pending transcript.
func (st *step) transcriptHelp() {
	vm := st.vmsg()
	st.say(fmt.Sprintf(vm.Help, vm.HeardYes, vm.HeardNo))
}

// spokenText renders a confirmed transcript in at most max characters,
// marked as said aloud.
func (st *step) spokenText(a Answer, max int) string {
	return fmt.Sprintf(st.vmsg().Spoken, shorten(strings.Join(strings.Fields(a.Text), " "), max))
}

// voiceConsent is the consent details' line about voice answers, empty
// when only the platform's reference is kept.
func (st *step) voiceConsent() string {
	v, vm := st.m.cfg.Voice, st.vmsg()
	if !v.Kept {
		return ""
	}
	text := vm.ConsentKept
	if v.Transcribed {
		text += " " + vm.ConsentTranscribed
	}
	if v.DeletedOnceConfirmed {
		text += " " + vm.ConsentDeleted
	}
	return text
}

// voiceCount counts the voice answers of the session.
func (st *step) voiceCount() int {
	n := 0
	for _, a := range st.s.Answers {
		if a.Voice != nil {
			n++
		}
	}
	return n
}

// voiceMessages holds the texts about voice answers in one language.
type voiceMessages struct {
	Heard          string // %s question title, %s transcript
	HeardYes       string
	HeardNo        string
	Saved          string
	Retry          string
	Gone           string
	Help           string // %s yes label, %s no label
	Spoken         string // %s transcript
	DataTranscript string // %s transcript
	LabelVoice     string
	DataKept       string // %d voice answers, audio kept

	ConsentKept        string
	ConsentTranscribed string
	ConsentDeleted     string
}

var voiceFR = voiceMessages{
	Heard:          "Votre message vocal pour la question « %s » : voici ce que j'ai compris.\n\n« %s »\n\nEst-ce bien ça ? Si oui, ce texte devient votre réponse écrite.",
	HeardYes:       "C'est bien ça",
	HeardNo:        "Corriger",
	Saved:          "Merci, c'est noté : votre réponse est enregistrée par écrit.",
	Retry:          "D'accord. Écrivez votre réponse, ou enregistrez un nouveau message vocal.",
	Gone:           "Cette réponse a changé entre-temps : rien n'est modifié.",
	Help:           "J'ai écouté votre message vocal et je vous montre ce que j'ai compris. Choisissez « %s » si le texte dit bien ce que vous vouliez dire : il devient votre réponse. Choisissez « %s » pour écrire votre réponse ou enregistrer un nouveau message.",
	Spoken:         "🎤 « %s »",
	DataTranscript: "Texte confirmé : %s",
	LabelVoice:     "Messages vocaux",
	DataKept:       "%d (l'enregistrement de votre voix est gardé ; /effacer l'efface)",

	ConsentKept: "• Messages vocaux : si vous répondez par un message vocal, nous gardons l'enregistrement de votre voix pour que l'équipe de la consultation puisse l'écouter. " +
		"Il est effacé avec vos réponses (/effacer), et au plus tard quand les adresses techniques le sont (voir plus bas).",
	ConsentTranscribed: "Un programme installé sur notre serveur, sans aucun service en ligne, le met par écrit ; vous vérifiez le texte avant qu'il ne compte.",
	ConsentDeleted:     "Une fois le texte confirmé, l'enregistrement est effacé.",
}

var voiceEN = voiceMessages{
	Heard:          "Your voice message for the question “%s”: here is what I understood.\n\n“%s”\n\nIs that right? If so, this text becomes your written answer.",
	HeardYes:       "That's right",
	HeardNo:        "Correct it",
	Saved:          "Thank you, noted: your answer is saved in writing.",
	Retry:          "All right. Type your answer, or record a new voice message.",
	Gone:           "This answer has changed meanwhile: nothing is modified.",
	Help:           "I listened to your voice message and I am showing you what I understood. Choose “%s” if the text says what you meant: it becomes your answer. Choose “%s” to type your answer or record a new message.",
	Spoken:         "🎤 “%s”",
	DataTranscript: "Confirmed text: %s",
	LabelVoice:     "Voice messages",
	DataKept:       "%d (the recording of your voice is kept; /erase erases it)",

	ConsentKept: "• Voice messages: if you answer with a voice message, we keep the recording of your voice so that the consultation's team can listen to it. " +
		"It is erased with your answers (/erase), and at the latest when the technical addresses are (see below).",
	ConsentTranscribed: "A program installed on our server, with no online service, puts it in writing; you check the text before it counts.",
	ConsentDeleted:     "Once the text is confirmed, the recording is erased.",
}

func (st *step) vmsg() *voiceMessages {
	if st.s.Lang == LangEN {
		return &voiceEN
	}
	return &voiceFR
}
