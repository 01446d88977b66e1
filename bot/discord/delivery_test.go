package discord_test

import (
	"fmt"
	"strings"
	"testing"

	"consultbot/bot/discord/discordtest"
	"consultbot/internal/fault"
)

// TestMyDataArrivesAsTextWhenUploadsFail: Discord fails every upload (HTTP
// 500 on follow-ups carrying a file) while text goes: the educator gets
// their data as text, and the erase confirmation right behind it.
func TestMyDataArrivesAsTextWhenUploadsFail(t *testing.T) {
	h := newHarness(t, discordtest.Options{}, nil)
	h.srv.Faults().Always(discordtest.RouteFollowUp+discordtest.FileSuffix, fault.Status500)
	h.srv.Faults().Always(discordtest.RouteEditFollowUp+discordtest.FileSuffix, fault.Status500)
	u := h.srv.NewUser("alice", "fr")
	_, i := h.onboard(u, h.srv.Guild())
	h.slash(u, h.srv.Guild(), "mes_donnees")
	h.slash(u, h.srv.Guild(), "effacer")
	_, i = h.awaitText(u, i+1, "format JSON")
	data, i := h.awaitText(u, i+1, `"participant"`)
	if len(data.Files) > 0 || !strings.Contains(data.Content, `"answers"`) || !data.Ephemeral {
		t.Errorf("data message = %+v, want the JSON as ephemeral text", data)
	}
	h.awaitButton(u, i+1, "Oui, tout effacer")
	for _, m := range h.srv.Messages(u.ID) {
		if len(m.Files) > 0 {
			t.Error("a file reached the educator although every upload failed")
		}
	}
	if n := h.srv.Faults().Counts()[fault.Status500]; n < 2 {
		t.Errorf("%d uploads refused, want the file tried before it went as text", n)
	}
	if list, err := h.db.Undeliverable(); err != nil || len(list) != 0 {
		t.Errorf("undeliverable: %+v, %v", list, err)
	}
}

// TestDigestTextArrivesWhenTheChartFails: in the organisers' channel, the
// chart's upload meets a proxy's HTML 502 every time; the team gets the
// note in its place, then the digest.
func TestDigestTextArrivesWhenTheChartFails(t *testing.T) {
	oh := newOrgHarness(t, nil)
	oh.srv.Faults().Always(discordtest.RouteFollowUp+discordtest.FileSuffix, fault.BadGateway)
	oh.srv.Faults().Always(discordtest.RouteEditFollowUp+discordtest.FileSuffix, fault.BadGateway)
	member := oh.srv.NewUser("orga", "fr")
	oh.slashWith(member, oh.orgCh, "synthese", nil)
	msgs := oh.channelAfter(0, digestEnd)
	if msgs[0].Content != "(graphique indisponible)" || len(msgs[0].Files) > 0 {
		t.Fatalf("first message %q with %d files, want the note in the chart's place", msgs[0].Content, len(msgs[0].Files))
	}
	if !strings.Contains(joined(msgs), fmt.Sprintf("#%d", answerID(t, oh.db, seedTexts[0]))) {
		t.Errorf("the digest's quotes are missing:%s", dump(msgs))
	}
}
