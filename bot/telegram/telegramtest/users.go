package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// push queues a new update and returns its id; s.mu must be held. An
// update of a type the bot did not ask for gets an id but is never
// delivered, as Telegram does not send it.
func (s *Server) push(u wireUpdate) int {
	s.nextUpdate++
	u.UpdateID = s.nextUpdate
	if len(s.allowed) > 0 && !s.allowed[u.typeOf()] {
		return u.UpdateID
	}
	s.all[u.UpdateID] = u
	s.pending = append(s.pending, pendingUpdate{u: u})
	s.notify()
	return u.UpdateID
}

// userMessage builds a message from u in its private chat; s.mu must be held.
func (s *Server) userMessage(u User) *wireMessage {
	if _, ok := s.chatTypes[u.ID]; !ok {
		s.chatTypes[u.ID] = "private"
	}
	return &wireMessage{
		MessageID: s.newUserMessageID(u.ID),
		From:      ptr(u.wire()),
		Date:      time.Now().Unix(),
		Chat:      s.wireChat(u.ID),
	}
}

func ptr[T any](v T) *T { return &v }

// commandEntities marks a leading /command as Telegram does.
func commandEntities(text string) []wireEntity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	word, _, _ := strings.Cut(text, " ")
	word, _, _ = strings.Cut(word, "\n")
	return []wireEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(word)}}
}

// SendContent queues a message from u in its private chat carrying
// fields, by their Bot API names, as Telegram sends a kind of message
// this fake does not model (a story: "story":{"chat":…,"id":…}; a
// giveaway, paid media, a checklist…), and returns the update id.
func (s *Server) SendContent(u User, fields map[string]json.RawMessage) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.userMessage(u)
	m.Other = fields
	return s.push(wireUpdate{Message: m})
}

// SendText queues a text message from u in its private chat and returns the
// update id. A leading "/word" is marked as a bot command, as Telegram does.
func (s *Server) SendText(u User, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.userMessage(u)
	m.Text = text
	m.Entities = commandEntities(text)
	return s.push(wireUpdate{Message: m})
}

// SendCommand queues a command such as "/start t2" from u; it is SendText
// with a command, named for readability.
func (s *Server) SendCommand(u User, command string) int {
	return s.SendText(u, command)
}

// EditText queues an edited_message update, as when u edits a message it
// sent earlier.
func (s *Server) EditText(u User, messageID int, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.userMessage(u)
	m.MessageID = messageID
	m.Text = text
	m.EditDate = time.Now().Unix()
	return s.push(wireUpdate{EditedMessage: m})
}

// EditCaption queues an edited_message update, as when u changes the
// caption of a photo it sent earlier: the message comes with its photo
// and its new caption.
func (s *Server) EditCaption(u User, messageID int, caption string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.newFile("photos", 54000)
	m := s.userMessage(u)
	m.MessageID = messageID
	m.Photo = []wirePhotoSize{{FileID: f.FileID, FileUniqueID: f.FileUniqueID, Width: 800, Height: 600, FileSize: f.FileSize}}
	m.Caption = caption
	m.EditDate = time.Now().Unix()
	return s.push(wireUpdate{EditedMessage: m})
}

func (s *Server) newFile(prefix string, size int) wireFile {
	s.nextFile++
	id := fmt.Sprintf("%s-%d", prefix, s.nextFile)
	f := wireFile{FileID: id, FileUniqueID: "u" + id, FileSize: size, FilePath: prefix + "/file_" + strconv.Itoa(s.nextFile)}
	s.files[id] = f
	return f
}

// SendVoice queues a voice note of the given duration from u and returns
// the update id and the voice's file id.
func (s *Server) SendVoice(u User, seconds int) (updateID int, fileID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.newFile("voice", 1000*seconds+100)
	m := s.userMessage(u)
	m.Voice = &wireVoice{FileID: f.FileID, FileUniqueID: f.FileUniqueID, Duration: seconds, MimeType: "audio/ogg", FileSize: f.FileSize}
	return s.push(wireUpdate{Message: m}), f.FileID
}

// SendPhoto queues a photo (two sizes, with an optional caption) from u.
func (s *Server) SendPhoto(u User, caption string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	small, large := s.newFile("photos", 1200), s.newFile("photos", 54000)
	m := s.userMessage(u)
	m.Photo = []wirePhotoSize{
		{FileID: small.FileID, FileUniqueID: small.FileUniqueID, Width: 90, Height: 67, FileSize: small.FileSize},
		{FileID: large.FileID, FileUniqueID: large.FileUniqueID, Width: 800, Height: 600, FileSize: large.FileSize},
	}
	m.Caption = caption
	return s.push(wireUpdate{Message: m})
}

// SendSticker queues a sticker from u.
func (s *Server) SendSticker(u User) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.newFile("stickers", 20000)
	m := s.userMessage(u)
	m.Sticker = &wireSticker{FileID: f.FileID, FileUniqueID: f.FileUniqueID, Width: 512, Height: 512, Emoji: "👍"}
	return s.push(wireUpdate{Message: m})
}

// SendDocument queues a document named name from u.
func (s *Server) SendDocument(u User, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.newFile("documents", 4000)
	m := s.userMessage(u)
	m.Document = &wireDocument{FileID: f.FileID, FileUniqueID: f.FileUniqueID, FileName: name, MimeType: "application/pdf", FileSize: f.FileSize}
	return s.push(wireUpdate{Message: m})
}

// GroupMessage queues a text message from u in group g.
func (s *Server) GroupMessage(g Group, u User, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	typ := s.joinLocked(g)
	title := g.Title
	if title == "" {
		title = "Group " + strconv.FormatInt(-g.ID, 10)
	}
	ents := commandEntities(text)
	if i := strings.Index(text, "@"+s.opts.BotUsername); i >= 0 && len(ents) == 0 {
		ents = []wireEntity{{Type: "mention", Offset: utf16Len(text[:i]), Length: utf16Len(s.opts.BotUsername) + 1}}
	}
	return s.push(wireUpdate{Message: &wireMessage{
		MessageID: s.newUserMessageID(g.ID),
		From:      ptr(u.wire()),
		Date:      time.Now().Unix(),
		Chat:      wireChat{ID: g.ID, Type: typ, Title: title},
		Text:      text,
		Entities:  ents,
	}})
}

// JoinGroup adds the bot to g without anyone writing there, so that the
// bot can post to it (a chat Telegram does not know is refused).
func (s *Server) JoinGroup(g Group) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.joinLocked(g)
}

// joinLocked makes g a chat the bot is in, a supergroup unless g says
// otherwise, and returns its type; s.mu must be held.
func (s *Server) joinLocked(g Group) string {
	typ := g.Type
	if typ == "" {
		typ = "supergroup"
	}
	s.chatTypes[g.ID] = typ
	return typ
}

// TapButton queues the callback query Telegram sends when u taps the
// button labelled label on msg (as the bot last left it). It returns the
// update id and the callback query id, or an error when msg has no such
// button now.
func (s *Server) TapButton(u User, msg Message, label string) (updateID int, queryID string, err error) {
	s.mu.Lock()
	cur := s.findByID(msg.ChatID, msg.ID)
	s.mu.Unlock()
	if cur == nil {
		return 0, "", fmt.Errorf("telegramtest: no message %d in chat %d", msg.ID, msg.ChatID)
	}
	for _, row := range cur.Keyboard {
		for _, b := range row {
			if b.Text == label && b.CallbackData != "" {
				id, q := s.TapData(u, msg, b.CallbackData)
				return id, q, nil
			}
		}
	}
	return 0, "", fmt.Errorf("telegramtest: message %d in chat %d has no button %q (has %q)", msg.ID, msg.ChatID, label, cur.Labels())
}

// TapData queues a callback query from u on msg carrying data, whether or
// not msg has such a button: a forged or stale tap. It returns the update
// id and the callback query id.
func (s *Server) TapData(u User, msg Message, data string) (updateID int, queryID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextCB++
	qid := strconv.FormatInt(u.ID, 10) + "-" + strconv.Itoa(s.nextCB)
	s.callbacks[qid] = &callbackState{}
	var wm *wireMessage
	if cur := s.findByID(msg.ChatID, msg.ID); cur != nil {
		wm = s.wireOf(cur)
	} else {
		wm = &wireMessage{MessageID: msg.ID, Date: time.Now().Unix(), Chat: s.wireChat(msg.ChatID)}
	}
	return s.push(wireUpdate{CallbackQuery: &wireCallbackQuery{
		ID:           qid,
		From:         u.wire(),
		Message:      wm,
		ChatInstance: "ci" + strconv.FormatInt(msg.ChatID, 10),
		Data:         data,
	}}), qid
}

func (s *Server) findByID(chatID int64, id int) *Message {
	for _, m := range s.sent[chatID] {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Redeliver queues update id again, with the same update_id, as Telegram
// does when it did not see the confirmation: the next getUpdates returns
// it whatever the offset.
func (s *Server) Redeliver(updateID int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.all[updateID]
	if !ok {
		return fmt.Errorf("telegramtest: no update %d", updateID)
	}
	s.pending = append(s.pending, pendingUpdate{u: u, redelivered: true})
	s.notify()
	return nil
}

// PostWebhook delivers the pending updates in order to url, as Telegram
// does in webhook mode, with secret in the X-Telegram-Bot-Api-Secret-Token
// header when it is not empty. An update answered 2xx is confirmed; the
// first other answer stops the delivery and leaves it pending, as Telegram
// retries it. It returns the HTTP status of every post.
func (s *Server) PostWebhook(ctx context.Context, url, secret string) ([]int, error) {
	var statuses []int
	for {
		id, status, err := s.PostNext(ctx, url, secret)
		if err != nil || id == 0 {
			return statuses, err
		}
		statuses = append(statuses, status)
		if status/100 != 2 {
			return statuses, nil
		}
	}
}

// PostNext posts the oldest pending update to url, as PostWebhook does
// with each: confirmed when answered 2xx, left pending otherwise. Posting
// each update to the next of several URLs in turn is what a load balancer
// in front of several replicas does. It returns the update's id (0 when
// none is pending) and the HTTP status.
func (s *Server) PostNext(ctx context.Context, url, secret string) (updateID, status int, err error) {
	s.mu.Lock()
	if len(s.pending) == 0 {
		s.mu.Unlock()
		return 0, 0, nil
	}
	u := s.pending[0].u
	s.mu.Unlock()
	status, err = s.post(ctx, url, secret, u)
	if err != nil || status/100 != 2 {
		return u.UpdateID, status, err
	}
	s.mu.Lock()
	if len(s.pending) > 0 && s.pending[0].u.UpdateID == u.UpdateID {
		s.pending = s.pending[1:]
	}
	s.notify()
	s.mu.Unlock()
	return u.UpdateID, status, nil
}

// PostUpdate posts update id to url, whether pending or not, and confirms
// nothing: what Telegram does when it gave up waiting for the answer to an
// earlier post of it, possibly to another replica, or posts it twice at
// once. It returns the HTTP status.
func (s *Server) PostUpdate(ctx context.Context, url, secret string, updateID int) (int, error) {
	s.mu.Lock()
	u, ok := s.all[updateID]
	s.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("telegramtest: no update %d", updateID)
	}
	return s.post(ctx, url, secret, u)
}

// post sends u to the webhook at url and returns the HTTP status.
func (s *Server) post(ctx context.Context, url, secret string, u wireUpdate) (int, error) {
	body, err := json.Marshal(u)
	if err != nil {
		return 0, fmt.Errorf("telegramtest: encode update: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("telegramtest: webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("telegramtest: post webhook: %w", err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// PushWebhook delivers the pending updates until ctx ends, as Telegram
// does in webhook mode with conns connections behind a load balancer:
// each update is posted to the next of urls in turn; one chat's updates
// go one at a time, in order; an update not answered 2xx (or not
// answered: a replica down) stays pending and is posted again shortly,
// to the next URL. It returns once ctx ends and every post has returned.
func (s *Server) PushWebhook(ctx context.Context, urls []string, secret string, conns int) {
	var turn atomic.Int64
	inflight := map[int]bool{}
	var wg sync.WaitGroup
	for range max(conns, 1) {
		wg.Go(func() {
			for ctx.Err() == nil {
				u, wake, ok := s.claim(inflight)
				if !ok {
					select {
					case <-wake:
					case <-ctx.Done():
					}
					continue
				}
				url := urls[int(turn.Add(1)-1)%len(urls)]
				status, err := s.post(ctx, url, secret, u)
				confirmed := err == nil && status/100 == 2
				s.mu.Lock()
				delete(inflight, u.UpdateID)
				if confirmed {
					if i := slices.IndexFunc(s.pending, func(p pendingUpdate) bool { return p.u.UpdateID == u.UpdateID }); i >= 0 {
						s.pending = slices.Delete(s.pending, i, i+1)
					}
				}
				s.notify()
				s.mu.Unlock()
				if !confirmed {
					select {
					case <-time.After(20 * time.Millisecond):
					case <-ctx.Done():
					}
				}
			}
		})
	}
	wg.Wait()
}

// claim takes the oldest pending update whose chat has no earlier update
// pending or in flight, marking it in flight; otherwise it returns a
// channel closed at the next change.
func (s *Server) claim(inflight map[int]bool) (wireUpdate, <-chan struct{}, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	busy := map[int64]bool{}
	for _, p := range s.pending {
		chat := chatOfUpdate(p.u)
		switch {
		case busy[chat]:
		case inflight[p.u.UpdateID]:
			busy[chat] = true
		default:
			inflight[p.u.UpdateID] = true
			return p.u, nil, true
		}
	}
	return wireUpdate{}, s.changed, false
}

// chatOfUpdate is the chat an update comes from.
func chatOfUpdate(u wireUpdate) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	}
	return 0
}
