package digest

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"consultbot/flows"
)

func TestZZSnapshot(t *testing.T) {
	q := flows.DefaultQuestionnaire()
	type qref struct{ theme, q string }
	var qs []qref
	for _, th := range q.Themes {
		for _, qu := range th.Questions {
			qs = append(qs, qref{th.ID, qu.ID})
		}
	}
	acc := NewAccumulator(Input{Questionnaire: q, Since: fixSince, Until: fixUntil})
	for i := range 20_000 {
		acc.AddParticipant(Participant{ID: fmt.Sprint("p", i), Banned: i%1000 == 0})
	}
	for i := range 60_000 {
		r := qs[i%len(qs)]
		txt := synthText(i)
		if i%7 == 0 {
			txt = "Les élèves et les écoles: " + txt + " Écrans, ÉCRANS! " + txt + " " + txt + " " + txt + " " + txt
		}
		acc.Add(Answer{ID: uint64(i + 1), Participant: fmt.Sprint("p", i%20_000), Channel: "telegram",
			Theme: r.theme, Question: r.q, Text: txt, Voice: i%50 == 0, Hidden: i%500 == 0,
			CreatedAt: fixSince.Add(time.Duration(i-30_000) * time.Second)})
	}
	b, _ := json.MarshalIndent(acc.Finish(), "", " ")
	os.WriteFile(os.Getenv("SNAP"), b, 0o644)
}
