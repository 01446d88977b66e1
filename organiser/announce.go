package organiser

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"consultbot/storage"
	"consultbot/text"
)

// MaxAnnouncement bounds an announcement's text in characters, so that it
// fits one Discord message (2000) with its heading and footer.
const MaxAnnouncement = 1500

// announce records a draft and says how many people would get it and how
// to send it: the confirmation step.
func (s *Service) announce(ctx context.Context, body, lang string) (Result, error) {
	t := text.For(lang)
	if n := utf8.RuneCountInString(body); n > MaxAnnouncement {
		return Result{Text: fmt.Sprintf(t.Organiser.Announce.TooLong, n, MaxAnnouncement)}, nil
	}
	id, n, err := s.db.DraftAnnouncement(ctx, body, s.opts.Now())
	if err != nil {
		return Result{}, err
	}
	send, _ := specOf(CmdAnnounceSend)
	a := t.Organiser.Announce
	if n == 0 {
		return Result{Text: fmt.Sprintf(a.DraftNobody, body, send.Name(lang), id)}, nil
	}
	return Result{Text: fmt.Sprintf(a.Draft, n, t.Count(n, a.Person), body, send.Name(lang), id)}, nil
}

// sendAnnouncement confirms draft id through the engine, whose
// low-priority lane starts taking it from the store at once.
func (s *Service) sendAnnouncement(ctx context.Context, id uint64, lang string) (Result, error) {
	t := text.For(lang)
	a := t.Organiser.Announce
	var n int
	confirm := func(ctx context.Context) (err error) {
		n, err = s.db.SendAnnouncement(ctx, id, s.opts.Now())
		return err
	}
	var err error
	if s.opts.Outbox != nil {
		err = s.opts.Outbox.StartCampaign(ctx, confirm)
	} else {
		err = confirm(ctx) // no engine: a lane, if any, finds it at its next poll
	}
	switch {
	case errors.Is(err, storage.ErrNoAnnouncement):
		return Result{Text: fmt.Sprintf(a.Unknown, id)}, nil
	case errors.Is(err, storage.ErrAnnouncementSent):
		return Result{Text: fmt.Sprintf(a.Already, id)}, nil
	case err != nil:
		return Result{}, err
	}
	s.log.Info("announcement confirmed", "announcement", id, "recipients", n)
	if n == 0 {
		return Result{Text: fmt.Sprintf(a.QueuedNobody, id)}, nil
	}
	return Result{Text: fmt.Sprintf(a.Queued, id, n, t.Count(n, a.Person))}, nil
}
