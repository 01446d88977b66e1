package digest

import (
	"time"
	_ "time/tzdata"

	"consultbot/flows"
)

// paris is the consultation's time zone. The test binary carries its own
// copy of the zone database, so the fixture does not depend on the host's.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Period of the fixture: one day, ending at 18:00 in Paris (17:00 UTC).
var (
	fixSince = time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)
	fixUntil = time.Date(2026, 11, 28, 17, 0, 0, 0, time.UTC)
)

// fixtureAnswer is a compact answer for the fixture: hours are relative to
// fixSince (negative: before the period).
type fixtureAnswer struct {
	id          uint64
	participant string
	theme, q    string
	hours       float64
	text        string
	voice       bool
	hidden      bool
}

var fixtureParticipants = []Participant{
	{ID: "telegram:101", Channel: "telegram", Profile: "parent", Academie: "Lyon"},
	{ID: "telegram:102", Channel: "telegram", Profile: "parent", Academie: "Créteil"},
	{ID: "telegram:103", Channel: "telegram", Profile: "parent", Academie: "Lille"},
	{ID: "telegram:104", Channel: "telegram", Profile: "parent"},
	{ID: "telegram:105", Channel: "telegram", Profile: "eleve", Academie: "Toulouse"},
	{ID: "discord:201", Channel: "discord", Profile: "enseignant", Academie: "Lyon"},
	{ID: "discord:202", Channel: "discord", Profile: "enseignant", Academie: "Créteil"},
	{ID: "discord:203", Channel: "discord", Profile: "direction", Academie: "Versailles"},
	{ID: "discord:204", Channel: "discord", Profile: "enseignant", Academie: "Lille"},
	{ID: "terminal:alice", Channel: "terminal", Profile: "partenaire"},
	{ID: "telegram:666", Channel: "telegram", Profile: "autre", Academie: "Paris", Banned: true},
}

var fixtureAnswers = []fixtureAnswer{
	// Égal accès · équipement.
	{1, "telegram:101", "acces", "equipement", -30, "Nous avons un seul ordinateur pour trois enfants.", false, false},
	{11, "telegram:101", "acces", "equipement", 2, "Beaucoup de familles n'ont qu'un seul ordinateur pour trois enfants : pendant le confinement, c'était impossible de suivre les cours en même temps.", false, false},
	{12, "telegram:102", "acces", "equipement", 3, "Il faudrait prêter un ordinateur portable à chaque élève dès la sixième, avec une connexion internet gratuite pour les familles qui n'en ont pas.", false, false},
	{13, "discord:201", "acces", "equipement", 4, "Un ordinateur par élève & une connexion gratuite pour les familles : c'est *la base* pour que l'école reste gratuite pour <tous>.", false, false},
	{14, "telegram:103", "acces", "equipement", 5, "La connexion internet est trop lente dans notre village, les devoirs en ligne ne se chargent pas le soir.", false, false},
	{15, "telegram:104", "acces", "equipement", 6, "Prêter des tablettes, c'est bien, mais il faut aussi former les parents à s'en servir <vraiment> & sans jargon.", false, false},
	{16, "telegram:105", "acces", "equipement", 7, "", true, false},
	{17, "discord:202", "acces", "equipement", 8, "Contenu insultant <script>alert(1)</script> @everyone", false, true},
	{18, "telegram:666", "acces", "equipement", 9, "Achetez nos ordinateurs !!! https://example.com @everyone", false, false},
	// Égal accès · illectronisme.
	{21, "telegram:102", "acces", "illectronisme", 10, "Des ateliers pour les parents à l'école, le samedi matin, pour apprendre à utiliser l'ENT et Pronote.", false, false},
	{22, "discord:203", "acces", "illectronisme", 11, "Former les parents éloignés du numérique avec des ateliers gratuits dans les écoles et les médiathèques, avec des médiateurs numériques.", false, false},
	{23, "terminal:alice", "acces", "illectronisme", 12, "Notre association anime des ateliers numériques pour les parents : il faudrait les financer durablement, avec les collectivités, et les faire connaître par l'école (affiches, cahier de liaison, réunions de rentrée). Beaucoup de parents n'osent pas dire qu'ils ne savent pas se servir d'un ordinateur, alors il faut des ateliers sans jugement, près de chez eux, à des horaires compatibles avec le travail **et** la garde des enfants.", false, false},
	// Enseigner · compétences.
	{31, "discord:201", "enseigner", "competences", -5, "Savoir chercher une information et vérifier ses sources.", false, false},
	{32, "discord:202", "enseigner", "competences", 13, "Les élèves doivent apprendre à vérifier une source et à repérer les fausses informations, dès le collège.", false, false},
	{33, "discord:204", "enseigner", "competences", 14, "Vérifier les sources, comprendre les algorithmes des réseaux sociaux : c'est une compétence citoyenne pour tous les élèves.", false, false},
	{34, "telegram:105", "enseigner", "competences", 15, "Apprendre à coder un peu, mais surtout à protéger ses données personnelles.", false, false},
	{35, "discord:204", "enseigner", "competences", 16, "", true, false},
	// Gouvernance · parents.
	{41, "telegram:103", "gouvernance", "parents", -2, "Les parents ne sont jamais consultés sur les outils choisis.", false, false},
	{42, "telegram:104", "gouvernance", "parents", 17, "Associer les représentants des parents aux choix des outils numériques de l'établissement, et expliquer à quoi servent les données collectées.", false, false},
	{43, "telegram:101", "gouvernance", "parents", 18, "Un seul ENT pour toute la scolarité, pas trois applications différentes selon les enseignants.", false, false},
	// Created after Until: not in this digest at all.
	{51, "telegram:102", "gouvernance", "parents", 30, "Réponse arrivée après la synthèse.", false, false},
}

// fixtureProgress is each participant's progress, by theme.
var fixtureProgress = map[string]map[string]Progress{
	"telegram:101":   {"acces": {Answered: []string{"equipement"}, Current: "besoins"}, "gouvernance": {Answered: []string{"modele", "partenariats", "parents", "crises"}, Confirmed: true}},
	"telegram:102":   {"acces": {Answered: []string{"equipement", "besoins", "territoires", "services", "illectronisme"}, Confirmed: true}, "gouvernance": {Answered: []string{"modele", "partenariats", "parents"}}},
	"telegram:103":   {"acces": {Answered: []string{"equipement"}}, "gouvernance": {Answered: []string{"parents"}}},
	"telegram:104":   {"acces": {Answered: []string{"equipement"}}, "gouvernance": {Answered: []string{"parents", "crises"}}},
	"telegram:105":   {"acces": {Answered: []string{"equipement", "besoins", "territoires"}}, "enseigner": {Answered: []string{"competences"}}},
	"discord:201":    {"acces": {Answered: []string{"equipement", "besoins", "territoires", "services", "illectronisme"}, Confirmed: true}, "enseigner": {Answered: []string{"competences"}, Current: "outils"}},
	"discord:202":    {"acces": {Current: "equipement"}, "enseigner": {Answered: []string{"competences"}}},
	"discord:203":    {"acces": {Answered: []string{"equipement", "besoins", "territoires", "services", "illectronisme"}}},
	"discord:204":    {"enseigner": {Answered: []string{"competences", "outils", "formation", "distance", "donnees", "espaces", "evaluation", "primaire", "pro"}, Confirmed: true}},
	"terminal:alice": {"acces": {Answered: []string{"equipement", "besoins", "territoires", "services", "illectronisme"}, Confirmed: true}},
	"telegram:666":   {"acces": {Answered: []string{"equipement"}}},
}

// fixture returns a realistic French snapshot: four themes' worth of
// answers from parents on Telegram and teachers on Discord, one hidden
// answer, one banned participant, voice notes, answers before the period
// and one after it.
func fixture(lang string) Input {
	byID := map[string]Participant{}
	var ps []Participant
	for _, p := range fixtureParticipants {
		p.CreatedAt = fixSince.Add(-48 * time.Hour)
		p.Themes = fixtureProgress[p.ID]
		ps = append(ps, p)
		byID[p.ID] = p
	}
	var as []Answer
	for _, f := range fixtureAnswers {
		p := byID[f.participant]
		at := fixSince.Add(time.Duration(f.hours * float64(time.Hour)))
		as = append(as, Answer{
			ID: f.id, Participant: f.participant, Channel: p.Channel, Profile: p.Profile,
			Academie: p.Academie, Theme: f.theme, Question: f.q, Text: f.text,
			Voice: f.voice, Hidden: f.hidden, CreatedAt: at, UpdatedAt: at,
		})
	}
	return Input{
		Questionnaire: flows.DefaultQuestionnaire(),
		Answers:       as, Participants: ps,
		Since: fixSince, Until: fixUntil, Lang: lang,
	}
}
