package organiser

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"consultbot/bot"
	"consultbot/digest"
	"consultbot/flows"
	"consultbot/storage"
)

// TestCorrectedProfileCountsEveryAnswer has a parent answer on two days,
// builds those days' digest parts with a first digest, then has them
// correct their profile and académie: the next digest, parts and all,
// equals a full recomputation and counts all their answers under the
// new profile and académie, none twice; the export shows the new values
// on every answer of theirs and nothing else changed.
func TestCorrectedProfileCountsEveryAnswer(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	db := openDB(t, "")
	ctx := context.Background()
	day := func(d, h int) time.Time { return time.Date(2026, 3, 2+d, h, 0, 0, 0, paris) }
	p := "telegram:1"
	for _, a := range []answerOpt{
		{participant: p, profile: "parent", academie: "Lyon", theme: "acces", question: "equipement", text: "des tablettes pour tous", at: day(0, 9)},
		{participant: p, profile: "parent", academie: "Lyon", theme: "acces", question: "besoins", text: "du réseau dans les classes", at: day(0, 10)},
		{participant: p, profile: "parent", academie: "Lyon", theme: "gouvernance", question: "parents", text: "informer les familles", at: day(1, 9)},
		{participant: "discord:2", channel: bot.ChannelDiscord, profile: "parent", academie: "Paris", theme: "acces", question: "equipement", text: "des écrans", at: day(1, 11)},
	} {
		put(t, db, a)
	}
	now := day(2, 12)
	digestNow := func() digest.Digest {
		t.Helper()
		d, err := ComputeDigest(ctx, db, q, time.Time{}, now, "", flows.LangFR, paris)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := digestNow()
	spans, err := db.DigestPartSpans(time.Time{}, now)
	if err != nil || len(spans) != 2 {
		t.Fatalf("parts after the first digest: %v, %v; want both days'", spans, err)
	}
	rowsBefore := exportRows(t, db)

	in := bot.Inbound{ID: "correction", Channel: bot.ChannelTelegram, Participant: p, Address: "chat",
		Event: flows.Event{Kind: flows.EventText, Text: "en fait je suis enseignant à Bordeaux"}}
	if _, err := db.Apply(ctx, in, day(2, 11), func(s flows.Session) (flows.Session, []flows.Reply) {
		s.Profile, s.Academie = "enseignant", "Bordeaux"
		return s, nil
	}); err != nil {
		t.Fatal(err)
	}

	got := digestNow()
	if diff := cmp.Diff(referenceDigest(t, db, q, time.Time{}, now, "", flows.LangFR), got); diff != "" {
		t.Errorf("digest with parts after the correction (-full scan +parts):\n%s", diff)
	}
	if got.Total != first.Total {
		t.Errorf("total %+v after the correction, want %+v as before", got.Total, first.Total)
	}
	counts := func(bs []digest.Breakdown) map[string]digest.Figures {
		m := map[string]digest.Figures{}
		for _, b := range bs {
			m[b.Key] = b.Total
		}
		return m
	}
	if diff := cmp.Diff(map[string]digest.Figures{"enseignant": {Participants: 1, Contributions: 3}, "parent": {Participants: 1, Contributions: 1}}, counts(got.ByProfile)); diff != "" {
		t.Errorf("by profile (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]digest.Figures{"Bordeaux": {Participants: 1, Contributions: 3}, "Paris": {Participants: 1, Contributions: 1}}, counts(got.ByAcademie)); diff != "" {
		t.Errorf("by académie (-want +got):\n%s", diff)
	}

	pseudo, _ := NewPseudonymizer(testKey)
	var want []Row
	for _, r := range rowsBefore {
		if r.Participant == pseudo.Pseudonym(p) {
			r.Profile, r.ProfileLabel = "enseignant", "Enseignant ou enseignante"
			r.Academie, r.AcademieLabel = "bordeaux", "Bordeaux"
		}
		want = append(want, r)
	}
	if diff := cmp.Diff(want, exportRows(t, db)); diff != "" {
		t.Errorf("export after the correction (-want +got):\n%s", diff)
	}
}

// exportRows exports db as JSON lines and reads the rows back.
func exportRows(t *testing.T, db *storage.DB) []Row {
	t.Helper()
	var rows []Row
	sc := bufio.NewScanner(bytes.NewReader(export(t, db, ExportOptions{Format: FormatJSONL})))
	for sc.Scan() {
		var r Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		rows = append(rows, r)
	}
	return rows
}
