package discordtest

import (
	"net/http"
	"strconv"
	"strings"
)

// attachmentsPath is where the fake serves what users attach, as
// cdn.discordapp.com/attachments/<channel>/<attachment>/<filename> does.
const attachmentsPath = "/attachments/"

// RouteAttachment names downloads of attachments for fault injection
// (Faults().Always(RouteAttachment, fault.Status500)) and Fetches.
const RouteAttachment = "GET attachment"

// addAttachment registers f's data under its URL and returns the URL.
func (s *Server) addAttachment(channelID, id string, f Attachment) string {
	path := attachmentsPath + channelID + "/" + id + "/" + f.Filename
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attachments == nil {
		s.attachments = map[string][]byte{}
	}
	s.attachments[path] = append([]byte(nil), f.Data...)
	u := s.URL + path + "?ex=67a1b2c3&is=67a06143&hm=0123456789abcdef&"
	if s.lastAttached == nil {
		s.lastAttached = map[string]string{}
	}
	s.lastAttached[channelID] = u
	return u
}

// LastAttachmentURL is the URL of the last file userID attached to a
// direct message.
func (s *Server) LastAttachmentURL(userID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.lastAttached[s.dmByUser[userID]]
	return u, ok
}

// Fetches counts the downloads of attachments so far.
func (s *Server) Fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.fetches++
	s.mu.Unlock()
	s.faults.Serve(w, r, RouteAttachment, false, func(w http.ResponseWriter, status int) {
		http.Error(w, http.StatusText(status), status)
	}, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		data, ok := s.attachments[r.URL.Path]
		s.mu.Unlock()
		if !ok || r.Method != http.MethodGet || !strings.HasPrefix(r.URL.RawQuery, "ex=") {
			http.Error(w, "Not Found", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "audio/ogg")
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
	})
}
