package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// pseudonymBytes is how much of the HMAC a participant id keeps: 128 bits,
// far beyond any collision among the people of one consultation.
const pseudonymBytes = 16

// ParticipantID is the one place that turns a platform's user id into a
// participant id: channel + ":" + the first 128 bits of
// HMAC-SHA256(key, channel + ":" + platformID), base64url without padding
// (22 characters, never a "/", so storage keys stay prefix-scannable).
//
// The platform id itself is never stored: replies go by Inbound.Address,
// which lives in the outbox only until delivered. Without the key the
// platform id cannot be recovered or checked against a guess; with the
// same key the same person always gets the same id, so a restart or a
// redeployment keeps their session. The channel is part of the hashed
// input so that the same number on two platforms gives unrelated ids.
func ParticipantID(channel, platformID string, key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(channel))
	mac.Write([]byte{':'})
	mac.Write([]byte(platformID))
	return channel + ":" + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:pseudonymBytes])
}
