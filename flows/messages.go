package flows

// messages holds the interface texts of one language. Texts with verbs take
// fmt arguments as their comments say.
type messages struct {
	WelcomeTitle string
	Welcome      string // %s intro of the questionnaire
	Accept       string
	Refuse       string
	Declined     string
	DeclinedHint string

	ProfileAsk    string
	Thanks        string
	Academie      string
	AcademieOK    string // %s académie
	AcademieNo    string // %s what was typed
	AcademieField string
	Skip          string

	MenuTitle     string
	Menu          string
	MenuDone      string
	MenuButton    string // %d number, %s title, %d answered, %d total
	ProgressTitle string // %d theme number, %d question number, %d total

	Back          string
	Pause         string
	Cancel        string
	Current       string // %s answer
	CurrentChoice string // %s answer
	CurrentVoice  string // %s answer
	Saved         string
	Changed       string
	Skipped       string

	ReviewTitle string // %d theme number
	Review      string
	SkippedMark string
	VoiceMark   string // %d seconds
	EditButton  string // %d question number
	Confirm     string
	MenuLabel   string
	EditTitle   string // %d theme number, %d question number, %d total
	Confirmed   string // %s theme title
	AllDone     string

	Paused      string
	ResumeLabel string
	Resuming    string

	Closed string // %s closing date

	Stale         string
	Garbage       string
	StaleForm     string // %s quoted text
	UseButtons    string
	VoiceNotHere  string
	MediaNotHere  string
	MediaForText  string
	EmptyText     string
	TooLong       string // %d length, %d limit
	Unreadable    string
	NoVoice       string
	Unknown       string // %s command
	NotYet        string
	LanguageSet   string
	Commands      string // %s list of commands
	CommandsShort string
	NoAnswers     string
	AnswersTitle  string
	AnswersIntro  string // %d answered, %d total
	DateLayout    string
	ThemeHeading  string // %d number, %s title
	ThemeProgress string // %d answered, %d total

	GiveBack        string
	LongContinued   string
	More            string
	Remove          string
	Removed         string
	NothingToRemove string
	Greeting        string
	Hello           string // a greeting before anything was asked
	NotUnderstood   string // %s what was typed
	CheckAsk        string // %s what was typed, %s the question's title
	CheckYes        string
	CheckNo         string
	CheckHelp       string // %s yes label
	Retype          string
	LanguageAsk     map[string]string // by target language, in this language
	LanguageYes     string            // in the target language
	LanguageNo      string
	LanguageKept    string
	LanguageHelp    string
	PlaceWhich      string
	PlaceHelp       string
	AcademieOf      string // %s académie with its preposition
	HelpTitle       string // %s question title
	Explain         string // %s the question in simpler words
	Example         string // %s an example answer
	Original        string // %s the original wording

	Help map[Stage]string
	// HelpChoice replaces Help while the current question is answered
	// with buttons, where typing an answer would be refused.
	HelpChoice map[Stage]string
}

var messagesFR = messages{
	WelcomeTitle: "Bienvenue !",
	Welcome:      "Ce robot recueille votre avis pour les États généraux du numérique éducatif. %s",
	Accept:       "J'accepte",
	Refuse:       "Je refuse",
	Declined:     "C'est entendu : nous ne gardons rien de vous, sauf ce refus, pour ne pas vous reposer la question. Merci de votre visite !",
	DeclinedHint: "Si vous changez d'avis, écrivez « je participe » : nous vous redemanderons votre accord.",

	ProfileAsk: "Vous répondez en tant que :",
	Thanks:     "Merci !",
	Academie: "Dans quelle académie ou quel département êtes-vous ? (facultatif)\n" +
		"Écrivez par exemple « 75 », « Gironde » ou « Lyon », ou choisissez Passer.",
	AcademieOK:    "C'est noté : %s.",
	AcademieField: "Académie ou département",
	AcademieNo: "Je n'ai pas reconnu « %s ».\n" +
		"Écrivez un numéro de département (« 33 », « 2A », « 974 »), un nom de département (« Gironde ») ou d'académie (« Aix-Marseille »), ou choisissez Passer.",
	Skip: "Passer",

	MenuTitle:     "Les thèmes",
	Menu:          "Choisissez un thème. Vos réponses sont enregistrées au fur et à mesure. Besoin d'aide ? /aide",
	MenuDone:      "Vous avez validé tous les thèmes : merci ! Vos réponses restent modifiables ici.",
	MenuButton:    "%d. %s — %d/%d",
	ProgressTitle: "Thème %d · Question %d/%d",

	Back:          "Retour",
	Pause:         "Continuer plus tard",
	Cancel:        "Annuler",
	Current:       "Votre réponse actuelle : « %s »\nÉcrivez un nouveau texte pour la remplacer.",
	CurrentChoice: "Votre réponse actuelle : %s\nChoisissez une autre option pour la changer.",
	CurrentVoice:  "Votre réponse actuelle : %s\nÉcrivez un texte ou envoyez un autre message vocal pour la remplacer.",
	Saved:         "Merci, c'est noté.",
	Changed:       "Réponse modifiée.",
	Skipped:       "Question passée.",

	ReviewTitle: "Thème %d · Relecture",
	Review:      "Vérifiez vos réponses, modifiez-en une si besoin, puis validez.",
	SkippedMark: "— passée",
	VoiceMark:   "🎤 message vocal (%d s)",
	EditButton:  "Modifier %d",
	Confirm:     "Valider",
	MenuLabel:   "Menu",
	EditTitle:   "Modifier · Thème %d · Question %d/%d",
	Confirmed:   "Merci ! Le thème « %s » est validé.",
	AllDone:     "Vous avez répondu à tous les thèmes. Un grand merci pour votre contribution ! Vos réponses restent modifiables depuis le menu.",

	Paused:      "Vos réponses sont enregistrées. Revenez quand vous voulez : envoyez /reprendre ou n'importe quel message pour reprendre à cette question.",
	ResumeLabel: "Reprendre",
	Resuming:    "Reprenons là où vous en étiez.",

	Closed: "La consultation est close depuis le %s. Merci de votre intérêt !\nVos réponses restent consultables avec /mes_reponses.",

	Stale:        "Ce bouton correspond à une question précédente.",
	Garbage:      "Je ne reconnais pas ce bouton.",
	StaleForm:    "Ce formulaire correspondait à une question précédente ; rien n'a été enregistré. Voici votre texte, pour le réutiliser :\n« %s »",
	UseButtons:   "Merci de répondre en choisissant l'une des options ci-dessous.",
	VoiceNotHere: "Je ne peux pas utiliser un message vocal ici : choisissez l'une des options.",
	MediaNotHere: "Je ne peux pas utiliser ce fichier ici : choisissez l'une des options.",
	MediaForText: "Je ne peux pas lire ce fichier. Répondez par un message écrit (ou un message vocal sur Telegram).",
	EmptyText:    "Votre message est vide. Écrivez votre réponse, ou choisissez Passer.",
	TooLong:      "Votre réponse fait %d caractères ; la limite est de %d. Rien n'a été enregistré : raccourcissez-la puis renvoyez-la.",
	Unreadable:   "Je n'ai pas pu lire ce message. Rien n'a été enregistré : pouvez-vous le renvoyer ?",
	NoVoice:      "Je n'ai pas pu récupérer ce message vocal. Pouvez-vous le renvoyer, ou écrire votre réponse ?",
	Unknown:      "Je ne connais pas la commande « /%s ».",
	NotYet:       "Terminons d'abord ces premières étapes.",
	LanguageSet:  "Je vous parle désormais en français.",
	Commands: "Commandes :\n/menu — choisir un thème\n/reprendre — reprendre là où vous en étiez\n" +
		"/mes_reponses — voir vos réponses\n/langue — English\n" +
		"/mes_donnees — tout ce que nous gardons sur vous\n/effacer — effacer toutes vos données\n/aide — cette aide",
	CommandsShort: "Commandes : /menu, /reprendre, /mes_reponses, /langue, /mes_donnees, /effacer, /aide.",
	NoAnswers:     "Vous n'avez encore répondu à aucune question.",
	AnswersTitle:  "Vos réponses",
	AnswersIntro:  "Questions répondues : %d sur %d.",
	DateLayout:    "02/01/2006",
	ThemeHeading:  "%d. %s",
	ThemeProgress: "%d/%d",

	GiveBack:        "Voici votre texte, pour le raccourcir :",
	LongContinued:   "La suite de votre long message est bien arrivée ; elle n'est pas enregistrée non plus. La voici :",
	More:            "En savoir plus",
	Remove:          "Supprimer ma réponse",
	Removed:         "Réponse supprimée.",
	NothingToRemove: "Il n'y a pas de réponse à supprimer ici.",
	Greeting:        "Bonjour ! Voici où nous en étions.",
	Hello:           "Bonjour !",
	NotUnderstood:   "Je n'ai pas compris « %s ». Répondez avec l'une des options proposées : son numéro ou son nom.",
	CheckAsk:        "Vous avez écrit « %s ». Est-ce votre réponse à la question « %s » ?",
	CheckYes:        "Oui, c'est ma réponse",
	CheckNo:         "Non, je réécris",
	CheckHelp:       "Je vérifie avant d'enregistrer une réponse très courte. Choisissez « %s » pour la garder, ou écrivez une autre réponse.",
	Retype:          "D'accord, rien n'est enregistré. Écrivez votre réponse quand vous voulez.",
	LanguageAsk:     map[string]string{LangEN: "Voulez-vous continuer en anglais ?", LangFR: "Voulez-vous continuer en français ?"},
	LanguageYes:     "Oui, en français",
	LanguageNo:      "Non, rester en français",
	LanguageKept:    "D'accord, je continue en français.",
	LanguageHelp:    "Choisissez la langue dans laquelle je vous parle.",
	PlaceWhich:      "Plusieurs lieux portent ce nom. Lequel est le vôtre ?",
	PlaceHelp:       "Choisissez votre lieu parmi les boutons, écrivez un numéro de département (« 93 »), ou choisissez Passer.",
	AcademieOf:      "académie %s",
	HelpTitle:       "Aide · %s",
	Explain:         "En d'autres mots : %s",
	Example:         "Par exemple : « %s »",
	Original:        "Question d'origine : « %s »",

	Help: map[Stage]string{
		StageConsent:  "Choisissez « J'accepte » pour participer, « Je refuse » pour partir sans rien laisser, ou « En savoir plus » pour lire le détail. Vous pouvez aussi écrire oui ou non.",
		StageDeclined: "Vous n'avez pas donné votre accord : rien n'est gardé. Pour participer quand même, écrivez « je participe ».",
		StageProfile:  "Choisissez ce qui vous décrit le mieux : touchez un bouton, ou écrivez par exemple « parent » ou « 1 ».",
		StageAcademie: "Écrivez votre département ou votre académie (« 75 », « Gironde », « Lyon »), ou choisissez Passer.",
		StageMenu:     "Choisissez un thème pour répondre à ses questions, dans l'ordre que vous voulez. Touchez un bouton, ou écrivez son numéro (« 2 ») ou son nom.",
		StageQuestion: "Écrivez votre réponse avec vos mots, en un message. Si vous ne savez pas quoi répondre, écrivez « passer ». Vous pouvez aussi écrire « retour » ou « plus tard ».",
		StageReview:   "Choisissez « Modifier N » pour changer une réponse, puis « Valider » quand tout vous convient. Pour retirer une réponse, écrivez « supprimer N ».",
		StageEdit:     "Écrivez votre nouvelle réponse, choisissez Annuler pour garder l'ancienne, ou Supprimer ma réponse pour la retirer.",
		StagePaused:   "Vos réponses sont gardées. Écrivez « reprendre » ou n'importe quel message pour continuer.",
	},
	HelpChoice: map[Stage]string{
		StageQuestion: "Choisissez l'une des réponses proposées. Passer : question suivante. Retour : question précédente. Continuer plus tard : vos réponses sont gardées.",
		StageEdit:     "Choisissez une autre réponse, ou Annuler pour garder l'ancienne.",
	},
}

var messagesEN = messages{
	WelcomeTitle: "Welcome!",
	Welcome:      "This bot collects your views for France's national conference on digital education. %s",
	Accept:       "I agree",
	Refuse:       "I refuse",
	Declined:     "Understood: we keep nothing about you but this refusal, so as not to ask again. Thank you for stopping by!",
	DeclinedHint: "If you change your mind, type “I want to take part” and we will ask for your consent again.",

	ProfileAsk: "You are answering as:",
	Thanks:     "Thank you!",
	Academie: "Which académie (school region) or département are you in? (optional)\n" +
		"Type for example “75”, “Gironde” or “Lyon”, or choose Skip.",
	AcademieOK:    "Noted: %s.",
	AcademieField: "Académie or département",
	AcademieNo: "I did not recognise “%s”.\n" +
		"Type a département number (“33”, “2A”, “974”), a département name (“Gironde”) or an académie (“Aix-Marseille”), or choose Skip.",
	Skip: "Skip",

	MenuTitle:     "Themes",
	Menu:          "Choose a theme. Your answers are saved as you go. Need help? /help",
	MenuDone:      "You have confirmed every theme: thank you! You can still change your answers here.",
	MenuButton:    "%d. %s — %d/%d",
	ProgressTitle: "Theme %d · Question %d/%d",

	Back:          "Back",
	Pause:         "Continue later",
	Cancel:        "Cancel",
	Current:       "Your current answer: “%s”\nType a new text to replace it.",
	CurrentChoice: "Your current answer: %s\nChoose another option to change it.",
	CurrentVoice:  "Your current answer: %s\nType a text or send another voice message to replace it.",
	Saved:         "Thank you, noted.",
	Changed:       "Answer changed.",
	Skipped:       "Question skipped.",

	ReviewTitle: "Theme %d · Review",
	Review:      "Check your answers, change one if needed, then confirm.",
	SkippedMark: "— skipped",
	VoiceMark:   "🎤 voice message (%d s)",
	EditButton:  "Change %d",
	Confirm:     "Confirm",
	MenuLabel:   "Menu",
	EditTitle:   "Change · Theme %d · Question %d/%d",
	Confirmed:   "Thank you! The theme “%s” is confirmed.",
	AllDone:     "You have answered every theme. Thank you so much for your contribution! You can still change your answers from the menu.",

	Paused:      "Your answers are saved. Come back whenever you like: send /resume or any message to continue with this question.",
	ResumeLabel: "Resume",
	Resuming:    "Let's pick up where you left off.",

	Closed: "The consultation closed on %s. Thank you for your interest!\nYou can still read your answers with /answers.",

	Stale:        "This button belongs to an earlier question.",
	Garbage:      "I do not recognise this button.",
	StaleForm:    "This form belonged to an earlier question; nothing was saved. Here is your text, so you can reuse it:\n“%s”",
	UseButtons:   "Please answer by choosing one of the options below.",
	VoiceNotHere: "I cannot use a voice message here: please choose one of the options.",
	MediaNotHere: "I cannot use this file here: please choose one of the options.",
	MediaForText: "I cannot read this file. Please answer with a written message (or a voice message on Telegram).",
	EmptyText:    "Your message is empty. Type your answer, or choose Skip.",
	TooLong:      "Your answer is %d characters long; the limit is %d. Nothing was saved: please shorten it and send it again.",
	Unreadable:   "I could not read this message. Nothing was saved: could you send it again?",
	NoVoice:      "I could not get this voice message. Could you send it again, or type your answer?",
	Unknown:      "I do not know the command “/%s”.",
	NotYet:       "Let's finish these first steps first.",
	LanguageSet:  "I will now speak English.",
	Commands: "Commands:\n/menu — choose a theme\n/resume — continue where you left off\n" +
		"/answers — see your answers\n/language — français\n" +
		"/my_data — everything we keep about you\n/erase — erase all your data\n/help — this help",
	CommandsShort: "Commands: /menu, /resume, /answers, /language, /my_data, /erase, /help.",
	NoAnswers:     "You have not answered any question yet.",
	AnswersTitle:  "Your answers",
	AnswersIntro:  "Questions answered: %d of %d.",
	DateLayout:    "2 January 2006",
	ThemeHeading:  "%d. %s",
	ThemeProgress: "%d/%d",

	GiveBack:        "Here is your text, to shorten it:",
	LongContinued:   "The rest of your long message arrived; it is not saved either. Here it is:",
	More:            "Learn more",
	Remove:          "Remove my answer",
	Removed:         "Answer removed.",
	NothingToRemove: "There is no answer to remove here.",
	Greeting:        "Hello! Here is where we were.",
	Hello:           "Hello!",
	NotUnderstood:   "I did not understand “%s”. Answer with one of the options offered: its number or its name.",
	CheckAsk:        "You wrote “%s”. Is this your answer to the question “%s”?",
	CheckYes:        "Yes, that's my answer",
	CheckNo:         "No, I'll rewrite it",
	CheckHelp:       "I check before saving a very short answer. Choose “%s” to keep it, or type another answer.",
	Retype:          "All right, nothing is saved. Type your answer whenever you like.",
	LanguageAsk:     map[string]string{LangEN: "Do you want to continue in English?", LangFR: "Do you want to continue in French?"},
	LanguageYes:     "Yes, in English",
	LanguageNo:      "No, stay in English",
	LanguageKept:    "All right, I will go on in English.",
	LanguageHelp:    "Choose the language I speak to you in.",
	PlaceWhich:      "Several places have this name. Which one is yours?",
	PlaceHelp:       "Choose your place with the buttons, type a département number (“93”), or choose Skip.",
	AcademieOf:      "the %s académie",
	HelpTitle:       "Help · %s",
	Explain:         "In other words: %s",
	Example:         "For example: “%s”",
	Original:        "Original question: “%s”",

	Help: map[Stage]string{
		StageConsent:  "Choose “I agree” to take part, “I refuse” to leave without a trace, or “Learn more” to read the details. You can also type yes or no.",
		StageDeclined: "You did not give your consent: nothing is kept. To take part after all, type “I want to take part”.",
		StageProfile:  "Choose what best describes you: tap a button, or type for example “parent” or “1”.",
		StageAcademie: "Type your département or académie (“75”, “Gironde”, “Lyon”), or choose Skip.",
		StageMenu:     "Choose a theme to answer its questions, in any order. Tap a button, or type its number (“2”) or its name.",
		StageQuestion: "Type your answer in your own words, in one message. If you do not know what to answer, type “skip”. You can also type “back” or “later”.",
		StageReview:   "Choose “Change N” to change an answer, then “Confirm” when you are happy. To remove an answer, type “remove N”.",
		StageEdit:     "Type your new answer, choose Cancel to keep the old one, or Remove my answer to take it out.",
		StagePaused:   "Your answers are kept. Type “resume” or any message to continue.",
	},
	HelpChoice: map[Stage]string{
		StageQuestion: "Choose one of the answers offered. Skip: next question. Back: previous question. Continue later: your answers are kept.",
		StageEdit:     "Choose another answer, or Cancel to keep the old one.",
	},
}

func messagesFor(lang string) *messages {
	if lang == LangEN {
		return &messagesEN
	}
	return &messagesFR
}
