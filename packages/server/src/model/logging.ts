/**
 * Access logs of a bucket (`?logging`): the BucketLoggingStatus document, and the line cosbox writes
 * for each request to a bucket with logging on.
 *
 * The target bucket must exist, be in the same region and belong to the source bucket's owner
 * (cosbox's rule for "the target bucket's owner must allow it": no cross-account delivery).
 */
import { buildXml, CosError, xmlChild } from '@cosbox/protocol';
import type { BucketRecord } from '../storage/metadata/store.js';
import { optionalText, requiredText, rootOf } from './config-doc.js';

export const MAX_LOGGING_BYTES = 16 * 1024;

export interface LoggingConfig {
  targetBucket: string;
  targetPrefix: string;
}

/** The configuration a document sets, undefined for an empty BucketLoggingStatus (logging off). */
export function loggingFromXml(text: string): LoggingConfig | undefined {
  const root = rootOf(text, 'BucketLoggingStatus');
  if (root.LoggingEnabled === undefined) {
    if (Object.keys(root).length > 0) throw new CosError('MalformedXML', 'BucketLoggingStatus holds only LoggingEnabled.');
    return undefined;
  }
  const e = xmlChild(root.LoggingEnabled);
  if (!e || Array.isArray(root.LoggingEnabled)) throw new CosError('MalformedXML', 'LoggingEnabled needs TargetBucket.');
  return {
    targetBucket: requiredText(e.TargetBucket, 'TargetBucket', 64),
    targetPrefix: optionalText(e.TargetPrefix, 'TargetPrefix', 512) ?? '',
  };
}

/** InvalidTargetBucketForLogging unless the target is a bucket of the same owner in the same region. */
export function checkLoggingTarget(source: BucketRecord, target: BucketRecord | undefined): void {
  if (!target || target.ownerUin !== source.ownerUin || target.region !== source.region) throw new CosError('InvalidTargetBucketForLogging');
}

export function loggingDocument(config: LoggingConfig | undefined): string {
  if (!config) return buildXml('BucketLoggingStatus', {});
  return buildXml('BucketLoggingStatus', { LoggingEnabled: { TargetBucket: config.targetBucket, TargetPrefix: config.targetPrefix } });
}

export function loggingOf(bucket: BucketRecord | undefined): LoggingConfig | undefined {
  return bucket?.configs?.logging as LoggingConfig | undefined;
}

/** What the pipeline knows of a finished request. */
export interface RequestFacts {
  time: number;
  bucket: string;
  region: string;
  operation: string;
  method: string;
  path: string;
  query: string;
  status: number;
  errorCode: string;
  requestBytes: number;
  responseBytes: number;
  totalMs: number;
  requester: string;
  requestId: string;
  remoteIp: string;
  userAgent: string;
  referer: string;
}

/**
 * The fields of a log line, in this order, named as COS names them (COS documents more fields, for
 * services cosbox does not have; the order here is cosbox's and is the README's table).
 */
export const LOG_FIELDS = [
  'eventVersion', 'bucketName', 'qcsRegion', 'eventTime', 'eventSource', 'eventName', 'remoteIp', 'requester',
  'reqMethod', 'reqPath', 'reqQuery', 'reqBytesSent', 'resBytesSent', 'resHttpCode', 'resErrorCode', 'resTotalTime',
  'userAgent', 'referer', 'requestId',
] as const;

/** One log line: fields separated by spaces, each percent-encoded ('-' when empty), so no value can split a line. */
export function logLine(f: RequestFacts): string {
  const values = [
    '1.0', f.bucket, f.region, new Date(f.time).toISOString(), 'cosbox', f.operation, f.remoteIp, f.requester,
    f.method, f.path, f.query, f.requestBytes, f.responseBytes, f.status, f.errorCode, f.totalMs,
    f.userAgent, f.referer, f.requestId,
  ];
  return values.map((v) => (String(v) === '' ? '-' : encodeURIComponent(String(v)))).join(' ');
}

/** The key of a delivered log object: under the prefix, by date, unique per delivery. */
export function logObjectKey(prefix: string, sourceBucket: string, time: number, sequence: number): string {
  const iso = new Date(time).toISOString();
  const stamp = iso.slice(0, 19).replace(/[-:T]/g, '');
  return `${prefix}${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${stamp}_${sourceBucket}_${sequence}`;
}
