/** The headers that describe a stored object on GET, HEAD and write responses (C207, C210, C211). */
import { httpDate, RESPONSE_OVERRIDES } from '@cosbox/protocol';
import { restoreHeader } from '../model/restore.js';
import type { ObjectRecord } from '../storage/metadata/store.js';

/** x-cos-version-id for an object written to a bucket with versioning (none before it was enabled). */
export function versionHeader(record: ObjectRecord): Record<string, string> {
  return record.versionId === undefined ? {} : { 'x-cos-version-id': record.versionId };
}

/** `now` places an archived object's restore (x-cos-restore). */
export function objectHeaders(record: ObjectRecord, now: number, query?: ReadonlyMap<string, string>): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    ...record.contentHeaders,
    ETag: record.etag,
    'Last-Modified': httpDate(record.lastModified),
    'Accept-Ranges': 'bytes',
    'x-cos-object-type': record.objectType,
    'x-cos-storage-class': record.storageClass,
    'x-cos-hash-crc64ecma': record.crc64,
    ...record.meta,
  };
  if (record.tags) headers['x-cos-tagging-count'] = record.tags.length;
  Object.assign(headers, versionHeader(record));
  const restore = restoreHeader(record, now);
  if (restore !== undefined) headers['x-cos-restore'] = restore;
  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = query?.get(param);
    if (value !== undefined && value !== '') headers[header] = value;
  }
  return headers;
}
