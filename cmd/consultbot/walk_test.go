package main

import (
	"os"
	"strings"
	"testing"

	"consultbot/bot/discord/discordtest"
)

// TestWalkThrough is a tester's tool: a parent on Telegram and an
// educator on Discord go through a theme each, with the detours people
// take (typos, no accents, stale and forged buttons, files, edits, a
// repeated update, the privacy and reminder commands), against the real
// run and the fakes. It prints what each of them read, as they would
// read it, to be read by a person (go test -run TestWalkThrough -v with
// CONSULTBOT_WALK=1). It fails when an action gets no reply at all or a
// tap is never answered; what the replies say is for the reader.
func TestWalkThrough(t *testing.T) {
	if os.Getenv("CONSULTBOT_WALK") == "" {
		t.Skip("a walk-through to read: set CONSULTBOT_WALK=1 and run with -v")
	}
	p := startPersonas(t, false)

	a := p.telegram(9001, "Sandrine", "fr")
	a.say("/start")
	a.say("bonjour")
	old := a.last("J'accepte")
	a.say("jaccepte")
	a.tapStale(old, "Je refuse")
	a.say("maman")
	a.say("st etienne")
	a.say("theme 1")
	a.say("ya pas dordi a la maison juste le tel de sa mere")
	a.p.tg.SendSticker(a.u)
	a.await("a sticker")
	a.p.tg.SendPhoto(a.u, "voila")
	a.await("a photo with a caption")
	a.p.tg.SendDocument(a.u, "reponse.pdf")
	a.await("a document")
	a.p.tg.SendVoice(a.u, 7)
	a.await("a voice note")
	id := a.p.tg.SendText(a.u, "les ecrans cest trop")
	a.await("an answer")
	if err := a.p.tg.Redeliver(id); err != nil {
		t.Fatal(err)
	}
	a.quiet("the same update again")
	a.p.tg.TapData(a.u, a.last("Passer"), "forged:data")
	a.await("a forged tap")
	a.say("non")
	a.say("passer")
	a.say("je sais pas")
	a.say("/mes_reponses")
	a.say("/mes_donnees")
	a.say("/rappels")
	a.say("oui")
	a.say("stop")
	a.say("stop")
	a.say("/langue")
	a.say("/effacer")
	a.say("oui")
	t.Log("\nParent on Telegram:\n" + a.log.String())

	e := p.discord("claire", "fr")
	g := p.dc.Guild()
	e.slash(g, "aide", nil)
	e.slash(g, "contribuer", nil)
	e.click("accepte")
	e.click("Enseignant")
	e.click("Répondre")
	e.submit("bordeau")
	e.click("Enseigner")
	q1 := e.lastWith("Répondre")
	e.click("Répondre")
	e.submit(strings.Repeat("Nous avons des classes mobiles.\n\nMais le wifi ne marche pas.\n", 60))
	e.clickOn(q1, "Passer")
	e.click("Répondre")
	e.submit("   ")
	e.click("Répondre")
	e.slash(g, "menu", nil)
	e.submit("Réponse écrite pendant que j'allais au menu.")
	e.dm("", discordtest.Attachment{Filename: "photo.png", ContentType: "image/png", Size: 10, Data: []byte("0123456789")})
	e.dm("english")
	e.dm("oui")
	e.slash(g, "mes_reponses", nil)
	e.slash(g, "mes_donnees", nil)
	e.slash(g, "rappels", nil)
	e.slash(g, "effacer", nil)
	e.click("Cancel")
	t.Log("\nEducator on Discord:\n" + e.log.String())

	for who, log := range map[string]string{"parent": a.log.String(), "educator": e.log.String()} {
		if strings.Contains(log, "(nothing)\n") || strings.Contains(log, "!!") {
			t.Errorf("the %s met silence or an error (see the transcript)", who)
		}
	}
}
