/**
 * GET Bucket (List Objects): prefix, delimiter, marker, max-keys, encoding-type (C176-C183); and
 * S3's ListObjectsV2 (`list-type=2`) over the same listing: continuation-token, start-after,
 * fetch-owner, key-count.
 */
import { buildXml, CosError, isoDate, type XmlObject } from '@cosbox/protocol';
import { bucketOf, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import type { BucketRecord, ListObjectsPage } from '../storage/metadata/store.js';

export const MAX_KEYS = 1000;

/** `max-keys`-style integer parameter: default when absent, capped, InvalidArgument when not a number. */
export function pageSize(value: string | undefined, name: string, max = MAX_KEYS): number {
  if (value === undefined || value === '') return max;
  if (!/^\d+$/.test(value)) throw new CosError('InvalidArgument', `${name} must be a non-negative integer.`);
  return Math.min(Number(value), max);
}

/** `encoding-type`: only `url` exists (C180). Returns the encoder for names in the response. */
export function nameEncoder(value: string | undefined): (name: string) => string {
  if (value === undefined || value === '') return (name) => name;
  if (value.toLowerCase() !== 'url') throw new CosError('InvalidArgument', 'encoding-type must be url.');
  return (name) => encodeURIComponent(name);
}

/** The Contents and CommonPrefixes of a listing page, names through `encode`. */
function pageElements(page: ListObjectsPage, bucket: BucketRecord, encode: (name: string) => string, withOwner: boolean) {
  const contents: XmlObject[] = [];
  const commonPrefixes: XmlObject[] = [];
  for (const entry of page.entries) {
    if ('commonPrefix' in entry) {
      commonPrefixes.push({ Prefix: encode(entry.commonPrefix) });
      continue;
    }
    const o = entry.object;
    contents.push({
      Key: encode(o.key),
      LastModified: isoDate(o.lastModified),
      ETag: o.etag,
      Size: o.size,
      Owner: withOwner ? { ID: bucket.appid, DisplayName: bucket.appid } : undefined,
      StorageClass: o.storageClass,
    });
  }
  return { contents, commonPrefixes };
}

export async function listObjects(ctx: RequestContext): Promise<ResponseSpec> {
  const listType = ctx.query.get('list-type');
  if (listType === '2') return listObjectsV2(ctx);
  if (listType !== undefined && listType !== '1') throw new CosError('InvalidArgument', 'list-type must be 1 or 2.');
  const bucket = bucketOf(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const marker = ctx.query.get('marker') ?? '';
  const maxKeys = pageSize(ctx.query.get('max-keys'), 'max-keys');
  const encodingType = ctx.query.get('encoding-type');
  const encode = nameEncoder(encodingType);

  const page = await ctx.services.meta.listObjects({ bucket: bucket.name, prefix, delimiter, marker, maxKeys });
  const { contents, commonPrefixes } = pageElements(page, bucket, encode, true);
  return xmlResponse(
    buildXml('ListBucketResult', {
      Name: bucket.name,
      // 004 spells it Encoding-Type; COS and S3 answer EncodingType, which the Python SDK reads
      // before it decodes the keys: both are sent.
      'Encoding-Type': encodingType ? 'url' : undefined,
      EncodingType: encodingType ? 'url' : undefined,
      Prefix: encode(prefix),
      Marker: encode(marker),
      MaxKeys: maxKeys,
      Delimiter: delimiter === '' ? undefined : encode(delimiter),
      IsTruncated: page.isTruncated ? 'true' : 'false',
      NextMarker: page.nextMarker === undefined ? undefined : encode(page.nextMarker),
      Contents: contents,
      CommonPrefixes: commonPrefixes,
    }),
  );
}

/**
 * A continuation token is the key (or common prefix) to list after, base64url-encoded so that it is
 * opaque and survives any query encoding; a token that does not decode is InvalidArgument.
 */
function tokenOf(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function keyOfToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (token === '' || tokenOf(key) !== token) throw new CosError('InvalidArgument', 'The continuation token provided is incorrect.');
  return key;
}

async function listObjectsV2(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const token = ctx.query.get('continuation-token');
  const startAfter = ctx.query.get('start-after') ?? '';
  const fetchOwner = ctx.query.get('fetch-owner') === 'true';
  const maxKeys = pageSize(ctx.query.get('max-keys'), 'max-keys');
  const encodingType = ctx.query.get('encoding-type');
  const encode = nameEncoder(encodingType);
  // The token goes on from where the last page stopped; start-after counts only on the first page.
  const after = token !== undefined ? keyOfToken(token) : startAfter;
  const marker = after > startAfter ? after : startAfter;

  const page = await ctx.services.meta.listObjects({ bucket: bucket.name, prefix, delimiter, marker, maxKeys });
  const { contents, commonPrefixes } = pageElements(page, bucket, encode, fetchOwner);
  return xmlResponse(
    buildXml('ListBucketResult', {
      Name: bucket.name,
      Prefix: encode(prefix),
      Delimiter: delimiter === '' ? undefined : encode(delimiter),
      MaxKeys: maxKeys,
      EncodingType: encodingType ? 'url' : undefined,
      KeyCount: contents.length + commonPrefixes.length,
      IsTruncated: page.isTruncated ? 'true' : 'false',
      ContinuationToken: token,
      NextContinuationToken: page.isTruncated && page.nextMarker !== undefined ? tokenOf(page.nextMarker) : undefined,
      StartAfter: startAfter === '' ? undefined : encode(startAfter),
      Contents: contents,
      CommonPrefixes: commonPrefixes,
    }),
  );
}
