/**
 * Days as lifecycle rules and restores count them, on a clock the server may run faster than real
 * time (`timeScale`: 86400 makes a day last one second), so that tests and demos see transitions,
 * expirations and restores happen without waiting days.
 */

export const REAL_DAY_MS = 24 * 60 * 60 * 1000;

/** How many real milliseconds one day lasts at this time scale. */
export function dayMs(timeScale: number): number {
  return REAL_DAY_MS / timeScale;
}

/** A real duration (ms) as it passes at this time scale. */
export function scaled(durationMs: number, timeScale: number): number {
  return durationMs / timeScale;
}

/**
 * The instant `days` days after `from`, rounded up to the next day boundary (midnight UTC at time
 * scale 1), as S3 counts lifecycle and restore days: an object written at 10:30 with a one-day rule
 * is acted on from midnight after the next day begins, never earlier than a full day.
 */
export function afterDays(from: number, days: number, timeScale: number): number {
  const day = dayMs(timeScale);
  return Math.ceil((from + days * day) / day) * day;
}
