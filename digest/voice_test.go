package digest

import (
	"strings"
	"testing"
	"time"

	"consultbot/flows"
)

// TestVoiceAnswersCountedAndTranscriptsQuoted: each question says how
// many of its new answers are voice notes; a confirmed transcript is
// quoted like a text, marked as spoken, and a voice note without one is
// counted, never quoted.
func TestVoiceAnswersCountedAndTranscriptsQuoted(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	q := flows.DefaultQuestionnaire()
	th, qu := q.Themes[0].ID, q.Themes[0].Questions[0].ID
	in := Input{Questionnaire: q, Lang: "fr", Theme: th}
	for i, a := range []Answer{
		{Text: "Il faudrait un ordinateur portable pour chaque élève et une connexion gratuite.", Voice: true},
		{Voice: true},
		{Text: "Un ordinateur portable par élève, prêté par le collège, avec la connexion."},
	} {
		a.ID, a.Participant, a.Channel, a.Profile = uint64(10+i), "telegram:"+string(rune('a'+i)), "telegram", "parent"
		a.Theme, a.Question, a.CreatedAt, a.UpdatedAt = th, qu, at, at
		in.Answers = append(in.Answers, a)
	}
	d := Compute(in)
	qd := d.Themes[0].Questions[0]
	if qd.NewAnswers != 3 || qd.NewVoice != 2 || qd.TotalVoice != 2 {
		t.Errorf("question counts: %d new, %d by voice (%d in total); want 3, 2, 2", qd.NewAnswers, qd.NewVoice, qd.TotalVoice)
	}
	spoken := 0
	for _, qt := range qd.Quotes {
		if qt.AnswerID == 11 {
			t.Errorf("a voice note without transcript is quoted: %+v", qt)
		}
		if qt.Spoken != (qt.AnswerID == 10) {
			t.Errorf("quote %d spoken = %v", qt.AnswerID, qt.Spoken)
		}
		if qt.Spoken {
			spoken++
		}
	}
	if spoken != 1 {
		t.Fatalf("quotes = %+v, want the transcript among them", qd.Quotes)
	}
	md := RenderMarkdown(d)
	for _, want := range []string{"3 nouvelles réponses (dont 2 vocales)", "🎤 « Il faudrait un ordinateur portable", "(dit à l’oral, transcription confirmée)"} {
		if !strings.Contains(md, want) {
			t.Errorf("digest lacks %q:\n%s", want, md)
		}
	}
	in.Lang = "en"
	if en := RenderMarkdown(Compute(in)); !strings.Contains(en, "3 new answers (2 by voice)") || !strings.Contains(en, "(spoken, transcript confirmed)") {
		t.Errorf("English digest:\n%s", en)
	}
}
