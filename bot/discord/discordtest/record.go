package discordtest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
)

// Request is a REST request the server received with a JSON body, for
// checking the bot's requests against Discord's own description of them.
type Request struct {
	Method string
	// Path is the request's path after the API version, as "/webhooks/…".
	Path string
	// JSON is the body, or a multipart upload's payload_json.
	JSON json.RawMessage
}

// Requests returns the requests received with a JSON body, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// record keeps r's JSON body, leaving the body readable again.
func (s *Server) record(r *http.Request, path string) {
	if r.Body == nil {
		return
	}
	b, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil || len(b) == 0 {
		return
	}
	body := b
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		body = nil
		mr := multipart.NewReader(bytes.NewReader(b), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.FormName() == "payload_json" {
				body, _ = io.ReadAll(p)
				break
			}
		}
	}
	if !json.Valid(body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, JSON: body})
}
