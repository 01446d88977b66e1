// Command gen turns the JSON files of the npm package
// @etalab/decoupage-administratif into the compact table that package places
// embeds (a gzip'd, tab-separated file sorted by code).
//
// Usage, from the repository root:
//
//	npm install --prefix /tmp/decoupage @etalab/decoupage-administratif@6.0.0
//	DECOUPAGE=/tmp/decoupage go generate ./flows/places
//
// The output has one line per record, fields separated by tabs:
//
//	R code name                         région
//	D code région name                  département
//	C code population name postcodes    commune (postcodes comma-separated)
//	A code population name postcodes parent
//	                                    municipal arrondissement of Paris, Lyon, Marseille
//	F parent name                       former commune (déléguée or associée) merged into parent
//
// The département of a commune is the first two characters of its code (three
// for codes starting with 97 or 98). Places without inhabitants (the French
// Southern Lands, Clipperton) are left out.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// version is the pinned version of @etalab/decoupage-administratif; the
// generator refuses any other so that the table is reproducible.
const version = "6.0.0"

type region struct {
	Code string `json:"code"`
	Nom  string `json:"nom"`
	Zone string `json:"zone"`
}

type departement struct {
	Code   string `json:"code"`
	Region string `json:"region"`
	Nom    string `json:"nom"`
	Zone   string `json:"zone"`
}

type commune struct {
	Code        string   `json:"code"`
	Nom         string   `json:"nom"`
	Type        string   `json:"type"`
	Departement string   `json:"departement"`
	Population  *int     `json:"population"`
	CodesPostal []string `json:"codesPostaux"`
	Commune     string   `json:"commune"`
	ChefLieu    string   `json:"chefLieu"`
}

func main() {
	prefix := flag.String("prefix", os.Getenv("DECOUPAGE"), "npm --prefix directory where @etalab/decoupage-administratif is installed (default $DECOUPAGE)")
	out := flag.String("out", "places.tsv.gz", "output file")
	flag.Parse()
	if err := run(*prefix, *out); err != nil {
		log.Fatal(err)
	}
}

func run(prefix, out string) error {
	if prefix == "" {
		return errors.New("set DECOUPAGE or -prefix to the npm install prefix (see the package comment)")
	}
	pkg := filepath.Join(prefix, "node_modules", "@etalab", "decoupage-administratif")
	var meta struct{ Version string }
	if err := readJSON(filepath.Join(pkg, "package.json"), &meta); err != nil {
		return err
	}
	if meta.Version != version {
		return fmt.Errorf("found @etalab/decoupage-administratif %s, want %s", meta.Version, version)
	}
	var (
		regions  []region
		depts    []departement
		communes []commune
	)
	for name, v := range map[string]any{"regions.json": &regions, "departements.json": &depts, "communes.json": &communes} {
		if err := readJSON(filepath.Join(pkg, "data", name), v); err != nil {
			return err
		}
	}
	data, err := encode(regions, depts, communes)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %q: %w", out, err)
	}
	log.Printf("wrote %s: %d bytes (%d before gzip)", out, buf.Len(), len(data))
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %q: %w", path, err)
	}
	return nil
}

// encode writes the table. Records are sorted so that the output only
// changes when the data does.
func encode(regions []region, depts []departement, communes []commune) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# @etalab/decoupage-administratif %s\n", version)

	populated := map[string]bool{} // départements with inhabitants
	current := map[string]commune{}
	arrPostcodes := map[string]map[string]bool{} // parent commune → postcodes of its arrondissements
	for _, c := range communes {
		switch c.Type {
		case "commune-actuelle", "arrondissement-municipal":
			if c.Population == nil || *c.Population == 0 {
				continue
			}
			populated[c.Departement] = true
			if c.Type == "commune-actuelle" {
				current[c.Code] = c
			} else {
				if arrPostcodes[c.Commune] == nil {
					arrPostcodes[c.Commune] = map[string]bool{}
				}
				for _, p := range c.CodesPostal {
					arrPostcodes[c.Commune][p] = true
				}
			}
		}
	}

	slices.SortFunc(regions, func(a, b region) int { return strings.Compare(a.Code, b.Code) })
	for _, r := range regions {
		if r.Zone == "com" { // a collectivité's "région" is itself; kept as a département only
			continue
		}
		fmt.Fprintf(&b, "R\t%s\t%s\n", r.Code, r.Nom)
	}
	slices.SortFunc(depts, func(a, b departement) int { return strings.Compare(a.Code, b.Code) })
	for _, d := range depts {
		if !populated[d.Code] {
			continue
		}
		fmt.Fprintf(&b, "D\t%s\t%s\t%s\n", d.Code, d.Region, d.Nom)
	}

	var rows, former []string
	for _, c := range communes {
		switch c.Type {
		case "commune-actuelle", "arrondissement-municipal":
			if c.Population == nil || *c.Population == 0 {
				continue
			}
			if got := deptOf(c.Code); got != c.Departement {
				return nil, fmt.Errorf("commune %s: département %s, code gives %s", c.Code, c.Departement, got)
			}
			if strings.ContainsAny(c.Nom, "\t\n") {
				return nil, fmt.Errorf("commune %s: name %q has a tab or newline", c.Code, c.Nom)
			}
			var pcs []string
			for _, p := range c.CodesPostal {
				if !arrPostcodes[c.Code][p] { // Paris 75015 names the 15th, not the whole city
					pcs = append(pcs, p)
				}
			}
			slices.Sort(pcs)
			pcs = slices.Compact(pcs)
			pop := strconv.Itoa(*c.Population)
			if c.Type == "commune-actuelle" {
				rows = append(rows, strings.Join([]string{"C", c.Code, pop, c.Nom, strings.Join(pcs, ",")}, "\t"))
			} else {
				rows = append(rows, strings.Join([]string{"A", c.Code, pop, c.Nom, strings.Join(pcs, ","), c.Commune}, "\t"))
			}
		case "commune-deleguee", "commune-associee":
			parent, ok := current[c.ChefLieu]
			if !ok || parent.Nom == c.Nom {
				continue
			}
			former = append(former, "F\t"+c.ChefLieu+"\t"+c.Nom)
		}
	}
	byCode := func(a, b string) int {
		return strings.Compare(strings.SplitN(a, "\t", 3)[1], strings.SplitN(b, "\t", 3)[1])
	}
	slices.SortStableFunc(rows, byCode)
	slices.Sort(former)
	former = slices.Compact(former)
	for _, r := range append(rows, former...) {
		b.WriteString(r)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// deptOf derives the département code from an INSEE commune code.
func deptOf(code string) string {
	if strings.HasPrefix(code, "97") || strings.HasPrefix(code, "98") {
		return code[:3]
	}
	return code[:2]
}
