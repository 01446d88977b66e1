package telegram

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// update is a Telegram update with what the SDK drops when it decodes
// one: the first field of its message that the SDK does not know and
// that is neither a newer service message nor a newer detail about the
// message (unknown), so that content of a kind newer than the SDK (a
// story, a giveaway, paid media, a checklist) is answered as unreadable
// rather than taken for a service message and met with silence.
type update struct {
	tgbotapi.Update
	unknown string
}

// UnmarshalJSON decodes the update as the SDK does, then notes its
// message's unknown field.
func (u *update) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &u.Update); err != nil {
		return err
	}
	var raw struct {
		Message map[string]json.RawMessage `json:"message"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	u.unknown = unknownField(raw.Message)
	return nil
}

// newerFields are the fields of a message the Bot API added after the
// SDK's version that say nothing a person said: details about the message
// (its topic, its forward, its quote, its effect…) and service messages
// (a gift, a background set, a topic created, a giveaway's outcome…).
var newerFields = map[string]bool{
	// Details.
	"message_thread_id": true, "sender_boost_count": true, "sender_business_bot": true, "business_connection_id": true,
	"forward_origin": true, "is_topic_message": true, "external_reply": true, "quote": true, "reply_to_story": true,
	"link_preview_options": true, "show_caption_above_media": true, "has_media_spoiler": true, "effect_id": true,
	"is_from_offline": true, "paid_star_count": true, "direct_messages_topic": true, "reply_to_checklist_task_id": true,
	"is_paid_post": true, "suggested_post_info": true, "sender_tag": true, "is_automatic_forward": true,
	// Service messages.
	"write_access_allowed": true, "users_shared": true, "user_shared": true, "chat_shared": true,
	"forum_topic_created": true, "forum_topic_edited": true, "forum_topic_closed": true, "forum_topic_reopened": true,
	"general_forum_topic_hidden": true, "general_forum_topic_unhidden": true, "giveaway_created": true,
	"giveaway_completed": true, "boost_added": true, "chat_background_set": true, "video_chat_scheduled": true,
	"video_chat_started": true, "video_chat_ended": true, "video_chat_participants_invited": true,
	"web_app_data": true, "gift": true, "unique_gift": true, "refunded_payment": true, "checklist_tasks_done": true,
	"checklist_tasks_added": true, "direct_message_price_changed": true, "paid_message_price_changed": true,
	"suggested_post_approved": true, "suggested_post_approval_failed": true, "suggested_post_declined": true,
	"suggested_post_paid": true, "suggested_post_refunded": true, "chat_owner_left": true, "chat_owner_changed": true,
	"gift_upgrade_sent": true,
}

var (
	sdkFieldsOnce sync.Once
	sdkFields     map[string]bool
)

// knownField reports whether the SDK decodes the message field name, by
// the JSON names of tgbotapi.Message's fields.
func knownField(name string) bool {
	sdkFieldsOnce.Do(func() {
		sdkFields = map[string]bool{}
		t := reflect.TypeFor[tgbotapi.Message]()
		for i := range t.NumField() {
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if tag != "" && tag != "-" {
				sdkFields[tag] = true
			}
		}
	})
	return sdkFields[name]
}

// unknownField returns the first field of msg, in name order, that
// neither the SDK nor newerFields knows; "" when none.
func unknownField(msg map[string]json.RawMessage) string {
	first := ""
	for k := range msg {
		if !knownField(k) && !newerFields[k] && (first == "" || k < first) {
			first = k
		}
	}
	return first
}
