package places

// Academies returns the canonical names of the 30 académies, sorted.
func Academies() []string {
	names := make([]string, len(academieDefs))
	for i, a := range academieDefs {
		names[i] = a.name
	}
	return names
}

// AcademieCode returns the stable code of the académie of that canonical
// name, the slug of its ID ("aix-marseille", "clermont", "la-reunion");
// "" for a name that is no académie's.
func AcademieCode(name string) string {
	for _, a := range academieDefs {
		if a.name == name {
			return a.slug
		}
	}
	return ""
}
