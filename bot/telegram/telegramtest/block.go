package telegramtest

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
