/** The headers that describe a stored object on GET, HEAD and write responses (C207, C210, C211). */
import { headerValueFromText, httpDate, RESPONSE_OVERRIDES, spellHeader } from '@cosbox/protocol';
import { restoreHeader } from '../model/restore.js';
import { tierOf } from '../model/intelligent-tiering.js';
import type { ObjectRecord } from '../storage/metadata/store.js';

/** x-cos-version-id for an object written to a bucket with versioning (none before it was enabled). */
export function versionHeader(record: ObjectRecord): Record<string, string> {
  return record.versionId === undefined ? {} : { 'x-cos-version-id': record.versionId };
}

/**
 * The headers a GET's `response-*` parameters set (C208), checked before anything is read: a value
 * is decoded text, sent as its UTF-8 bytes (how COS echoes a `response-content-disposition` with a
 * Chinese file name); one with CR, LF or another control character is InvalidArgument.
 */
export function responseOverrides(query: ReadonlyMap<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = query.get(param);
    if (value !== undefined && value !== '') headers[spellHeader(header)] = headerValueFromText(value, param);
  }
  return headers;
}

/**
 * `now` places an archived object's restore (x-cos-restore). Header names as COS spells them;
 * x-cos-storage-class only for a class other than STANDARD, as COS sends it.
 */
export function objectHeaders(record: ObjectRecord, now: number, overrides: Record<string, string> = {}): Record<string, string | number> {
  const headers: Record<string, string | number> = { 'Content-Type': 'application/octet-stream' };
  for (const [name, value] of Object.entries(record.contentHeaders)) if (value !== undefined) headers[spellHeader(name)] = value;
  Object.assign(headers, {
    ETag: record.etag,
    'Last-Modified': httpDate(record.lastModified),
    'Accept-Ranges': 'bytes',
    'x-cos-object-type': record.objectType,
    'x-cos-hash-crc64ecma': record.crc64,
    ...record.meta,
  });
  if (record.storageClass !== 'STANDARD') headers['x-cos-storage-class'] = record.storageClass;
  const tier = tierOf(record);
  if (tier !== undefined) headers['x-cos-storage-tier'] = tier;
  if (record.tags) headers['x-cos-tagging-count'] = record.tags.length;
  Object.assign(headers, versionHeader(record));
  const restore = restoreHeader(record, now);
  if (restore !== undefined) headers['x-cos-restore'] = restore;
  return Object.assign(headers, overrides);
}
