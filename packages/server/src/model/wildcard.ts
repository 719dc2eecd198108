/**
 * The one wildcard matcher: `*` matches any run of characters (none included), every other
 * character itself. Used for CORS origins and headers and for CAM-style policy actions and resources.
 *
 * Never a regular expression built from user input: a pattern like `*a*a*a*...*b` makes a
 * backtracking engine try exponentially many splits, and one request would freeze the server.
 * Instead the pattern is cut at its stars into literal pieces: the first must start the value, the
 * last must end it, and the ones between are placed greedily, each at its leftmost occurrence after
 * the one before. Leftmost is always safe (it leaves the most room for the rest), so no choice is
 * ever undone: one forward pass with String.indexOf, whose engine search is linear, whatever the
 * pattern.
 */

export interface WildcardOptions {
  /** Compare letters case-insensitively (HTTP header names). */
  caseInsensitive?: boolean;
}

export function wildcardMatch(pattern: string, value: string, options: WildcardOptions = {}): boolean {
  if (options.caseInsensitive) {
    pattern = pattern.toLowerCase();
    value = value.toLowerCase();
  }
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === value;
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (first.length + last.length > value.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  // The middle pieces must fit, in order, between the first and the last.
  let from = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i];
    if (piece === '') continue;
    const at = value.indexOf(piece, from);
    if (at < 0 || at + piece.length > end) return false;
    from = at + piece.length;
  }
  return true;
}

/** How many `*` a pattern holds. */
export function wildcardCount(pattern: string): number {
  let n = 0;
  for (const c of pattern) if (c === '*') n++;
  return n;
}
