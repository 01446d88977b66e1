package discordtest

import "net/http"

var errCannotMessageUser = &apiError{status: http.StatusForbidden, code: 50007, message: "Cannot send messages to this user"}

// CloseDMs makes u refuse direct messages from the bot (privacy settings,
// or the bot blocked), as Discord answers then: opening or writing to
// their DM channel fails with code 50007 "Cannot send messages to this
// user". Interaction follow-ups still reach them while the token lives.
func (s *Server) CloseDMs(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closedDMs == nil {
		s.closedDMs = map[string]bool{}
	}
	s.closedDMs[u.ID] = true
}

// NewGuild returns a text channel in a guild other than the default one,
// where the bot was invited but not configured to serve. Commands left
// registered globally (by an earlier deployment without guild_ids) can
// still be run there: see RegisterGlobalCommand.
func (s *Server) NewGuild() Place {
	g, c := s.newID(), s.newID()
	return Place{GuildID: g, ChannelID: c}
}

// RegisterGlobalCommand registers a bare global command, as an earlier
// deployment may have left behind, so that it can be run in any guild.
func (s *Server) RegisterGlobalCommand(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[""] = append(s.commands[""], Command{ID: s.newID(), Name: name, Description: name})
}
