/** GET Bucket (List Objects): prefix, delimiter, marker, max-keys, encoding-type (C176-C183). */
import { buildXml, CosError, isoDate } from '@cosbox/protocol';
import { bucketOf, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';

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

export async function listObjects(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const marker = ctx.query.get('marker') ?? '';
  const maxKeys = pageSize(ctx.query.get('max-keys'), 'max-keys');
  const encodingType = ctx.query.get('encoding-type');
  const encode = nameEncoder(encodingType);

  const page = await ctx.services.meta.listObjects({ bucket: bucket.name, prefix, delimiter, marker, maxKeys });
  const contents = [];
  const commonPrefixes = [];
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
      Owner: { ID: bucket.appid, DisplayName: bucket.appid },
      StorageClass: o.storageClass,
    });
  }
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
