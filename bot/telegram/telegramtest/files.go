package telegramtest

import (
	"net/http"
	"strconv"
	"strings"
)

// MethodFile names file downloads (/file/bot<token>/<file_path>) in
// Requests and for fault injection: Faults().Always(MethodFile,
// fault.Status500) makes every download fail.
const MethodFile = "file"

// SendVoiceData queues a voice note of the given duration from u whose
// file, once asked for with getFile, downloads as data. It returns the
// update id and the voice's file id.
func (s *Server) SendVoiceData(u User, seconds int, data []byte) (updateID int, fileID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.newFile("voice", len(data))
	f.FilePath += ".oga"
	s.files[f.FileID] = f
	if s.fileData == nil {
		s.fileData = map[string][]byte{}
	}
	s.fileData[f.FilePath] = append([]byte(nil), data...)
	m := s.userMessage(u)
	m.Voice = &wireVoice{FileID: f.FileID, FileUniqueID: f.FileUniqueID, Duration: seconds, MimeType: "audio/ogg", FileSize: f.FileSize}
	return s.push(wireUpdate{Message: m}), f.FileID
}

// serveFile answers a file download, as api.telegram.org/file/bot<token>/<path>
// does: the bytes, or 404 for a path getFile never gave.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, path, ok := strings.Cut(rest, "/")
	if !ok || token != s.opts.Token {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	s.requests[MethodFile]++
	s.notify()
	s.mu.Unlock()
	s.faults.Serve(w, r, MethodFile, false, func(w http.ResponseWriter, status int) {
		writeError(w, status, http.StatusText(status), 0)
	}, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		data, ok := s.fileData[path]
		s.mu.Unlock()
		if !ok {
			writeError(w, http.StatusNotFound, "Not Found", 0)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
	})
}
