/**
 * PUT and GET Bucket versioning (§1.15.3; the body is S3's, which the COS SDKs send) and GET Bucket
 * Object Versions (`?versions`, §1.15.2).
 */
import { buildXml, CosError, isoDate, parseXml, xmlChild, xmlText } from '@cosbox/protocol';
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5 } from '../model/objects.js';
import { isDeleteMarker, versionIdOf, type VersioningStatus } from '../storage/metadata/store.js';
import { nameEncoder, pageSize } from './list.js';

export async function putBucketVersioning(ctx: RequestContext): Promise<ResponseSpec> {
  const body = await ctx.readBody(64 * 1024);
  checkContentMd5(ctx, body, { optional: true });
  const doc = xmlChild(parseXml(body.toString('utf8')).VersioningConfiguration);
  if (!doc) throw new CosError('MalformedXML');
  const status = xmlText(doc.Status)?.trim();
  if (status !== 'Enabled' && status !== 'Suspended') throw new CosError('MalformedXML', 'Status must be Enabled or Suspended.');
  await ctx.services.meta.setBucketVersioning(bucketOf(ctx).name, status satisfies VersioningStatus);
  return emptyResponse(200);
}

export async function getBucketVersioning(ctx: RequestContext): Promise<ResponseSpec> {
  const status = bucketOf(ctx).versioning;
  return xmlResponse(buildXml('VersioningConfiguration', status ? { Status: status } : {}));
}

export async function listObjectVersions(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const keyMarker = ctx.query.get('key-marker') ?? '';
  const versionIdMarker = ctx.query.get('version-id-marker') ?? '';
  if (versionIdMarker !== '' && keyMarker === '') throw new CosError('InvalidArgument', 'A version-id-marker cannot be given without a key-marker.');
  const maxKeys = pageSize(ctx.query.get('max-keys'), 'max-keys');
  const encodingType = ctx.query.get('encoding-type');
  const encode = nameEncoder(encodingType);

  const page = await ctx.services.meta.listObjectVersions({ bucket: bucket.name, prefix, delimiter, keyMarker, versionIdMarker, maxKeys });
  const owner = { ID: bucket.appid, DisplayName: bucket.appid };
  const versions = [];
  const deleteMarkers = [];
  const commonPrefixes = [];
  for (const entry of page.entries) {
    if ('commonPrefix' in entry) {
      commonPrefixes.push({ Prefix: encode(entry.commonPrefix) });
      continue;
    }
    const v = entry.version;
    const common = { Key: encode(v.key), VersionId: versionIdOf(v), IsLatest: String(entry.isLatest), LastModified: isoDate(v.lastModified) };
    if (isDeleteMarker(v)) deleteMarkers.push({ ...common, Owner: owner });
    else versions.push({ ...common, ETag: v.etag, Size: v.size, StorageClass: v.storageClass, Owner: owner });
  }
  return xmlResponse(
    buildXml('ListVersionsResult', {
      Name: bucket.name,
      EncodingType: encodingType ? 'url' : undefined,
      Prefix: encode(prefix),
      KeyMarker: encode(keyMarker),
      VersionIdMarker: versionIdMarker,
      MaxKeys: maxKeys,
      Delimiter: delimiter === '' ? undefined : encode(delimiter),
      IsTruncated: page.isTruncated ? 'true' : 'false',
      NextKeyMarker: page.nextKeyMarker === undefined ? undefined : encode(page.nextKeyMarker),
      NextVersionIdMarker: page.nextVersionIdMarker,
      Version: versions,
      DeleteMarker: deleteMarkers,
      CommonPrefixes: commonPrefixes,
    }),
  );
}
