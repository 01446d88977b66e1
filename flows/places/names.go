package places

// Academies returns the canonical names of the 30 académies, sorted.
func Academies() []string {
	names := make([]string, len(academieDefs))
	for i, a := range academieDefs {
		names[i] = a.name
	}
	return names
}
