/**
 * Intelligent tiering (`?intelligenttiering`, COS's IntelligentTieringConfiguration): objects of the
 * INTELLIGENT_TIERING class start in the FREQUENT tier and move to INFREQUENT after `Days` without a
 * read; a read moves them back. The tier is reported in `x-cos-storage-tier` as COS does.
 */
import { buildXml, CosError, xmlChild } from '@cosbox/protocol';
import type { BucketRecord, ObjectRecord } from '../storage/metadata/store.js';
import { choice, rootOf, wholeNumber } from './config-doc.js';

export const MAX_TIERING_BYTES = 16 * 1024;
export const TIERING_CLASS = 'INTELLIGENT_TIERING';
/** The days COS accepts. */
const TIERING_DAYS = [30, 60, 90];

export interface TieringConfig {
  status: 'Enabled' | 'Suspended';
  days: number;
}

export function tieringFromXml(text: string): TieringConfig {
  const root = rootOf(text, 'IntelligentTieringConfiguration');
  const status = choice(root.Status, 'Status', ['Enabled', 'Suspended'] as const);
  const transition = xmlChild(root.Transition);
  if (!transition) throw new CosError('MalformedXML', 'IntelligentTieringConfiguration needs Transition.');
  const days = wholeNumber(transition.Days, 'Days', 1, 365);
  if (!TIERING_DAYS.includes(days)) throw new CosError('InvalidArgument', 'Days must be 30, 60 or 90.');
  if (transition.RequestFrequent !== undefined) wholeNumber(transition.RequestFrequent, 'RequestFrequent', 1, 1);
  return { status, days };
}

/** What GET answers; a bucket never configured reads as Suspended with COS's defaults. */
export function tieringDocument(config: TieringConfig | undefined): string {
  const c = config ?? { status: 'Suspended', days: 30 };
  return buildXml('IntelligentTieringConfiguration', { Status: c.status, Transition: { Days: c.days, RequestFrequent: 1 } });
}

export function tieringOf(bucket: BucketRecord | undefined): TieringConfig | undefined {
  return bucket?.configs?.intelligenttiering as TieringConfig | undefined;
}

/** x-cos-storage-tier, kept among an object's metadata headers once it left the FREQUENT tier. */
export const STORAGE_TIER = 'x-cos-storage-tier';

/** The tier an INTELLIGENT_TIERING object is in (FREQUENT until the worker moves it); undefined for other classes. */
export function tierOf(record: ObjectRecord): 'FREQUENT' | 'INFREQUENT' | undefined {
  if (record.storageClass !== TIERING_CLASS) return undefined;
  return record.meta[STORAGE_TIER] === 'INFREQUENT' ? 'INFREQUENT' : 'FREQUENT';
}
