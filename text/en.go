package text

// english is the English catalogue.
var english = Catalog{
	Lang: EN,
	Organiser: Organiser{
		Refused: "This command is reserved for the organising team.",
		Failed:  "Sorry, the command could not be completed because of a technical problem. Please try again in a moment.",
		Busy:    "Many commands are running already. Please try again in a moment.",
		Stopped: "The bot was stopping: the command did not complete. Please run it again in a moment.",
		Unknown: "Unknown command.",
		Done:    "Done.",

		OneTheme:      "Give one theme only. For example: /%[1]s 2 for theme 2, or /%[1]s alone for every theme.",
		TakesNothing:  "Send /%s alone, with nothing after it.",
		NeedsAnAnswer: "Give the number of one answer, for example /%s 123. The number is shown beside each quote in the digest.",
		NotAnAnswerID: "“%s” is not an answer number. Write for example /%s 123.",

		UnknownTheme:  "There is no theme “%s”. Give its number or its id:",
		NoAnswer:      "No answer has number %d. The number is shown beside each quote in the digest.",
		Hidden:        "Answer #%d hidden (%s). It will no longer appear in digests. Exports flag it as hidden. To undo: /unhide %d",
		AlreadyHidden: "Answer #%d was already hidden.",
		Unhidden:      "Answer #%d visible again (%s). It will appear in the next digests.",
		NotHidden:     "Answer #%d was not hidden.",
		Banned:        "The person who wrote answer #%d is banned. The bot will politely ignore their messages. Their answers no longer appear in digests. Nothing is deleted. To undo: /unban %d",
		AlreadyBanned: "The person who wrote answer #%d was already banned.",
		Unbanned:      "The person who wrote answer #%d is no longer banned. Their answers will appear in the next digests.",
		NotBanned:     "The person who wrote answer #%d was not banned.",

		HelpTitle: "Organising team commands",
		HelpLine:  "/%s: %s",
		Commands: map[string]Command{
			"digest": {Args: "[theme]", Menu: "Digest of the contributions since the last one (optional theme)",
				Help: "the digest since the last one. The theme is optional: its number or its id."},
			"stats":  {Menu: "Consultation figures", Help: "the consultation's figures."},
			"hide":   {Args: "N", Menu: "Hide answer #N from digests", Help: "take answer #N out of digests."},
			"unhide": {Args: "N", Menu: "Show answer #N again", Help: "put answer #N back in digests."},
			"ban": {Args: "N", Menu: "Ignore the person who wrote answer #N",
				Help: "ignore the person who wrote answer #N from now on. Nothing is deleted."},
			"unban": {Args: "N", Menu: "Lift the ban (answer #N)",
				Help: "lift the ban on the person who wrote answer #N."},
		},
		ThemeOption:  "One theme only (default: all)",
		AnswerOption: "Answer number (shown in digests)",

		ChartTitle:   "Contributions per theme",
		ChartCaption: "📊 %s: in the period and in total",
		NoChart:      "(chart unavailable)",
		PrintFooter:  "To hide an answer from this terminal: run consultbot chat -organiser, then send /hide followed by its number.",

		Stats: Stats{
			Title:             "Consultation statistics",
			TitleAsOf:         "Consultation statistics as of %s",
			LastDigest:        "The last digest dates from %s.",
			NoPeriodic:        "No periodic digest has been sent yet.",
			ParticipantsSince: "%s in total; %[2]s answered since the last digest.",
			AnswersSince:      "%s in total, %s since the last digest.",
			InTotal:           "%s in total.",
			News:              " (%s)",
			ByChannel:         "By channel",
			ByProfile:         "By profile",
			ByAcademie:        "By académie",
			ByTheme:           "By theme",
			NotGiven:          "not given",
			BreakdownLine:     "- %s: %s, %s%s",
			ThemeLine:         "%d. %s: %s%s.",
			NoStart:           "Nobody started it.",
			Completion:        "Started by %s, completed by %s (%s).",
			Participant:       "participant|participants",
			Answer:            "answer|answers",
			New:               "new|new",
			Answered:          "answered|answered",
		},
	},
	Channel: Channel{
		FloodNotice: "You are sending many messages at once: I am handling them in order, just a moment…",
		Telegram: Telegram{
			GroupInvite:    "Hello! The consultation happens in a private chat with me. That way, nobody else sees your answers.",
			GroupButton:    "Answer privately",
			PrivateResults: "Outside the team's groups I send results privately: first open a chat with me (%s), then run the command again.",
			TeamNote:       "To answer the consultation yourself, write to me privately.",
		},
		Discord: Discord{
			StartMenu:    "Take part in the consultation, or resume it",
			AnswerButton: "Answer",
			AnswerTitle:  "Your answer",
			NotHere:      "The consultation is not available on this server.",
			Sorry:        "Sorry, a technical problem kept this action from being recorded. Please try again in a moment.",
		},
		Terminal: Terminal{
			Hint: "consultbot in the terminal: type your answer, then Enter. " +
				"The ← → arrows edit the line, ↑ ↓ bring back a message typed before; " +
				"pasted text goes as one message, line breaks included (shown as ↵). " +
				"A number picks a numbered option “1) …”; elsewhere it counts as an answer. " +
				"/help for help; Ctrl-D or Ctrl-C to quit.",
			PipedHint: "consultbot in the terminal (input read line by line): each line is a message. " +
				"A number picks a numbered option “1) …”; elsewhere it counts as an answer. /help for help.",
			Answer:           "  Type your answer",
			AnswerMax:        "  Type your answer (%d characters at most)",
			OrType:           ", or type:",
			TooLong:          "Your answer is %d characters long; the limit is %d. It was not sent.",
			GivenBack:        "Shorten it: it is back in the input line (↑ brings it back too), then press Enter to send it.",
			PrintedBack:      "Here it is, to shorten:",
			NotSaved:         "(Error: this message was not saved, please try again.)",
			SavedFile:        "(File saved: %s)",
			Goodbye:          "See you soon! Your answers are saved: run the same command again to continue.",
			OrganiserHint:    "consultbot, organiser mode, on the file %s: the team's commands, with no token and no server. /help lists them; Ctrl-D or Ctrl-C to quit.",
			OrganiserNote:    "To answer the consultation yourself: consultbot chat, without -organiser.",
			OrganiserGoodbye: "See you soon!",
		},
	},
}
