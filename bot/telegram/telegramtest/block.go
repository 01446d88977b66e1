package telegramtest

import "net/http"

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

// refused returns the refusal RefuseNext set for the next message to
// chatID, once; s.mu must be held.
func (s *Server) refused(chatID int64) *apiError {
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
