/** Edit distance for "did you mean" suggestions (Damerau-free Levenshtein; inputs are short ids). */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** Candidates within maxDistance of the input, closest first. */
export function closest(input: string, candidates: readonly string[], maxDistance: number): string[] {
  return candidates
    .map((candidate) => ({ candidate, distance: editDistance(input, candidate) }))
    .filter(({ distance }) => distance <= maxDistance)
    .sort((x, y) => x.distance - y.distance)
    .map(({ candidate }) => candidate);
}

/** Orders all candidates by similarity to the input (for "the region offers these ids, closest first"). */
export function bySimilarity(input: string, candidates: readonly string[]): string[] {
  return [...candidates].sort((x, y) => editDistance(input, x) - editDistance(input, y));
}
