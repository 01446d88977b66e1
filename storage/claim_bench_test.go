package storage

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"consultbot/bot"
	"consultbot/flows"
)

// BenchmarkClaimAnnouncement measures the claim of one announcement's
// delivery just before it leaves, on a bbolt file with fsync on: what
// each announcement costs the low-priority lane besides its request.
// 256 people who accepted announcements have one delivery each, claimed
// in turn (the claims are lifted, untimed, before a delivery is claimed
// again).
func BenchmarkClaimAnnouncement(b *testing.B) {
	ctx := context.Background()
	db, err := Open(filepath.Join(b.TempDir(), "consult.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const people = 256
	for i := range people {
		addr := strconv.Itoa(9000 + i)
		p := "telegram:" + addr
		in := bot.Inbound{ID: "seed:" + addr, Channel: bot.ChannelTelegram, Participant: p, Address: addr, Later: addr}
		if _, err := db.Apply(ctx, in, t0, func(flows.Session) (flows.Session, []flows.Reply) {
			return flows.Session{
				Participant: p, Lang: flows.LangFR, Stage: flows.StagePaused, ConsentAt: t0, Profile: "parent",
				Reminders: flows.Reminders{OfferedAt: t0, ConsentAt: t0}, CreatedAt: t0, UpdatedAt: t0,
			}, nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	id, _, err := db.DraftAnnouncement(ctx, "Dernière semaine.", t0)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.SendAnnouncement(ctx, id, t0); err != nil {
		b.Fatal(err)
	}
	outs, err := db.NextAnnouncements(ctx, t0, bot.Room{bot.ChannelTelegram: people}, func(_, text string) flows.Reply { return flows.Reply{Text: text} })
	if err != nil || len(outs) != people {
		b.Fatalf("%d deliveries queued (%v), want %d", len(outs), err, people)
	}
	b.ResetTimer()
	for i := range b.N {
		if i > 0 && i%people == 0 {
			b.StopTimer()
			for _, o := range outs {
				if err := db.Unclaim(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		}
		if ok, err := db.Claim(ctx, outs[i%people]); err != nil || !ok {
			b.Fatalf("claim: %v, %v", ok, err)
		}
	}
}
