package web

import (
	"strings"

	"consultbot/flows"
)

// texts holds what the page itself says, in one language: its chrome,
// labels and the answers to bad requests. Everything else comes from the
// conversation.
type texts struct {
	Lang string
	// OtherLang and OtherLangName offer the other language on the page
	// that comes before the conversation.
	OtherLang, OtherLangName string

	SkipLink      string
	Conversation  string
	You           string // before the person's own messages
	YourAnswer    string // heading of the answer area
	ChooseOne     string // legend of the option buttons
	OtherChoices  string // their legend below a text box
	TypeAnswer    string // label of the text box at an open question
	MaxChars      string // %d characters
	TypeMessage   string // label of the text box elsewhere
	TypeHint      string // what may be typed at a choice prompt
	Send          string
	Commands      string // label of the commands
	CmdMenu       string
	CmdAnswers    string
	CmdMyData     string
	CmdErase      string
	CmdHelp       string
	CmdLanguage   string // switches to the other language
	Download      string // %s file name, %s size
	Kilobytes     string // %d
	Footer        string
	NoScript      string // shown when scripts are off
	Landing       []string
	Start         string
	HaveCode      string
	CodeLabel     string
	CodeHint      string
	UseCode       string
	OtherDevice   string
	OtherDeviceP  string
	GetCode       string
	YourCode      string // %s code
	CodeValid     string // %s time, in TimeLayout
	TimeLayout    string
	Sending       string
	Retrying      string
	Offline       string
	Reconnected   string
	Gap           string
	Erased        string
	Continue      string
	Redirecting   string
	ErrorTitle    string
	BackHome      string
	TooLong       string // %d length, %d limit
	Empty         string
	BadCode       string
	Expired       string // the page (its form) is too old, or cookies are off
	NoCookie      string
	CrossOrigin   string
	TooMany       string
	TooBig        string
	BadRequest    string
	NotFound      string
	NotAllowed    string
	NotSaved      string
	Restarting    string
	Unavailable   string
	DocumentGone  string
	TooManyStream string
}

var textsFR = texts{
	Lang:          flows.LangFR,
	OtherLang:     flows.LangEN,
	OtherLangName: "English",
	SkipLink:      "Aller à la réponse",
	Conversation:  "Conversation",
	You:           "Vous\u00a0:",
	YourAnswer:    "Votre réponse",
	ChooseOne:     "Choisissez une réponse",
	OtherChoices:  "Ou bien",
	TypeAnswer:    "Votre réponse",
	MaxChars:      "%d caractères au plus.",
	TypeMessage:   "Ou écrivez un message",
	TypeHint:      "Vous pouvez aussi écrire le numéro ou le nom d'une réponse, «\u00a0aide\u00a0» ou «\u00a0menu\u00a0».",
	Send:          "Envoyer",
	Commands:      "Autres actions",
	CmdMenu:       "Thèmes",
	CmdAnswers:    "Mes réponses",
	CmdMyData:     "Mes données",
	CmdErase:      "Effacer mes données",
	CmdHelp:       "Aide",
	CmdLanguage:   "English",
	Download:      "Télécharger %s (%s)",
	Kilobytes:     "%d Ko",
	Footer:        "Un seul cookie, indispensable, garde votre place dans la conversation. Aucun suivi, aucune publicité.",
	NoScript:      "JavaScript est désactivé\u00a0: chaque réponse recharge la page, tout fonctionne.",
	Landing: []string{
		"Donnez votre avis sur le numérique à l'école\u00a0: ordinateurs, internet, applications. Cinq thèmes, des questions ouvertes, à votre rythme.",
		"Pas de compte, pas d'application\u00a0: tout se passe sur cette page.",
	},
	Start:         "Commencer",
	HaveCode:      "Vous avez commencé sur un autre appareil\u00a0?",
	CodeLabel:     "Code de reprise",
	CodeHint:      "8 caractères, par exemple ABCD-EFGH.",
	UseCode:       "Reprendre avec ce code",
	OtherDevice:   "Continuer sur un autre appareil",
	OtherDeviceP:  "Obtenez un code à saisir sur votre autre appareil\u00a0: il reprendra la conversation là où vous en êtes.",
	GetCode:       "Obtenir un code",
	YourCode:      "Votre code\u00a0: %s",
	TimeLayout:    "02/01/2006 à 15:04",
	CodeValid:     "Valable une seule fois, jusqu'au %s. Sur l'autre appareil, ouvrez cette page et saisissez-le sous «\u00a0Vous avez commencé sur un autre appareil\u00a0?\u00a0».",
	Sending:       "Envoi…",
	Retrying:      "Connexion interrompue\u00a0: nouvel essai…",
	Offline:       "Connexion perdue. Vos réponses déjà envoyées sont enregistrées\u00a0; reconnexion…",
	Reconnected:   "Connexion rétablie.",
	Gap:           "Des messages précédents ne peuvent plus être affichés. Voici où vous en êtes\u00a0:",
	Erased:        "Vos données sont effacées et cet appareil est oublié. Merci de votre visite.",
	Continue:      "Continuer",
	Redirecting:   "Ouverture de la consultation…",
	ErrorTitle:    "Un problème est survenu",
	BackHome:      "Revenir à la conversation",
	TooLong:       "Votre réponse fait %d caractères\u00a0; la limite est de %d. Elle n'a pas été envoyée\u00a0: raccourcissez-la.",
	Empty:         "Votre message est vide.",
	BadCode:       "Ce code n'est pas valable\u00a0: il a peut-être expiré ou déjà servi. Demandez-en un nouveau sur l'autre appareil.",
	Expired:       "Cette page a expiré. Rechargez-la, puis envoyez de nouveau votre réponse.",
	NoCookie:      "Votre navigateur n'a pas gardé le cookie de session\u00a0: autorisez les cookies pour ce site, puis recommencez.",
	CrossOrigin:   "Cette demande ne vient pas de la page de la consultation\u00a0: elle a été refusée.",
	TooMany:       "Trop de demandes d'un coup. Patientez quelques secondes, puis réessayez.",
	TooBig:        "Ce message est trop long pour être envoyé.",
	BadRequest:    "Cette demande n'est pas valable.",
	NotFound:      "Cette page n'existe pas.",
	NotAllowed:    "Cette adresse ne s'utilise pas ainsi.",
	NotSaved:      "Votre message n'a pas pu être enregistré. Réessayez dans un instant.",
	Restarting:    "Le service redémarre. Réessayez dans un instant.",
	Unavailable:   "La page n'a pas pu s'afficher. Réessayez dans un instant.",
	DocumentGone:  "Ce fichier n'est plus disponible. Demandez-le de nouveau avec «\u00a0Mes données\u00a0».",
	TooManyStream: "Cette conversation est ouverte dans trop d'onglets. Fermez-en un, puis rechargez la page.",
}

var textsEN = texts{
	Lang:          flows.LangEN,
	OtherLang:     flows.LangFR,
	OtherLangName: "Français",
	SkipLink:      "Skip to the answer",
	Conversation:  "Conversation",
	You:           "You:",
	YourAnswer:    "Your answer",
	ChooseOne:     "Choose an answer",
	OtherChoices:  "Or else",
	TypeAnswer:    "Your answer",
	MaxChars:      "%d characters at most.",
	TypeMessage:   "Or type a message",
	TypeHint:      "You may also type the number or the name of an answer, “help” or “menu”.",
	Send:          "Send",
	Commands:      "More actions",
	CmdMenu:       "Themes",
	CmdAnswers:    "My answers",
	CmdMyData:     "My data",
	CmdErase:      "Erase my data",
	CmdHelp:       "Help",
	CmdLanguage:   "Français",
	Download:      "Download %s (%s)",
	Kilobytes:     "%d KB",
	Footer:        "One cookie, strictly necessary, keeps your place in the conversation. No tracking, no advertising.",
	NoScript:      "JavaScript is off: each answer reloads the page, and everything works.",
	Landing: []string{
		"Give your opinion on digital tools at school: computers, the internet, apps. Five themes, open questions, at your own pace.",
		"No account, no app: everything happens on this page.",
	},
	Start:         "Start",
	HaveCode:      "Started on another device?",
	CodeLabel:     "Continuation code",
	CodeHint:      "8 characters, for example ABCD-EFGH.",
	UseCode:       "Continue with this code",
	OtherDevice:   "Continue on another device",
	OtherDeviceP:  "Get a code to type on your other device: it will continue the conversation where you are.",
	GetCode:       "Get a code",
	YourCode:      "Your code: %s",
	TimeLayout:    "2 Jan 2006, 15:04",
	CodeValid:     "Valid once, until %s. On the other device, open this page and type it under “Started on another device?”.",
	Sending:       "Sending…",
	Retrying:      "Connection interrupted: trying again…",
	Offline:       "Connection lost. The answers you already sent are saved; reconnecting…",
	Reconnected:   "Connection restored.",
	Gap:           "Earlier messages can no longer be shown. Here is where you are:",
	Erased:        "Your data is erased and this device is forgotten. Thank you for your visit.",
	Continue:      "Continue",
	Redirecting:   "Opening the consultation…",
	ErrorTitle:    "Something went wrong",
	BackHome:      "Back to the conversation",
	TooLong:       "Your answer is %d characters long; the limit is %d. It was not sent: please shorten it.",
	Empty:         "Your message is empty.",
	BadCode:       "This code is not valid: it may have expired or been used already. Ask for a new one on the other device.",
	Expired:       "This page has expired. Reload it, then send your answer again.",
	NoCookie:      "Your browser did not keep the session cookie: allow cookies for this site, then start again.",
	CrossOrigin:   "This request does not come from the consultation's page: it was refused.",
	TooMany:       "Too many requests at once. Wait a few seconds, then try again.",
	TooBig:        "This message is too long to be sent.",
	BadRequest:    "This request is not valid.",
	NotFound:      "This page does not exist.",
	NotAllowed:    "This address is not used this way.",
	NotSaved:      "Your message could not be saved. Try again in a moment.",
	Restarting:    "The service is restarting. Try again in a moment.",
	Unavailable:   "The page could not be shown. Try again in a moment.",
	DocumentGone:  "This file is no longer available. Ask for it again with “My data”.",
	TooManyStream: "This conversation is open in too many tabs. Close one, then reload the page.",
}

// textsFor returns the texts of lang ("en", "en-GB"…), French otherwise.
func textsFor(lang string) *texts {
	if baseLang(lang) == flows.LangEN {
		return &textsEN
	}
	return &textsFR
}

// baseLang reduces "en-GB" to "en"; it returns "" for languages the page
// does not speak.
func baseLang(lang string) string {
	lang, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	switch lang {
	case flows.LangFR, flows.LangEN:
		return lang
	}
	return ""
}

// acceptLanguage returns the first language of an Accept-Language header
// that the page speaks, or "".
func acceptLanguage(header string) string {
	for part := range strings.SplitSeq(header, ",") {
		tag, q, _ := strings.Cut(part, ";")
		if strings.TrimSpace(q) == "q=0" {
			continue
		}
		if l := baseLang(tag); l != "" {
			return l
		}
	}
	return ""
}
