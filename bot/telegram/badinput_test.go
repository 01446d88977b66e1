package telegram_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"consultbot/bot/telegram"
	"consultbot/bot/telegram/telegramtest"
	"consultbot/flows"
	"consultbot/storage"
)

// The bad-input suite: every kind of input a person (or a forged client)
// can send, through the real adapter, engine, flows and a bbolt file,
// against the fake Bot API. Each case checks the reply the person sees and
// that the store did not change, or changed exactly as expected.
//
// Updates the fake cannot produce (video, poll, raw bytes…) are posted as
// raw JSON to the adapter's webhook handler, the path Telegram's webhook
// takes, so they go through the same decoding (encoding/json into
// tgbotapi.Update) as polled ones.

const badSecret = "bad-input-secret"

// state is what a case may or may not change: the session without its
// prompt counter and clock, and the stored answers.
type state struct {
	Exists    bool
	Stage     flows.Stage
	Lang      string
	Profile   string
	Academie  string
	Source    string
	Theme     string
	Question  string
	Answers   map[string]flows.Answer
	Confirmed map[string]time.Time
	Stored    map[string]storage.Answer
}

func (a *app) state(participant string) state {
	a.t.Helper()
	s, ok, err := a.db.Session(participant)
	if err != nil {
		a.t.Fatal(err)
	}
	return state{
		Exists: ok, Stage: s.Stage, Lang: s.Lang, Profile: s.Profile, Academie: s.Academie,
		Source: s.Source, Theme: s.Theme, Question: s.Question, Answers: s.Answers,
		Confirmed: s.Confirmed, Stored: a.answers(participant),
	}
}

// bench is the shared fixture of the suite.
type bench struct {
	t       *testing.T
	fake    *telegramtest.Server
	a       *app
	hook    string // the adapter's webhook handler
	proxy   *batchProxy
	nextRaw int // update ids for raw updates, far above the fake's
}

// postRaw posts one raw update (the body of a webhook call) and returns
// the HTTP status the adapter answered.
func (b *bench) postRaw(body []byte) int {
	b.t.Helper()
	req, err := http.NewRequestWithContext(waitCtx(b.t), http.MethodPost, b.hook, bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", badSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// rawMessage posts a private message from p whose content is the JSON
// fields given (`"video":{…}`), and fails unless it was applied (200).
func (b *bench) rawMessage(p *parent, fields string) {
	b.t.Helper()
	b.nextRaw++
	body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,"first_name":"Camille","language_code":"fr"},"date":%d,"chat":{"id":%d,"type":"private","first_name":"Camille"},%s}}`,
		b.nextRaw, b.nextRaw, p.u.ID, time.Now().Unix(), p.u.ID, fields)
	if code := b.postRaw([]byte(body)); code != http.StatusOK {
		b.t.Fatalf("webhook answered %d to %s", code, body)
	}
}

// quiet asserts that p got no reply since seen: a marker command sent
// after the input is answered first (one participant's events are
// handled in order), so nothing else can still be on its way.
func (p *parent) quiet(what string) {
	p.t.Helper()
	before := len(p.fake.Messages(p.u.ID))
	p.say("/aide")
	p.expect("Commandes")
	if n := len(p.fake.Messages(p.u.ID)); n != before+1 {
		p.t.Errorf("%s: %d replies, want none", what, n-before-1)
	}
}

// batchProxy sits between the adapter and the fake. While hold is on it
// keeps getUpdates requests until released, so that several updates land
// in one batch; reverse makes it hand the batch over in descending
// update_id order.
type batchProxy struct {
	srv     *httptest.Server
	mu      sync.Mutex
	hold    bool
	reverse bool
	held    chan struct{} // a getUpdates request is waiting
	release chan struct{}
}

func newBatchProxy(t *testing.T, target string) *batchProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &batchProxy{held: make(chan struct{}, 1), release: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if !strings.HasSuffix(resp.Request.URL.Path, "/getUpdates") {
			return nil
		}
		p.mu.Lock()
		rev := p.reverse
		p.mu.Unlock()
		if !rev {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var r struct {
			OK     bool              `json:"ok"`
			Result []json.RawMessage `json:"result"`
		}
		if json.Unmarshal(body, &r) == nil && r.OK {
			for i, j := 0, len(r.Result)-1; i < j; i, j = i+1, j-1 {
				r.Result[i], r.Result[j] = r.Result[j], r.Result[i]
			}
			body, _ = json.Marshal(r)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Del("Content-Length")
		return nil
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getUpdates") {
			p.mu.Lock()
			hold, release := p.hold, p.release
			p.mu.Unlock()
			if hold {
				select {
				case p.held <- struct{}{}:
				default:
				}
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		p.open() // a failed case must not leave a request held for ever
		p.srv.Close()
	})
	return p
}

func (p *batchProxy) set(hold, reverse bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold, p.reverse = hold, reverse
}

// open releases the held requests and stops holding.
func (p *batchProxy) open() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold = false
	close(p.release)
	p.release = make(chan struct{})
}

func newBench(t *testing.T) *bench {
	fake := newFake(t)
	proxy := newBatchProxy(t, fake.URL())
	a := startApp(t, fake, filepath.Join(t.TempDir(), "bad.db"), func(o *telegram.Options) {
		o.APIEndpoint = proxy.srv.URL
		// Polling stays the mode; the secret only enables the webhook
		// handler, through which raw updates are posted.
		o.WebhookSecret = badSecret
	})
	return &bench{t: t, fake: fake, a: a, hook: httptestServer(t, a.ad), proxy: proxy, nextRaw: 1 << 30}
}

// atQuestion onboards a new parent and opens theme 1, whose first
// question expects free text; it returns the question message.
func (p *parent) atQuestion() telegramtest.Message {
	p.t.Helper()
	p.tap(p.onboard(), "1.")
	return p.expect("Question 1/5")
}

// badCase is one row of the suite. The participant starts at question 1
// of theme 1 (or as a newcomer when fresh); run acts and checks replies;
// want, when set, is the state expected after, else the state before.
type badCase struct {
	name  string
	fresh bool
	run   func(b *bench, p *parent, q telegramtest.Message)
	want  func(t *testing.T, before, after state)
}

// answerIs expects exactly one new answer, to theme 1's first question,
// with the given text.
func answerIs(text string) func(t *testing.T, before, after state) {
	return func(t *testing.T, before, after state) {
		t.Helper()
		if len(before.Stored) != 0 || len(after.Stored) != 1 {
			t.Fatalf("stored %d answers after (%d before), want exactly 1", len(after.Stored), len(before.Stored))
		}
		for _, an := range after.Stored {
			if an.Text != text || !utf8.ValidString(an.Text) {
				t.Errorf("stored %q, want %q", an.Text, text)
			}
		}
	}
}

// mediaCase sends a message of kind with neither text nor caption: it
// gets a clear reply (expect), nothing is stored, and the question stays.
func mediaCase(kind, fields, expect string) badCase {
	return badCase{name: "media " + kind, run: func(b *bench, p *parent, _ telegramtest.Message) {
		b.rawMessage(p, fields)
		p.expect(expect)
	}}
}

// newerCase sends, through getUpdates, a message whose content is of a
// kind newer than the SDK, fields in Telegram's JSON: it gets the reply
// to a message that is no file, and nothing is kept.
func newerCase(kind, fields string) badCase {
	return badCase{name: "newer kind " + kind, run: func(b *bench, p *parent, _ telegramtest.Message) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(fields), &m); err != nil {
			b.t.Fatal(err)
		}
		b.fake.SendContent(p.u, m)
		p.expect(noMessage)
	}}
}

// captionCase sends a file of kind with a caption: the caption is read
// as if typed, an answer to the open question, and the reply says the
// file is not kept.
func captionCase(kind, fields string) badCase {
	caption := "Réponse en légende (" + kind + ")."
	return badCase{name: kind + " with a caption", run: func(b *bench, p *parent, _ telegramtest.Message) {
		b.rawMessage(p, fields+`,"caption":"`+caption+`"`)
		p.expect("le fichier joint n'est pas conservé")
		p.expect("Question 2/5")
	}, want: answerIs(caption)}
}

// The reply to a file with no caption, and to a message that is no file.
const (
	noFile    = "Je ne peux pas lire ce fichier"
	noMessage = "Je ne peux pas lire ce type de message"
)

// onlyTitleBold checks that a message quoting a person's text has no
// formatting but its bold title: their markup came through as text.
func onlyTitleBold(t *testing.T, m telegramtest.Message, literal string) {
	t.Helper()
	if !strings.Contains(m.Text, literal) {
		t.Errorf("text not shown as typed; want %q in:\n%s", literal, m.Text)
		return
	}
	// Offsets are in UTF-16 code units, as Telegram counts them.
	from := len(utf16.Encode([]rune(m.Text[:strings.Index(m.Text, literal)])))
	to := from + len(utf16.Encode([]rune(literal)))
	for _, e := range m.Entities {
		if e.Type != "bold" || e.Offset < to && from < e.Offset+e.Length {
			t.Errorf("entity %+v in a message quoting the person's text; want only the bold titles, apart from it", e)
		}
	}
}

func TestBadInputTelegram(t *testing.T) {
	b := newBench(t)
	other := newParent(t, b.fake, 999)
	other.onboard()

	long := strings.Repeat("é", 4001) // Telegram carries up to 4096
	html := `<b>gras</b> <a href="https://evil.example">lien</a> &amp; <script>alert(1)</script>`
	markdown := "*gras* _italique_ [lien](https://evil.example) `code` @everyone"

	cases := []badCase{
		{name: "whitespace-only text", run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say("  \n\t  ")
			p.expect("Votre message est vide")
		}},
		{name: "empty text (raw update)", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.rawMessage(p, `"text":""`)
			p.quiet("empty text")
		}},
		{name: "text over the limit", run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say(long)
			p.expect("Votre réponse fait 4001 caractères ; la limite est de 4000")
		}},
		{name: "invalid UTF-8 bytes (raw update)", run: func(b *bench, p *parent, _ telegramtest.Message) {
			// encoding/json turns invalid bytes into U+FFFD: that is what
			// reaches flows (Telegram itself never sends such bytes).
			b.rawMessage(p, "\"text\":\"caf\xff\xfe au lait\"")
			p.expect("Merci, c'est noté")
		}, want: answerIs("caf\uFFFD\uFFFD au lait")},
		{name: "lone surrogate escape (raw update)", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.rawMessage(p, `"text":"avant \ud800 après"`)
			p.expect("Merci, c'est noté")
		}, want: answerIs("avant \uFFFD après")},
		{name: "control characters stripped", run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say("  une\x00 heure\x07\x1b par\tjour\r\n ")
			p.expect("Merci, c'est noté")
		}, want: answerIs("une heure par\tjour")},
		{name: "right-to-left override stripped", run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say("avis \u202etxt.exe\u202c et \u2067isolé\u2069, marque \u200f gardée")
			p.expect("Merci, c'est noté")
		}, want: answerIs("avis txt.exe et isolé, marque \u200f gardée")},
		{name: "HTML injection quoted back as text", run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say(html)
			p.expect("Question 2/5")
			p.say("/mes_reponses")
			onlyTitleBold(b.t, p.expect("gras"), html)
		}, want: answerIs(html)},
		{name: "Markdown injection quoted back as text", run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say(markdown)
			p.expect("Question 2/5")
			p.say("/mes_reponses")
			onlyTitleBold(b.t, p.expect("gras"), markdown)
		}, want: answerIs(markdown)},
		{name: "stale callback", run: func(b *bench, p *parent, q telegramtest.Message) {
			// Resuming shows the question again under a new prompt; the
			// first copy keeps its keyboard, now stale.
			p.say("/reprendre")
			p.expect("Question 1/5")
			_, qid := b.fake.TapData(p.u, q, dataOf(b.t, q, "Passer"))
			p.expect("question précédente")
			p.expect("Question 1/5")
			if !b.fake.CallbackAnswered(qid) {
				b.t.Error("stale callback not answered")
			}
		}},
		{name: "forged callback data", run: func(b *bench, p *parent, q telegramtest.Message) {
			_, qid := b.fake.TapData(p.u, q, "\x00garbage;DROP TABLE")
			p.expect("Je ne reconnais pas ce bouton")
			if !b.fake.CallbackAnswered(qid) {
				b.t.Error("forged callback not answered")
			}
		}},
		{name: "callback data over 64 bytes", run: func(b *bench, p *parent, q telegramtest.Message) {
			_, qid := b.fake.TapData(p.u, q, "1.skip."+strings.Repeat("x", 70))
			p.expect("Je ne reconnais pas ce bouton")
			if !b.fake.CallbackAnswered(qid) {
				b.t.Error("callback not answered")
			}
		}},
		{name: "another participant taps this one's button", run: func(b *bench, p *parent, q telegramtest.Message) {
			before := b.a.state(pid(999))
			b.fake.TapData(other.u, q, dataOf(b.t, q, "Passer"))
			other.expect("Choisissez un thème") // their own menu again
			if after := b.a.state(pid(999)); !reflect.DeepEqual(before, after) {
				b.t.Errorf("the tapper's session changed: %+v → %+v", before, after)
			}
			if m := lastOf(b.fake, p.u.ID); m.ID != q.ID || m.Keyboard == nil {
				b.t.Errorf("the owner's chat changed: %+v", m)
			}
		}},
		{name: "media photo", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.fake.SendPhoto(p.u, "")
			p.expect(noFile)
		}},
		{name: "photo with a caption", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.fake.SendPhoto(p.u, "Une tablette par élève, prêtée par le collège.")
			p.expect("Seul votre texte est lu : le fichier joint n'est pas conservé.")
			p.expect("Merci, c'est noté")
			p.expect("Question 2/5")
		}, want: answerIs("Une tablette par élève, prêtée par le collège.")},
		{name: "photo with a blank caption", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.fake.SendPhoto(p.u, " \n\u200b ")
			p.expect(noFile)
		}},
		{name: "document with a command as caption", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.rawMessage(p, `"document":{"file_id":"d","file_unique_id":"ud","file_name":"cv.pdf"},"caption":"/aide","caption_entities":[{"type":"bot_command","offset":0,"length":5}]`)
			p.expect("le fichier joint n'est pas conservé")
			p.expect("Aide · ")
		}},
		{name: "edited caption", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.fake.SendPhoto(p.u, "Première légende.")
			p.expect("Question 2/5")
			// The photo's id: the reply to it took the next one (private
			// chats share one counter).
			msgs := b.fake.Messages(p.u.ID)
			b.fake.EditCaption(p.u, msgs[len(msgs)-1].ID-1, "Légende modifiée.")
			p.expect("je ne lis pas les modifications")
		}, want: answerIs("Première légende.")},
		{name: "media sticker", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.fake.SendSticker(p.u)
			p.expect(noFile)
		}},
		{name: "media document", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.fake.SendDocument(p.u, "reponse.pdf")
			p.expect(noFile)
		}},
		mediaCase("video", `"video":{"file_id":"v","file_unique_id":"uv","width":640,"height":480,"duration":3}`, noFile),
		mediaCase("audio", `"audio":{"file_id":"a","file_unique_id":"ua","duration":30,"title":"chanson"}`, noFile),
		mediaCase("video note", `"video_note":{"file_id":"n","file_unique_id":"un","length":240,"duration":5}`, noFile),
		mediaCase("animation", `"animation":{"file_id":"g","file_unique_id":"ug","width":1,"height":1,"duration":1},"document":{"file_id":"g","file_unique_id":"ug"}`, noFile),
		mediaCase("location", `"location":{"latitude":48.85,"longitude":2.35}`, noMessage),
		mediaCase("venue", `"venue":{"location":{"latitude":48.85,"longitude":2.35},"title":"École","address":"Paris"},"location":{"latitude":48.85,"longitude":2.35}`, noMessage),
		mediaCase("contact", `"contact":{"phone_number":"+33600000000","first_name":"Dominique"}`, noMessage),
		mediaCase("poll", `"poll":{"id":"p","question":"Pour ou contre ?","options":[{"text":"pour","voter_count":0}],"total_voter_count":0,"is_closed":false,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}`, noMessage),
		mediaCase("dice", `"dice":{"emoji":"🎲","value":3}`, noMessage),
		// Kinds newer than the SDK, in Telegram's shapes: read as no kind
		// the bot knows, and answered as such rather than met with silence.
		newerCase("forwarded story", `{"forward_origin":{"type":"user","date":1767225600,"sender_user":{"id":77,"is_bot":false,"first_name":"Léa"}},"story":{"chat":{"id":77,"type":"private","first_name":"Léa"},"id":12}}`),
		newerCase("giveaway", `{"giveaway":{"chats":[{"id":-1001,"type":"channel","title":"Parents 75"}],"winners_selection_date":1767225600,"winner_count":3}}`),
		newerCase("paid media", `{"paid_media":{"star_count":10,"paid_media":[{"type":"preview","width":640,"height":480}]}}`),
		newerCase("checklist", `{"checklist":{"title":"Rentrée","tasks":[{"id":1,"text":"Cahiers"},{"id":2,"text":"Trousse"}]}}`),
		mediaCase("story by webhook", `"story":{"chat":{"id":77,"type":"private","first_name":"Léa"},"id":13}`, noMessage),
		{name: "paid media with a caption", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.rawMessage(p, `"paid_media":{"star_count":5,"paid_media":[{"type":"preview"}]},"caption":"Réponse sous un média payant."`)
			p.expect("le fichier joint n'est pas conservé")
			p.expect("Question 2/5")
		}, want: answerIs("Réponse sous un média payant.")},
		{name: "newer service message", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.rawMessage(p, `"chat_background_set":{"type":{"type":"chat_theme","theme_name":"🌷"}}`)
			p.quiet("a background set")
		}},
		captionCase("video", `"video":{"file_id":"v","file_unique_id":"uv","width":640,"height":480,"duration":3}`),
		captionCase("document", `"document":{"file_id":"d","file_unique_id":"ud","file_name":"reponse.pdf"}`),
		captionCase("animation", `"animation":{"file_id":"g","file_unique_id":"ug","width":1,"height":1,"duration":1},"document":{"file_id":"g","file_unique_id":"ug"}`),
		captionCase("audio", `"audio":{"file_id":"a","file_unique_id":"ua","duration":30,"title":"chanson"}`),
		{name: "unknown command", run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say("/inconnue")
			p.expect("Je ne connais pas la commande « /inconnue »")
		}},
		{name: "unknown command with markup in its name", run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say("/<b>x</b>")
			m := p.expect("Je ne connais pas la commande")
			onlyTitleBold(b.t, m, "« /<b>x</b> »")
		}},
		{name: "/start with an oversize weird payload (newcomer)", fresh: true, run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say("/start <script>" + strings.Repeat("é-9_\u202e", 800))
			p.expect("Avant de commencer")
		}, want: func(t *testing.T, before, after state) {
			if before.Exists || !after.Exists || after.Stage != flows.StageConsent || len(after.Stored) != 0 {
				t.Fatalf("newcomer: before %+v, after %+v; want a new session at consent, no answer", before, after)
			}
			if len(after.Source) == 0 || len(after.Source) > 64 || strings.Trim(after.Source, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
				t.Errorf("source %q: want 1-64 characters of [A-Za-z0-9_-]", after.Source)
			}
		}},
		{name: "/start with an unknown theme mid-theme", run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say("/start theme-99")
			p.expect("Question 1/5")
		}},
		{name: "/langue with a garbage argument", run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say("/langue xyz")
			p.expect("I will now speak English")
			p.expect("Question 1/5")
		}, want: func(t *testing.T, before, after state) {
			// An unknown argument toggles, as /langue alone does.
			before.Lang = flows.LangEN
			if !reflect.DeepEqual(before, after) {
				t.Errorf("state %+v, want only the language switched: %+v", after, before)
			}
		}},
		{name: "/menu with a garbage argument", run: func(b *bench, p *parent, _ telegramtest.Message) {
			p.say("/menu 99 <b>")
			p.expect("Choisissez un thème")
		}, want: func(t *testing.T, before, after state) {
			if !reflect.DeepEqual(before.Stored, after.Stored) || after.Stage != flows.StageMenu {
				t.Errorf("after /menu 99: stage %q, %d answers; want the menu and the same answers", after.Stage, len(after.Stored))
			}
		}},
		{name: "the same update twice", run: func(b *bench, p *parent, _ telegramtest.Message) {
			id := p.say("Une seule fois.")
			p.expect("Question 2/5")
			if err := b.fake.Redeliver(id); err != nil {
				b.t.Fatal(err)
			}
			p.quiet("redelivered update")
		}, want: answerIs("Une seule fois.")},
		{name: "updates in descending order within a batch", run: func(b *bench, p *parent, _ telegramtest.Message) {
			b.proxy.set(true, true)
			// Let a long poll in flight return, so that the next one is
			// held; if none is in flight, the next one is held with /aide
			// still pending, so its reply is awaited only after opening.
			other.say("/aide")
			select {
			case <-b.proxy.held:
			case <-waitCtx(b.t).Done():
				b.t.Fatal("no getUpdates request held")
			}
			first := p.say("Réponse A.")
			second := p.say("Réponse B.")
			b.proxy.open()
			other.expect("Commandes")
			p.expect("Question 3/5")
			b.proxy.set(false, false)
			if err := b.fake.Wait(waitCtx(b.t), func() bool { return b.fake.PendingUpdates() == 0 }); err != nil {
				b.t.Errorf("updates %d and %d not both confirmed: %d pending", first, second, b.fake.PendingUpdates())
			}
		}, want: func(t *testing.T, before, after state) {
			// Applied in the order delivered, each exactly once.
			got := map[string]string{}
			for k, an := range after.Stored {
				got[k] = an.Text
			}
			if len(got) != 2 || got[firstKey(after, 0)] != "Réponse B." || got[firstKey(after, 1)] != "Réponse A." {
				t.Errorf("stored %v; want B then A, once each", got)
			}
		}},
		{name: "flood from one participant", run: func(b *bench, p *parent, _ telegramtest.Message) {
			for i := range 40 {
				p.say(fmt.Sprintf("Réponse en rafale %d.", i))
			}
			p.expect("Relecture")
			if err := b.fake.Wait(waitCtx(b.t), func() bool { return b.fake.PendingUpdates() == 0 }); err != nil {
				b.t.Fatal(err)
			}
			if err := waitOutboxEmpty(waitCtx(b.t), b.a); err != nil {
				b.t.Fatal(err)
			}
			if n := b.fake.TooManyRequests(); n != 0 {
				b.t.Errorf("the fake answered 429 %d times", n)
			}
		}, want: func(t *testing.T, before, after state) {
			// Each theme's last answer brings the next theme's first
			// question (below its review): the 28 questions are
			// answered in order, the rest arrive at the last review.
			keys := inOrder(0)
			if len(after.Stored) != len(keys) {
				t.Fatalf("stored %d answers, want the %d of the questionnaire", len(after.Stored), len(keys))
			}
			for i, k := range keys {
				if an := after.Stored[k]; an.Text != fmt.Sprintf("Réponse en rafale %d.", i) {
					t.Errorf("question %s: stored %q, want message %d", k, an.Text, i)
				}
			}
		}},
		{name: "erasing one's data mid-theme", run: func(b *bench, p *parent, _ telegramtest.Message) {
			if ev, _ := flows.ParseCommand("/effacer"); ev.Command == "effacer" {
				b.t.Skip("the /effacer command does not exist yet")
			}
			p.say("Une réponse à effacer.")
			p.expect("Question 2/5")
			p.say("/effacer")
			p.tap(p.expect("Effacer vos données"), "Oui")
			p.expect("données sont effacées")
		}, want: func(t *testing.T, before, after state) {
			if len(after.Stored) != 0 || len(after.Answers) != 0 {
				t.Errorf("after /effacer: %d answers stored, %d in the session; want none", len(after.Stored), len(after.Answers))
			}
		}},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b.t = t
			defer func() { b.t = nil }()
			p := newParent(t, b.fake, int64(1000+i))
			var q telegramtest.Message
			if !tc.fresh {
				q = p.atQuestion()
			}
			participant := pid(p.u.ID)
			before := b.a.state(participant)
			if before.Exists == tc.fresh {
				t.Fatalf("session of %s before the case: exists %v, want %v", participant, before.Exists, !tc.fresh)
			}
			tc.run(b, p, q)
			after := b.a.state(participant)
			if tc.want != nil {
				tc.want(t, before, after)
			} else if !reflect.DeepEqual(before, after) {
				t.Errorf("store changed:\nbefore %+v\nafter  %+v", before, after)
			}
			for _, an := range after.Stored {
				if !utf8.ValidString(an.Text) {
					t.Errorf("stored text is not valid UTF-8: %q", an.Text)
				}
			}
		})
	}
}

// firstKey is the answer key of theme 1's question i in the session.
// inOrder lists the answer keys of every question of the default
// questionnaire in the order a person answering on meets them, from theme
// start and going round.
func inOrder(start int) []string {
	themes := flows.DefaultQuestionnaire().Themes
	var keys []string
	for k := range themes {
		th := themes[(start+k)%len(themes)]
		for _, q := range th.Questions {
			keys = append(keys, flows.AnswerKey(th.ID, q.ID))
		}
	}
	return keys
}

func firstKey(s state, i int) string {
	q := flows.DefaultQuestionnaire().Themes[0]
	return q.ID + "/" + q.Questions[i].ID
}
