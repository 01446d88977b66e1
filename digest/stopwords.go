package digest

import "strings"

// frenchStopWords are the words left out of "most frequent words": articles,
// pronouns, prepositions, conjunctions, common adverbs and the most frequent
// forms of être, avoir, faire, pouvoir, devoir, falloir, aller and vouloir,
// plus a few words every answer to a consultation uses ("chose", "exemple")
// and that tell an organiser nothing. Words shorter than three letters are
// dropped before this list is consulted, so most of them are not repeated
// here. They are matched accent-folded, so "très" also stops "tres".
var frenchStopWords = strings.Fields(`
a à afin ai aie aient aies ait alors as assez au aucun aucune aujourd auprès auquel aura aurai auraient
aurais aurait auras aurez auriez aurions aurons auront aussi autant autre autres aux auxquels avaient
avais avait avant avec avez aviez avions avoir avons ayant ayez ayons
beaucoup bien bon bonne
ça car ce ceci cela celle celles celui cependant certain certaine certaines certains ces cet cette
ceux chacun chacune chaque chez chose choses ci comme comment contre
dans davantage de déjà depuis des desquels dessous dessus deux devant devez devoir devons devrait
devraient doit doivent donc dont du duquel durant
elle elles en encore entre est et étaient étais était étant été êtes étiez étions être eu eue eues
eûmes eurent eus eusse eussent eut eux exemple
faire fais faisait fait faites fasse faudra faudrait faut font fois
hui ici il ils
je jamais jusqu jusque
la là laquelle le lequel les lesquelles lesquels leur leurs lors lorsque lui
ma mais me même mêmes mes moi moins mon
ne ni non nos notre nous
on ont ou où oui
par parce parfois pas pendant peu peut peuvent peux plupart plus plusieurs plutôt pour pourquoi
pourrait pourraient pouvoir pouvons puis puisque
qu quand que quel quelle quelles quels quelque quelques qui quoi
sa sans se selon ses seul seule seulement si sien soi soient sois soit sommes son sont souvent
soyez soyons suis sur surtout
ta tant te tel telle telles tels tes toi ton toujours tous tout toute toutes très trop tu
un une vers veut veulent via voici voilà vont vos votre vous
y
abord ailleurs ainsi après autour autrement avoir ayant bref ceux-ci côté dedans dehors désormais
dès donc également enfin ensuite environ etc hors juste là-bas longtemps lorsqu malgré mieux ni
notamment parmi partout pourtant près presque quant quasi quoique sinon sous tandis tard tôt
toujours trop vraiment vite voire
allons allez aller va vais vas irait iront serait seraient sera serai seront serons seriez
avaient aurait auraient aura font faisons faisaient ferait feraient fera feront
puisse puissent pourra pourront pouvait pouvaient veux voulons voulez voudrait voudraient vouloir
dois devait devaient devra devront falloir fallait
cet celles-ci celle-ci celui-ci cela ceci ceux-là celle-là celui-là
nôtre nôtres vôtre vôtres mien mienne miens miennes tienne tiens tiennes siens sienne siennes
quiconque rien personne certes oui non ok merci
elles-mêmes eux-mêmes lui-même elle-même moi-même nous-mêmes vous-mêmes soi-même
car donc or ni mais ou et
chez contre depuis derrière devant entre envers hormis jusqu outre pendant pour sans sauf
selon sous suivant sur vers
beaucoup combien davantage guère moins pas peu plus tant tellement trop autant aussi si
déjà encore jamais parfois souvent toujours maintenant alors ensuite puis tantôt
ici là ailleurs partout dessus dessous dedans dehors loin près
également ainsi comme comment pourquoi quand
premier première premiers premières dernier dernière
choses truc trucs gens avis pense pensons pensez penser crois croyons trouve trouvons
semble semblent sembler doit doivent serait etre avoir faire
cela ça ceci
dont duquel desquelles auxquelles auxquels
lesquels lesquelles laquelle lequel
quelqu quelconque tel telle tels telles
chacun chacune aucun aucune nul nulle
autrui plusieurs certains certaines divers diverses
`)

// stopSet holds frenchStopWords accent-folded and lower-cased.
var stopSet = buildStopSet(frenchStopWords)

func buildStopSet(words []string) map[string]bool {
	set := make(map[string]bool, len(words))
	for _, w := range words {
		// Hyphenated entries are split like the tokenizer splits text.
		for _, part := range strings.Split(w, "-") {
			set[foldAccents(strings.ToLower(part))] = true
		}
	}
	return set
}

// isStopWord reports whether the accent-folded, lower-cased word is a
// French stop word.
func isStopWord(folded string) bool { return stopSet[folded] }
