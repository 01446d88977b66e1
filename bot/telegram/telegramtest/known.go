package telegramtest

// KnowPrivateChat makes id a private chat the bot may write to, as if its
// person had talked to the bot before this server started: where
// reminders go without any update from them.
func (s *Server) KnowPrivateChat(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.chatTypes[id]; !ok {
		s.chatTypes[id] = "private"
	}
}
