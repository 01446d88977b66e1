package organiser

import (
	"bufio"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"consultbot/flows"
	"consultbot/storage"
)

// Export formats.
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
)

// PseudonymKeyEnv names the environment variable holding the export's
// pseudonym key.
const PseudonymKeyEnv = "CONSULTBOT_PSEUDONYM_KEY"

// MinPseudonymKey is the shortest key accepted, in bytes: a short key
// could be brute-forced, and then every pseudonym reversed by hashing
// candidate participant ids.
const MinPseudonymKey = 16

// ExportColumns are the export's columns, in order (CSV header, JSON keys).
var ExportColumns = []string{
	"answer_id", "participant", "channel", "profile", "academie", "source", "lang",
	"theme_id", "theme_title", "question_id", "question_text",
	"answer_kind", "answer", "hidden", "created_at", "updated_at",
	"transcribed", "audio_file", "audio_status",
	// Added since: new columns go last, so that scripts reading the
	// columns by position keep working.
	"question_title", "profile_label", "academie_label", "question_text_seen",
	"theme_validated",
}

// Row is one exported answer.
type Row struct {
	AnswerID    uint64 `json:"answer_id"`
	Participant string `json:"participant"`
	Channel     string `json:"channel"`
	// Profile and Academie are stable codes ("parent", "aix-marseille"),
	// as theme_id and question_id are; ProfileLabel and AcademieLabel
	// are their readable names.
	Profile  string `json:"profile"`
	Academie string `json:"academie"`
	Source   string `json:"source"`
	// Lang is the language the participant answered in: "fr" or "en"
	// (empty for answers stored before the bot kept it).
	Lang         string `json:"lang"`
	ThemeID      string `json:"theme_id"`
	ThemeTitle   string `json:"theme_title"`
	QuestionID   string `json:"question_id"`
	QuestionText string `json:"question_text"`
	// AnswerKind is "text", "choice" (Answer is the option's stable code,
	// its id in the questionnaire, as profile and academie are codes: the
	// same whatever the language of the buttons) or "voice" (Answer is
	// the transcript the participant confirmed, or else the platform's
	// file reference and duration).
	AnswerKind string `json:"answer_kind"`
	Answer     string `json:"answer"`
	Hidden     bool   `json:"hidden"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
	// Transcribed marks a voice answer whose Answer is its confirmed
	// transcript. AudioFile names its recording in the export's voice
	// directory (empty when not copied); AudioStatus says what became of
	// it ("kept", "failed: reason (time)", "deleted: …", "expired: …").
	Transcribed bool   `json:"transcribed"`
	AudioFile   string `json:"audio_file"`
	AudioStatus string `json:"audio_status"`
	// QuestionTitle is the question's short title in French, the one
	// digests name it by (« Équipement et accès gratuit »).
	QuestionTitle string `json:"question_title"`
	// ProfileLabel is the profile's French label (« Enseignant ou
	// enseignante »); AcademieLabel the académie's name (« Aix-Marseille »),
	// which is also the one stored when it is no known académie's, then
	// with no code in Academie.
	ProfileLabel  string `json:"profile_label"`
	AcademieLabel string `json:"academie_label"`
	// QuestionTextSeen is the question as the participant read it: its
	// wording in Lang (QuestionText is the French one), French when Lang
	// is empty or the questionnaire has no wording in that language.
	QuestionTextSeen string `json:"question_text_seen"`
	// ThemeValidated is true when the participant validated the answer's
	// theme (« Valider » at its review), as read when the export started.
	ThemeValidated bool `json:"theme_validated"`
}

// Audio is what an export row says of a voice answer's recording.
type Audio struct {
	File   string // in the export's voice directory; empty: not copied
	Status string
}

func (r Row) fields() []string {
	return []string{
		strconv.FormatUint(r.AnswerID, 10), r.Participant, r.Channel, r.Profile, r.Academie, r.Source, r.Lang,
		r.ThemeID, r.ThemeTitle, r.QuestionID, r.QuestionText,
		r.AnswerKind, r.Answer, strconv.FormatBool(r.Hidden), r.CreatedAt, r.UpdatedAt,
		strconv.FormatBool(r.Transcribed), r.AudioFile, r.AudioStatus,
		r.QuestionTitle, r.ProfileLabel, r.AcademieLabel, r.QuestionTextSeen,
		strconv.FormatBool(r.ThemeValidated),
	}
}

// Pseudonymizer turns participant ids into pseudonyms: "p-" and the first
// 128 bits of HMAC-SHA256(key, participant id), in hex. The same
// participant always gets the same pseudonym with the same key; without
// the key a pseudonym cannot be reversed nor checked against a guessed id.
type Pseudonymizer struct{ key []byte }

// NewPseudonymizer returns a Pseudonymizer, or an error when the key is
// missing or shorter than MinPseudonymKey bytes.
func NewPseudonymizer(key []byte) (*Pseudonymizer, error) {
	if len(key) == 0 {
		return nil, fmt.Errorf("%s is not set: the export needs a secret key to pseudonymise participants (for example: export %s=$(openssl rand -hex 32), and keep it to get the same pseudonyms next time)", PseudonymKeyEnv, PseudonymKeyEnv)
	}
	if len(key) < MinPseudonymKey {
		return nil, fmt.Errorf("%s is too short (%d bytes): use at least %d random bytes, for example $(openssl rand -hex 32)", PseudonymKeyEnv, len(key), MinPseudonymKey)
	}
	return &Pseudonymizer{key: append([]byte(nil), key...)}, nil
}

// Pseudonym returns participant's pseudonym.
func (p *Pseudonymizer) Pseudonym(participant string) string {
	mac := hmac.New(sha256.New, p.key)
	mac.Write([]byte(participant))
	return "p-" + hex.EncodeToString(mac.Sum(nil)[:16])
}

// ExportOptions configure Export.
type ExportOptions struct {
	// Format is FormatCSV or FormatJSONL.
	Format string
	// Separator is the CSV field separator; ';' when zero, which a
	// spreadsheet in a French locale expects.
	Separator rune
	// Pseudonyms pseudonymises participant ids; required.
	Pseudonyms *Pseudonymizer
	// Until leaves out the answers created at or after it; see Export.
	// Zero means no bound.
	Until time.Time
	// Raw writes CSV cells exactly as stored, for data tools. By default a
	// cell that a spreadsheet would run as a formula is defused (see
	// SafeCell). JSONL is always as stored.
	Raw bool
	// Audio says, by answer id, what became of voice answers' recordings
	// (see Audio); nil leaves the audio columns empty.
	Audio map[uint64]Audio
	// Location is the consultation's time zone ([digest] time_zone), the
	// one digests speak: created_at and updated_at are written in it, with
	// their offset (see ExportTime). Nil writes them in UTC.
	Location *time.Location
}

// ExportTime writes t as every time of an export is written: RFC 3339 in
// loc, the consultation's time zone, with its offset
// ("2026-12-01T18:00:00+01:00"), so that an analyst's tool reads the
// same instant and a person reads the organisers' clock. A nil loc is UTC
// ("…Z").
func ExportTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.RFC3339)
}

// SafeCell returns s with a leading apostrophe when it starts with one of
// the characters that make a spreadsheet read a cell as a formula (=, +,
// -, @, tab, carriage return), as OWASP's CSV injection guidance says: an
// answer such as =HYPERLINK("http://…") would otherwise run on the
// organiser's machine when the export is opened. The spreadsheet shows the
// text as typed, without the apostrophe.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Export writes one row per stored answer to w, in the order the answers
// were given (created_at, then answer_id: the order an analyst reads a
// consultation in, and the one in which each person's answers follow
// their path through the themes), and returns how many it wrote. CSV is UTF-8 with a byte
// order mark and CRLF line ends, quoted where a field holds the separator,
// a quote or a line break, so that a spreadsheet opens it with no import
// dialog, and cells that would run as formulas are defused unless
// opts.Raw; JSONL is one JSON object per line, as stored.
//
// What "consistent" means here: the store is read in chunks of short read
// transactions (storage.ForEachAnswer), never one long transaction that
// would stall the bot's writers when the file grows (bbolt issue 854).
// Chunks see the store at slightly different moments, so Export fixes the
// snapshot by time instead: answers created at or after opts.Until (the
// export's start, as the command line sets it) are left out, and the
// hidden flags are those at the start. An answer edited while the export
// runs is exported with its latest text and updated_at; no answer is seen
// twice or skipped, since the time index is read in order and an edit
// keeps an answer's creation time, hence its place. From the command line the bot is stopped anyway (see
// storage.OpenReadOnly), so the file does not change at all.
func Export(ctx context.Context, db *storage.DB, q *flows.Questionnaire, w io.Writer, opts ExportOptions) (int, error) {
	if opts.Pseudonyms == nil {
		return 0, errors.New("export: no pseudonym key")
	}
	if opts.Separator == 0 {
		opts.Separator = ';'
	}
	if q == nil {
		q = flows.DefaultQuestionnaire()
	}
	hidden, err := db.HiddenAnswers()
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var write func(Row) error
	switch opts.Format {
	case FormatCSV:
		// The BOM tells spreadsheets the file is UTF-8, so accents show.
		if _, err := bw.WriteString("\ufeff"); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		cw := csv.NewWriter(bw)
		cw.Comma = opts.Separator
		cw.UseCRLF = true
		if err := cw.Write(ExportColumns); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		write = func(r Row) error {
			fields := r.fields()
			if !opts.Raw {
				for i, f := range fields {
					fields[i] = SafeCell(f)
				}
			}
			if err := cw.Write(fields); err != nil {
				return err
			}
			// Flushing the csv writer into the bufio one is cheap; it
			// surfaces write errors early.
			cw.Flush()
			return cw.Error()
		}
	case FormatJSONL:
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		write = func(r Row) error { return enc.Encode(r) }
	default:
		return 0, fmt.Errorf("export: unknown format %q (csv or jsonl)", opts.Format)
	}

	themeBit := map[string]uint64{}
	for i, th := range q.Themes[:min(len(q.Themes), 64)] {
		themeBit[th.ID] = 1 << i
	}
	validated, err := validatedThemes(ctx, db, themeBit)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	n := 0
	err = db.ForEachAnswerByTime(ctx, opts.Until, func(a storage.Answer) error {
		n++
		r := exportRow(q, a, hidden[a.ID], opts.Pseudonyms, opts.Location)
		r.ThemeValidated = validated[a.Participant]&themeBit[a.Theme] != 0
		if au, ok := opts.Audio[a.ID]; ok && a.Voice != nil {
			r.AudioFile, r.AudioStatus = au.File, au.Status
		}
		return write(r)
	})
	if err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}

// validatedThemes reads, per participant, the themes they validated, as
// the sum of their bits in themeBit.
func validatedThemes(ctx context.Context, db *storage.DB, themeBit map[string]uint64) (map[string]uint64, error) {
	validated := map[string]uint64{}
	err := db.ForEachProgress(ctx, func(p storage.Progress) error {
		for id, tp := range p.Themes {
			if tp.Confirmed {
				validated[p.Participant] |= themeBit[id]
			}
		}
		return nil
	})
	return validated, err
}

func exportRow(q *flows.Questionnaire, a storage.Answer, hidden bool, p *Pseudonymizer, loc *time.Location) Row {
	r := Row{
		AnswerID:      a.ID,
		Participant:   p.Pseudonym(a.Participant),
		Channel:       a.Channel,
		Profile:       a.Profile,
		Academie:      flows.AcademieCode(a.Academie),
		AcademieLabel: a.Academie,
		Source:        a.Source,
		Lang:          a.Lang,
		ThemeID:       a.Theme,
		QuestionID:    a.Question,
		Hidden:        hidden,
		CreatedAt:     ExportTime(a.CreatedAt, loc),
		UpdatedAt:     ExportTime(a.UpdatedAt, loc),
	}
	if p := q.Profile(a.Profile); p != nil {
		r.ProfileLabel = p.Label.In(flows.LangFR)
	}
	if th := q.Theme(a.Theme); th != nil {
		r.ThemeTitle = th.Title.In(flows.LangFR)
	}
	qu := q.Question(a.Theme, a.Question)
	if qu != nil {
		r.QuestionText = qu.Prompt.In(flows.LangFR)
		r.QuestionTitle = qu.Title.In(flows.LangFR)
		r.QuestionTextSeen = qu.Prompt.In(cmp.Or(a.Lang, flows.LangFR))
	}
	switch {
	case a.Voice != nil && a.Text != "":
		r.AnswerKind, r.Answer, r.Transcribed = "voice", a.Text, true
	case a.Voice != nil:
		r.AnswerKind = "voice"
		r.Answer = fmt.Sprintf("voice:%s (%d s)", a.Voice.FileID, a.Voice.Duration)
	case a.Choice != "":
		r.AnswerKind, r.Answer = "choice", a.Choice
	default:
		r.AnswerKind = "text"
		r.Answer = a.Text
	}
	return r
}
