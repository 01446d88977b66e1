package flows

// bannedReply is the only answer a banned participant gets: polite, short,
// and silent on who decided it, so that it invites no argument. Their
// answers stay stored, left out of the organisers' digests.
func bannedReply(lang string) Reply {
	if lang == LangEN {
		return Reply{Text: "Thank you for your messages. Your participation in this consultation has been suspended by its organisers, so your messages are no longer taken into account."}
	}
	return Reply{Text: "Merci pour vos messages. Votre participation à cette consultation a été suspendue par ses organisateurs : vos messages ne sont plus pris en compte."}
}
