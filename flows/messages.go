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
	NoAnswers     string
	AnswersTitle  string
	AnswersIntro  string // %d answered, %d total
	DateLayout    string
	ThemeHeading  string // %d number, %s title
	ThemeProgress string // %d answered, %d total

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
	DeclinedHint: "Si vous changez d'avis, envoyez /start : nous vous redemanderons votre accord.",

	ProfileAsk: "Merci ! Vous répondez en tant que :",
	Academie: "Dans quelle académie ou quel département êtes-vous ? (facultatif)\n" +
		"Écrivez par exemple « 75 », « Gironde » ou « Lyon », ou choisissez Passer.",
	AcademieOK:    "C'est noté : académie de %s.",
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
	NoAnswers:     "Vous n'avez encore répondu à aucune question.",
	AnswersTitle:  "Vos réponses",
	AnswersIntro:  "Questions répondues : %d sur %d.",
	DateLayout:    "02/01/2006",
	ThemeHeading:  "%d. %s",
	ThemeProgress: "%d/%d",

	Help: map[Stage]string{
		StageConsent:  "Lisez ce qui est gardé, puis choisissez « J'accepte » pour participer ou « Je refuse » pour partir sans rien laisser.",
		StageDeclined: "Vous n'avez pas donné votre accord : rien n'est gardé. Envoyez /start pour participer.",
		StageProfile:  "Choisissez ce qui vous décrit le mieux.",
		StageAcademie: "Écrivez votre département ou votre académie (« 75 », « Gironde », « Lyon »), ou choisissez Passer.",
		StageMenu:     "Choisissez un thème pour répondre à ses questions. Vous pouvez les traiter dans l'ordre que vous voulez.",
		StageQuestion: "Écrivez votre réponse en un message (ou envoyez un message vocal sur Telegram). Passer : question suivante. Retour : question précédente. Continuer plus tard : vos réponses sont gardées.",
		StageReview:   "Choisissez « Modifier N » pour changer une réponse, puis « Valider » quand tout vous convient.",
		StageEdit:     "Écrivez votre nouvelle réponse, ou choisissez Annuler pour garder l'ancienne.",
		StagePaused:   "Vos réponses sont gardées. Envoyez /reprendre pour continuer.",
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
	DeclinedHint: "If you change your mind, send /start and we will ask for your consent again.",

	ProfileAsk: "Thank you! You are answering as:",
	Academie: "Which académie (school region) or département are you in? (optional)\n" +
		"Type for example “75”, “Gironde” or “Lyon”, or choose Skip.",
	AcademieOK:    "Noted: académie of %s.",
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
	NoAnswers:     "You have not answered any question yet.",
	AnswersTitle:  "Your answers",
	AnswersIntro:  "Questions answered: %d of %d.",
	DateLayout:    "2 January 2006",
	ThemeHeading:  "%d. %s",
	ThemeProgress: "%d/%d",

	Help: map[Stage]string{
		StageConsent:  "Read what is kept, then choose “I agree” to take part or “I refuse” to leave without a trace.",
		StageDeclined: "You did not give your consent: nothing is kept. Send /start to take part.",
		StageProfile:  "Choose what best describes you.",
		StageAcademie: "Type your département or académie (“75”, “Gironde”, “Lyon”), or choose Skip.",
		StageMenu:     "Choose a theme to answer its questions. You can take them in any order.",
		StageQuestion: "Type your answer in one message (or send a voice message on Telegram). Skip: next question. Back: previous question. Continue later: your answers are kept.",
		StageReview:   "Choose “Change N” to change an answer, then “Confirm” when you are happy.",
		StageEdit:     "Type your new answer, or choose Cancel to keep the old one.",
		StagePaused:   "Your answers are kept. Send /resume to continue.",
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
