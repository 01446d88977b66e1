package telegramtest

import (
	"net/http"
	"strings"
)

// Block makes u block the bot, as a person does from their chat: from then
// on every message to u's private chat is refused with Telegram's 403
// "Forbidden: bot was blocked by the user".
func (s *Server) Block(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked == nil {
		s.blocked = map[int64]bool{}
	}
	s.blocked[u.ID] = true
}

// RefuseNext makes Telegram refuse the next text message (sendMessage) to
// chatID with code and description, as it refuses one message and takes
// the next: 429 with retryAfter seconds (counted by TooManyRequests), 500,
// or a 400 about that message alone. Nothing is recorded for the refused
// message.
func (s *Server) RefuseNext(chatID int64, code int, desc string, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse == nil {
		s.refuse = map[int64]*apiError{}
	}
	s.refuse[chatID] = &apiError{code: code, desc: desc, retryAfter: retryAfter}
}

// RefuseText makes Telegram refuse every text message to chatID whose
// visible text contains part, with code and description, until stop is
// called: a fault on Telegram's side that keeps failing one message (500
// after 500) while the chat's other messages go. Nothing is recorded for
// a refused message.
func (s *Server) RefuseText(chatID int64, part string, code int, desc string) (stop func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuseText == nil {
		s.refuseText = map[int64]textRefusal{}
	}
	s.refuseText[chatID] = textRefusal{part: part, err: &apiError{code: code, desc: desc}}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.refuseText, chatID)
	}
}

// textRefusal is what RefuseText set for one chat.
type textRefusal struct {
	part string
	err  *apiError
}

// refused returns the refusal RefuseText set for a message to chatID
// showing text, else the one RefuseNext set for the next message, once;
// s.mu must be held.
func (s *Server) refused(chatID int64, text string) *apiError {
	if r, ok := s.refuseText[chatID]; ok && strings.Contains(text, r.part) {
		return r.err
	}
	e := s.refuse[chatID]
	if e == nil {
		return nil
	}
	delete(s.refuse, chatID)
	if e.code == http.StatusTooManyRequests {
		s.count429++
	}
	return e
}
