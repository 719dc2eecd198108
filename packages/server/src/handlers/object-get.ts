/**
 * GET and HEAD Object: Range, conditional requests, response-* overrides, x-cos-traffic-limit
 * (C161-C166, C207-C212), archived objects (x-cos-restore; GET needs a restored copy).
 */
import { buildXml, CosError, evaluatePreconditions, httpDate, parseRange, type ByteRange } from '@cosbox/protocol';
import { bucketOf, keyOf, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { customerKey, encryptionHeaders } from '../model/encryption.js';
import { findObject, readObject, requestedVersion, wholeObject, type ReadPlan } from '../model/objects.js';
import { requireReadable } from '../model/restore.js';
import { parseTrafficLimit, throttleStream } from '../model/traffic-limit.js';
import type { ObjectRecord } from '../storage/metadata/store.js';
import { objectHeaders, responseOverrides, versionHeader } from './object-headers.js';
import { readThroughSymlink } from './symlink.js';
import { fetchFromOrigin } from './origin.js';
import { retentionHeaders } from '../model/object-lock.js';
import { TIERING_CLASS } from '../model/intelligent-tiering.js';

async function serveObject(ctx: RequestContext, withBody: boolean): Promise<ResponseSpec> {
  let notModified = false;
  let range: ByteRange | undefined;
  const limit = parseTrafficLimit(ctx.header('x-cos-traffic-limit'));
  const customer = customerKey(ctx.header);
  const overrides = responseOverrides(ctx.query);
  const plan = (rec: ObjectRecord): ReadPlan => {
    // HEAD describes an archived object; only its bytes need a restored copy (C237).
    if (withBody) requireReadable(rec, ctx.now);
    const outcome = evaluatePreconditions(
      {
        ifMatch: ctx.header('if-match'),
        ifNoneMatch: ctx.header('if-none-match'),
        ifModifiedSince: ctx.header('if-modified-since'),
        ifUnmodifiedSince: ctx.header('if-unmodified-since'),
      },
      rec.etag,
      rec.lastModified,
    );
    if (outcome === 'failed') throw new CosError('PreconditionFailed');
    notModified = outcome === 'not-modified';
    if (notModified || !withBody) return 'none';
    try {
      range = parseRange(ctx.header('range'), rec.size);
    } catch (error) {
      if (error instanceof CosError) throw new CosError(error.code, error.message, { 'Content-Range': `bytes */${rec.size}` });
      throw error;
    }
    return range ?? wholeObject(rec);
  };
  let read;
  try {
    read = await readObject(ctx.services, bucketOf(ctx).name, keyOf(ctx), (rec) => (rec.objectType === 'symlink' ? 'none' : plan(rec)), {
      versionId: requestedVersion(ctx),
      customer,
    });
  } catch (error) {
    // A missing key may come from the bucket's origin (back-to-origin rules).
    const fetched = await fetchFromOrigin(ctx, error, withBody);
    if (fetched === 'stored') return serveObject(ctx, withBody);
    if (fetched) return fetched;
    throw error;
  }
  // A symlink serves its target's bytes and headers; the version and type are the link's.
  const link = read.record.objectType === 'symlink' ? read.record : undefined;
  if (link) read = await readThroughSymlink(ctx, bucketOf(ctx), link, plan, { op: ctx.op, customer });
  const { record, stream: bytes } = read;
  if (withBody && record.storageClass === TIERING_CLASS) ctx.services.tiering?.touch(record.bucket, record.key, ctx.now);
  const stream = bytes && limit !== undefined ? throttleStream(bytes, limit) : bytes;
  const headers = { ...objectHeaders(record, ctx.now, overrides), ...encryptionHeaders(record.encryption, customer), ...retentionHeaders(ctx.bucket, record, ctx.services.config.timeScale) };
  if (link) {
    delete headers['x-cos-version-id'];
    Object.assign(headers, { 'x-cos-object-type': 'symlink' }, versionHeader(link));
  }
  if (notModified) {
    // Framed explicitly (Content-Length: 0): some clients wait for a body otherwise.
    return { status: 304, headers: { ETag: record.etag, 'Last-Modified': headers['Last-Modified'], 'Content-Length': 0, ...versionHeader(link ?? record) } };
  }
  if (range) {
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${record.size}`;
    headers['Content-Length'] = range.end - range.start + 1;
    return { status: 206, headers, body: stream };
  }
  headers['Content-Length'] = record.size;
  return { status: 200, headers, body: stream };
}

export function getObject(ctx: RequestContext): Promise<ResponseSpec> {
  return serveObject(ctx, true);
}

export function headObject(ctx: RequestContext): Promise<ResponseSpec> {
  return serveObject(ctx, false);
}

const OBJECT_ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];

/**
 * S3's GetObjectAttributes: the attributes named by `x-amz-object-attributes` (ETag without quotes,
 * the part count of a multipart object, storage class, size), from the metadata alone. Checksums
 * are not kept, so `Checksum` names nothing to answer.
 */
export async function getObjectAttributes(ctx: RequestContext): Promise<ResponseSpec> {
  const named = ctx.header('x-amz-object-attributes') ?? ctx.header('x-cos-object-attributes') ?? '';
  const wanted = new Set(named.split(',').map((a) => a.trim()).filter((a) => a !== ''));
  if (wanted.size === 0) throw new CosError('InvalidArgument', `x-amz-object-attributes names one or more of ${OBJECT_ATTRIBUTES.join(', ')}.`);
  for (const a of wanted) if (!OBJECT_ATTRIBUTES.includes(a)) throw new CosError('InvalidArgument', `Unknown object attribute ${JSON.stringify(a.slice(0, 64))}.`);
  const record = await findObject(ctx.services, bucketOf(ctx).name, keyOf(ctx), requestedVersion(ctx));
  const parts = /-(\d+)"?$/.exec(record.etag)?.[1];
  return xmlResponse(
    buildXml('GetObjectAttributesResponse', {
      ETag: wanted.has('ETag') ? record.etag.replace(/^"|"$/g, '') : undefined,
      ObjectParts: wanted.has('ObjectParts') && parts !== undefined ? { PartsCount: parts } : undefined,
      StorageClass: wanted.has('StorageClass') ? record.storageClass : undefined,
      ObjectSize: wanted.has('ObjectSize') ? record.size : undefined,
    }),
    200,
    { 'Last-Modified': httpDate(record.lastModified), ...versionHeader(record) },
  );
}
