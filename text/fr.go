package text

// french is the French catalogue, the consultation's language.
var french = Catalog{
	Lang: FR,
	Organiser: Organiser{
		Refused: "Cette commande est réservée à l'équipe d'organisation.",
		Failed:  "Désolé, un problème technique a empêché la commande d'aboutir. Réessayez dans un instant.",
		Busy:    "Beaucoup de commandes sont déjà en cours. Réessayez dans un instant.",
		Stopped: "Le bot s'arrêtait : la commande n'a pas abouti. Relancez-la dans un instant.",
		Unknown: "Commande inconnue.",
		Done:    "C'est fait.",

		OneTheme:      "Indiquez un seul thème. Par exemple : /%[1]s 2 pour le thème 2, ou /%[1]s seul pour tous les thèmes.",
		TakesNothing:  "Écrivez /%s seul, sans rien après.",
		NeedsAnAnswer: "Indiquez le numéro d'une réponse, par exemple /%s 123. Ce numéro figure à côté de chaque citation de la synthèse.",
		NotAnAnswerID: "« %s » n'est pas un numéro de réponse. Écrivez par exemple /%s 123.",

		UnknownTheme:  "Le thème « %s » n'existe pas. Indiquez son numéro ou son identifiant :",
		NoAnswer:      "Aucune réponse ne porte le n° %d. Le numéro figure à côté de chaque citation de la synthèse.",
		Hidden:        "Réponse n° %d masquée (%s). Elle n'apparaîtra plus dans les synthèses. Les exports la signalent comme masquée. Pour annuler : /afficher %d",
		AlreadyHidden: "La réponse n° %d était déjà masquée.",
		Unhidden:      "Réponse n° %d de nouveau visible (%s). Elle figurera dans les prochaines synthèses.",
		NotHidden:     "La réponse n° %d n'était pas masquée.",
		Banned:        "La personne qui a écrit la réponse n° %d est bannie. Le bot ignorera poliment ses messages. Ses réponses ne figurent plus dans les synthèses. Rien n'est supprimé. Pour annuler : /debannir %d",
		AlreadyBanned: "La personne qui a écrit la réponse n° %d était déjà bannie.",
		Unbanned:      "La personne qui a écrit la réponse n° %d n'est plus bannie. Ses réponses figureront dans les prochaines synthèses.",
		NotBanned:     "La personne qui a écrit la réponse n° %d n'était pas bannie.",

		HelpTitle: "Commandes de l'équipe d'organisation",
		HelpLine:  "/%s : %s",
		Commands: map[string]Command{
			"digest": {Args: "[thème]", Menu: "Synthèse des contributions depuis la dernière (thème en option)",
				Help: "la synthèse depuis la dernière. Le thème est facultatif : son numéro ou son identifiant."},
			"stats":  {Menu: "Chiffres de la consultation", Help: "les chiffres de la consultation."},
			"hide":   {Args: "N", Menu: "Masquer la réponse n° N des synthèses", Help: "retirer la réponse n° N des synthèses."},
			"unhide": {Args: "N", Menu: "Afficher de nouveau la réponse n° N", Help: "remettre la réponse n° N dans les synthèses."},
			"ban": {Args: "N", Menu: "Ignorer la personne qui a écrit la réponse n° N",
				Help: "ignorer désormais la personne qui a écrit la réponse n° N. Rien n'est supprimé."},
			"unban": {Args: "N", Menu: "Lever le bannissement (réponse n° N)",
				Help: "lever le bannissement de la personne qui a écrit la réponse n° N."},
		},
		ThemeOption:  "Un seul thème (par défaut : tous)",
		AnswerOption: "Numéro de la réponse (affiché dans les synthèses)",

		ChartTitle:   "Contributions par thème",
		ChartCaption: "📊 %s : sur la période et au total",
		NoChart:      "(graphique indisponible)",
		PrintFooter:  "Pour masquer une réponse depuis ce terminal : lancez consultbot chat -organiser, puis envoyez /masquer suivi de son numéro.",

		Stats: Stats{
			Title:             "Statistiques de la consultation",
			TitleAsOf:         "Statistiques de la consultation au %s",
			LastDigest:        "La dernière synthèse date du %s.",
			NoPeriodic:        "Aucune synthèse périodique n'a encore été envoyée.",
			ParticipantsSince: "%s au total, dont %s %s depuis la dernière synthèse.",
			AnswersSince:      "%s au total, dont %s depuis la dernière synthèse.",
			InTotal:           "%s au total.",
			News:              " (dont %s)",
			ByChannel:         "Par canal",
			ByProfile:         "Par profil",
			ByAcademie:        "Par académie",
			ByTheme:           "Par thème",
			NotGiven:          "non renseigné",
			BreakdownLine:     "- %s : %s, %s%s",
			ThemeLine:         "%d. %s : %s%s.",
			NoStart:           "Personne ne l'a commencé.",
			Completion:        "Commencé par %s, terminé par %s (%s).",
			Participant:       "participant|participants",
			Answer:            "réponse|réponses",
			New:               "nouvelle|nouvelles",
			Answered:          "qui a répondu|qui ont répondu",
		},
	},
	Channel: Channel{
		FloodNotice: "Vous envoyez beaucoup de messages d'un coup : je les traite dans l'ordre, un instant…",
		Telegram: Telegram{
			GroupInvite:    "Bonjour ! La consultation se fait en conversation privée avec moi. Ainsi, personne d'autre ne voit vos réponses.",
			GroupButton:    "Répondre en privé",
			PrivateResults: "Hors des groupes de l'équipe, je vous envoie les résultats en privé : ouvrez d'abord une conversation avec moi (%s), puis relancez la commande.",
			TeamNote:       "Pour répondre vous-même à la consultation, écrivez-moi en privé.",
		},
		Discord: Discord{
			StartMenu:    "Participer à la consultation ou la reprendre",
			AnswerButton: "Répondre",
			AnswerTitle:  "Votre réponse",
			NotHere:      "La consultation n'est pas disponible sur ce serveur.",
			Sorry:        "Désolé, un problème technique a empêché d'enregistrer cette action. Réessayez dans un instant.",
		},
		Terminal: Terminal{
			Hint: "consultbot dans le terminal : écrivez votre réponse puis Entrée. " +
				"Les flèches ← → corrigent la ligne, ↑ ↓ retrouvent un message déjà tapé ; " +
				"un texte collé part en un seul message, retours à la ligne compris (affichés ↵). " +
				"Un numéro choisit une option numérotée « 1) … » ; ailleurs il compte comme réponse. " +
				"/aide pour l'aide ; Ctrl-D ou Ctrl-C pour quitter.",
			PipedHint: "consultbot dans le terminal (entrée lue ligne à ligne) : chaque ligne est un message. " +
				"Un numéro choisit une option numérotée « 1) … » ; ailleurs il compte comme réponse. /aide pour l'aide.",
			Answer:           "  Écrivez votre réponse",
			AnswerMax:        "  Écrivez votre réponse (%d caractères au plus)",
			OrType:           ", ou tapez :",
			TooLong:          "Votre réponse fait %d caractères ; la limite est de %d. Elle n'a pas été envoyée.",
			GivenBack:        "Raccourcissez-la : elle est remise dans la ligne de saisie (↑ la retrouve aussi), puis Entrée pour l'envoyer.",
			PrintedBack:      "La voici, pour la raccourcir :",
			NotSaved:         "(Erreur : ce message n'a pas été enregistré, réessayez.)",
			SavedFile:        "(Fichier enregistré : %s)",
			Goodbye:          "À bientôt ! Vos réponses sont enregistrées : relancez la même commande pour reprendre.",
			OrganiserHint:    "consultbot, mode organisation, sur le fichier %s : les commandes de l'équipe, sans jeton ni serveur. /aide les rappelle ; Ctrl-D ou Ctrl-C pour quitter.",
			OrganiserNote:    "Pour répondre vous-même à la consultation : consultbot chat, sans -organiser.",
			OrganiserGoodbye: "À bientôt !",
		},
	},
}
