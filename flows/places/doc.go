// Package places recognises the French places people type when asked where
// they live: communes, the arrondissements of Paris, Lyon and Marseille,
// départements, régions and académies, each tied to the académie that
// flows records. « Montreuil », « st denis 93 », « Paris 15e », « 75015 »,
// « Bordeau », « 2a » and « académie de Aix-Marseille » are all understood;
// « je ne sais pas » is not a place.
//
// The table is compiled from the npm package @etalab/decoupage-administratif
// (official geography with populations) and embedded, gzip'd, in
// places.tsv.gz; it is parsed once, on the first Lookup or ByID, and nothing
// is read from disk or network at run time. To refresh it:
//
//	npm install --prefix /tmp/decoupage @etalab/decoupage-administratif@6.0.0
//	DECOUPAGE=/tmp/decoupage go generate ./flows/places
//
// The académie of each département is written in academies.go, not taken
// from that package. The package imports only the standard library, like
// flows, which uses it.
package places
