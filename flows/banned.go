package flows

// bannedReply is the only answer a banned participant gets: polite, short,
// and silent on who decided it, so that it invites no argument. Their
// answers stay stored, left out of the organisers' digests.
func bannedReply(lang string) Reply {
	return Reply{Text: messagesFor(lang).Banned, Lang: lang}
}
