/**
 * "Did you mean": the known names nearest to an unknown one by edit distance. Pure; it never
 * decides whether a name is valid.
 */

/** Levenshtein distance with one rolling row: names are short, so O(n·m) is nothing. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Up to `limit` names ordered by distance (ties: shorter, then alphabetical). A name containing
 * the query, or contained by it, counts as close as its length difference allows.
 */
export function closestIds(query: string, names: Iterable<string>, limit = 3): string[] {
  const wanted = query.toLowerCase();
  const scored: { name: string; distance: number }[] = [];
  for (const name of new Set(names)) {
    const lower = name.toLowerCase();
    let distance = editDistance(wanted, lower);
    if (lower.includes(wanted) || wanted.includes(lower))
      distance = Math.min(distance, Math.abs(lower.length - wanted.length) / 2);
    if (distance <= Math.max(3, wanted.length * 0.6)) scored.push({ name, distance });
  }
  scored.sort((x, y) => x.distance - y.distance || x.name.length - y.name.length || x.name.localeCompare(y.name));
  return scored.slice(0, limit).map((s) => s.name);
}
