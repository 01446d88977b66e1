package telegramtest

import "encoding/json"

// The JSON shapes of the Bot API objects the fake produces. They are the
// fake's own so that it sends exactly what Telegram sends (optional fields
// absent, never null).

type wireUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

type wireChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

type wireEntity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
	URL    string `json:"url,omitempty"`
}

type wireButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

type wireKeyboard struct {
	InlineKeyboard [][]wireButton `json:"inline_keyboard"`
}

type wireFile struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int    `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

type wireVoice struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Duration     int    `json:"duration"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wirePhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wireSticker struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	IsAnimated   bool   `json:"is_animated"`
	Emoji        string `json:"emoji,omitempty"`
}

type wireDocument struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wireMessage struct {
	MessageID   int             `json:"message_id"`
	From        *wireUser       `json:"from,omitempty"`
	Date        int64           `json:"date"`
	Chat        wireChat        `json:"chat"`
	EditDate    int64           `json:"edit_date,omitempty"`
	Text        string          `json:"text,omitempty"`
	Entities    []wireEntity    `json:"entities,omitempty"`
	Voice       *wireVoice      `json:"voice,omitempty"`
	Photo       []wirePhotoSize `json:"photo,omitempty"`
	Sticker     *wireSticker    `json:"sticker,omitempty"`
	Document    *wireDocument   `json:"document,omitempty"`
	Caption     string          `json:"caption,omitempty"`
	ReplyMarkup *wireKeyboard   `json:"reply_markup,omitempty"`
	// Other holds fields of kinds this fake does not model, by their
	// Bot API name, sent as given (a story, a giveaway, paid media…).
	Other map[string]json.RawMessage `json:"-"`
}

// MarshalJSON writes the message's fields, then Other's.
func (m wireMessage) MarshalJSON() ([]byte, error) {
	type plain wireMessage
	b, err := json.Marshal(plain(m))
	if err != nil || len(m.Other) == 0 {
		return b, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	for k, v := range m.Other {
		all[k] = v
	}
	return json.Marshal(all)
}

type wireCallbackQuery struct {
	ID           string       `json:"id"`
	From         wireUser     `json:"from"`
	Message      *wireMessage `json:"message,omitempty"`
	ChatInstance string       `json:"chat_instance"`
	Data         string       `json:"data,omitempty"`
}

type wireUpdate struct {
	UpdateID      int                `json:"update_id"`
	Message       *wireMessage       `json:"message,omitempty"`
	EditedMessage *wireMessage       `json:"edited_message,omitempty"`
	CallbackQuery *wireCallbackQuery `json:"callback_query,omitempty"`
}

type wireBotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

type wireResponseParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

type wireResponse struct {
	OK          bool                    `json:"ok"`
	Result      any                     `json:"result,omitempty"`
	ErrorCode   int                     `json:"error_code,omitempty"`
	Description string                  `json:"description,omitempty"`
	Parameters  *wireResponseParameters `json:"parameters,omitempty"`
}
