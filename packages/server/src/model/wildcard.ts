/**
 * The one wildcard matcher: `*` matches any run of characters (none included), every other
 * character itself. Used for CORS origins and headers and for CAM-style policy actions and resources.
 *
 * Never a regular expression built from user input: a pattern like `*a*a*a*...*b` makes a
 * backtracking engine try exponentially many splits, and one request would freeze the server. The
 * greedy two-pointer walk below remembers only the last `*` seen; when a literal run fails it lets
 * that `*` swallow one more character and retries from there. A later `*` never needs to undo an
 * earlier one's choice, so the work is bounded by pattern length times value length, whatever the
 * input.
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
  let p = 0;
  let v = 0;
  // The position just after the last `*` seen, and where in the value its run currently ends.
  let resumeP = -1;
  let resumeV = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] === '*') {
      resumeP = ++p;
      resumeV = v;
    } else if (p < pattern.length && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (resumeP >= 0) {
      p = resumeP;
      v = ++resumeV;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** How many `*` a pattern holds. */
export function wildcardCount(pattern: string): number {
  let n = 0;
  for (const c of pattern) if (c === '*') n++;
  return n;
}
