/**
 * Archived objects and POST Object restore (FEATURES §1.11.10, C233-C237). An ARCHIVE or DEEP_ARCHIVE
 * object's bytes cannot be read (InvalidObjectState) until a restore has made a temporary copy,
 * which stays readable for the requested days. The restore takes the time COS documents for the
 * class and tier, shortened by the server's time scale. Everything follows from the instants kept in
 * the object's `restore` field and the clock: nothing runs when a restore finishes or expires.
 */
import { CosError, httpDate, parseXml, xmlChild, xmlText } from '@cosbox/protocol';
import type { ObjectRecord, RestoreState } from '../storage/metadata/store.js';
import { afterDays, scaled } from './clock.js';

export type RestoreTier = RestoreState['tier'];
export const RESTORE_TIERS: readonly RestoreTier[] = ['Expedited', 'Standard', 'Bulk'];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * How long a restore takes, by class and tier: the upper end of what COS documents (ARCHIVE:
 * Expedited "15 minutes" in seed 002, Standard 3-5 hours, Bulk 5-12 hours; DEEP_ARCHIVE: Standard
 * within 24 hours, Bulk within 48 hours, no Expedited tier).
 */
export const RESTORE_DURATION_MS: Readonly<Record<'ARCHIVE' | 'DEEP_ARCHIVE', Partial<Record<RestoreTier, number>>>> = {
  ARCHIVE: { Expedited: 15 * MINUTE, Standard: 5 * HOUR, Bulk: 12 * HOUR },
  DEEP_ARCHIVE: { Standard: 24 * HOUR, Bulk: 48 * HOUR },
};

/** The classes whose bytes need a restore before they can be read. */
export function isArchived(storageClass: string): storageClass is 'ARCHIVE' | 'DEEP_ARCHIVE' {
  return storageClass === 'ARCHIVE' || storageClass === 'DEEP_ARCHIVE';
}

export interface RestoreRequest {
  days: number;
  tier: RestoreTier;
}

/**
 * `<RestoreRequest><Days>N</Days><CASJobParameters><Tier>T</Tier></CASJobParameters></RestoreRequest>`;
 * 004 prints the children without the root, which is taken too. The tier defaults to Standard
 * (FEATURES §5 #29). MalformedXML when Days is missing, InvalidArgument for values out of range.
 */
export function restoreRequestFromXml(xml: string): RestoreRequest {
  const parsed = parseXml(xml);
  const doc = parsed.RestoreRequest === undefined ? (parsed.Days !== undefined ? parsed : undefined) : xmlChild(parsed.RestoreRequest);
  if (!doc) throw new CosError('MalformedXML', 'The body must be a RestoreRequest document with Days.');
  const daysText = xmlText(doc.Days)?.trim();
  if (daysText === undefined || daysText === '') throw new CosError('MalformedXML', 'The RestoreRequest needs Days.');
  if (!/^\d+$/.test(daysText) || Number(daysText) < 1 || !Number.isSafeInteger(Number(daysText))) {
    throw new CosError('InvalidArgument', `Days must be a positive integer number of days, not "${daysText}".`);
  }
  const job = doc.CASJobParameters === undefined ? undefined : xmlChild(doc.CASJobParameters);
  if (doc.CASJobParameters !== undefined && !job) throw new CosError('MalformedXML', 'CASJobParameters must hold a Tier.');
  const tierText = xmlText(job?.Tier)?.trim();
  let tier: RestoreTier = 'Standard';
  if (tierText !== undefined) {
    const found = RESTORE_TIERS.find((t) => t.toLowerCase() === tierText.toLowerCase());
    if (!found) throw new CosError('InvalidArgument', `Tier must be Expedited, Standard or Bulk, not "${tierText}".`);
    tier = found;
  }
  return { days: Number(daysText), tier };
}

/** Where an object's restore stands at `now`: under way, readable, or none (never asked, or expired). */
export function restorePhase(record: ObjectRecord, now: number): 'ongoing' | 'restored' | 'none' {
  const r = record.restore;
  if (!r) return 'none';
  if (now < r.readyAt) return 'ongoing';
  return now < r.expiresAt ? 'restored' : 'none';
}

/** `x-cos-restore` on HEAD and GET, as S3's x-amz-restore: absent when there is no restore (or it expired). */
export function restoreHeader(record: ObjectRecord, now: number): string | undefined {
  switch (restorePhase(record, now)) {
    case 'ongoing':
      return 'ongoing-request="true"';
    case 'restored':
      return `ongoing-request="false", expiry-date="${httpDate(record.restore!.expiresAt)}"`;
    default:
      return undefined;
  }
}

/** Reading an archived object's bytes needs a restored copy (C237). */
export function requireReadable(record: ObjectRecord, now: number): void {
  if (!isArchived(record.storageClass) || restorePhase(record, now) === 'restored') return;
  const why = restorePhase(record, now) === 'ongoing' ? 'its restore is still in progress' : 'restore it first (POST Object restore)';
  throw new CosError('InvalidObjectState', `The object is in the ${record.storageClass} storage class and cannot be read: ${why}.`);
}

/**
 * What a restore request does to an object at `now` (inside the store's update): 202 with a new
 * restore under way; 200 when a restored copy exists, whose expiry then moves to `days` from now
 * (as S3 and COS extend it); RestoreAlreadyInProgress while one runs; InvalidObjectState for an
 * object that is not archived; InvalidArgument for a tier the class does not offer.
 */
export function applyRestore(current: ObjectRecord, request: RestoreRequest, now: number, timeScale: number): { object: ObjectRecord; status: 200 | 202 } {
  if (!isArchived(current.storageClass)) {
    throw new CosError('InvalidObjectState', `Only ARCHIVE and DEEP_ARCHIVE objects are restored; this one is ${current.storageClass}.`);
  }
  const duration = RESTORE_DURATION_MS[current.storageClass][request.tier];
  if (duration === undefined) {
    throw new CosError('InvalidArgument', `${current.storageClass} objects are restored with the Standard or Bulk tier, not ${request.tier}.`);
  }
  const phase = restorePhase(current, now);
  if (phase === 'ongoing') throw new CosError('RestoreAlreadyInProgress');
  if (phase === 'restored') {
    const restore = { ...current.restore!, days: request.days, expiresAt: afterDays(now, request.days, timeScale) };
    return { object: { ...current, restore }, status: 200 };
  }
  const readyAt = now + scaled(duration, timeScale);
  const restore: RestoreState = { tier: request.tier, days: request.days, requestedAt: now, readyAt, expiresAt: afterDays(readyAt, request.days, timeScale) };
  return { object: { ...current, restore }, status: 202 };
}
