/**
 * (method, target, sub-resource, headers) -> Operation, by one table (C005).
 *
 * A request's sub-resource is the first query parameter that names one (`?acl`, `?uploads`, ...).
 * Rules are tried in order; the first whose method, target and sub-resource match wins.
 * Sub-resources COS has but cosbox does not are NotImplemented (501); a method that no rule knows for
 * a target is MethodNotAllowed (405). Never 404 for an unknown API, and never a plain object or
 * bucket operation for a request that names a sub-resource (`PUT /k?symlink` must not store `k`).
 */
import { CosError, type OperationName } from '@cosbox/protocol';
import type { Address } from './address.js';

interface Rule {
  method: string;
  target: Address['kind'];
  /** The sub-resource that must be present; '' when none may be. */
  sub: string;
  /** A header that must be present (copy source turns a PUT into a copy). */
  header?: string;
  /** A query parameter that must be present (`?inventory&id=` is one configuration, `?inventory` the list). */
  query?: string;
  op: OperationName;
}

const RULES: Rule[] = [
  { method: 'GET', target: 'service', sub: '', op: 'GetService' },

  { method: 'GET', target: 'bucket', sub: 'acl', op: 'GetBucketAcl' },
  { method: 'GET', target: 'bucket', sub: 'cors', op: 'GetBucketCors' },
  { method: 'GET', target: 'bucket', sub: 'lifecycle', op: 'GetBucketLifecycle' },
  { method: 'GET', target: 'bucket', sub: 'location', op: 'GetBucketLocation' },
  { method: 'GET', target: 'bucket', sub: 'versioning', op: 'GetBucketVersioning' },
  { method: 'GET', target: 'bucket', sub: 'versions', op: 'ListObjectVersions' },
  { method: 'GET', target: 'bucket', sub: 'tagging', op: 'GetBucketTagging' },
  { method: 'GET', target: 'bucket', sub: 'uploads', op: 'ListMultipartUploads' },
  { method: 'GET', target: 'bucket', sub: '', op: 'ListObjects' },
  { method: 'HEAD', target: 'bucket', sub: '', op: 'HeadBucket' },
  { method: 'PUT', target: 'bucket', sub: 'acl', op: 'PutBucketAcl' },
  { method: 'PUT', target: 'bucket', sub: 'cors', op: 'PutBucketCors' },
  { method: 'PUT', target: 'bucket', sub: 'lifecycle', op: 'PutBucketLifecycle' },
  { method: 'PUT', target: 'bucket', sub: 'versioning', op: 'PutBucketVersioning' },
  { method: 'PUT', target: 'bucket', sub: 'tagging', op: 'PutBucketTagging' },
  { method: 'PUT', target: 'bucket', sub: '', op: 'PutBucket' },
  { method: 'DELETE', target: 'bucket', sub: 'cors', op: 'DeleteBucketCors' },
  { method: 'DELETE', target: 'bucket', sub: 'lifecycle', op: 'DeleteBucketLifecycle' },
  { method: 'DELETE', target: 'bucket', sub: 'tagging', op: 'DeleteBucketTagging' },
  { method: 'DELETE', target: 'bucket', sub: '', op: 'DeleteBucket' },
  { method: 'POST', target: 'bucket', sub: 'delete', op: 'DeleteMultipleObjects' },
  { method: 'POST', target: 'bucket', sub: '', op: 'PostObject' },
  // Bucket configurations, part 2. GET ?inventory with an id is Get, without one List.
  { method: 'PUT', target: 'bucket', sub: 'logging', op: 'PutBucketLogging' },
  { method: 'GET', target: 'bucket', sub: 'logging', op: 'GetBucketLogging' },
  { method: 'PUT', target: 'bucket', sub: 'inventory', op: 'PutBucketInventory' },
  { method: 'GET', target: 'bucket', sub: 'inventory', query: 'id', op: 'GetBucketInventory' },
  { method: 'GET', target: 'bucket', sub: 'inventory', op: 'ListBucketInventory' },
  { method: 'DELETE', target: 'bucket', sub: 'inventory', op: 'DeleteBucketInventory' },
  { method: 'PUT', target: 'bucket', sub: 'replication', op: 'PutBucketReplication' },
  { method: 'GET', target: 'bucket', sub: 'replication', op: 'GetBucketReplication' },
  { method: 'DELETE', target: 'bucket', sub: 'replication', op: 'DeleteBucketReplication' },
  { method: 'PUT', target: 'bucket', sub: 'object-lock', op: 'PutBucketObjectLock' },
  { method: 'GET', target: 'bucket', sub: 'object-lock', op: 'GetBucketObjectLock' },
  { method: 'PUT', target: 'bucket', sub: 'intelligenttiering', op: 'PutBucketIntelligentTiering' },
  { method: 'GET', target: 'bucket', sub: 'intelligenttiering', op: 'GetBucketIntelligentTiering' },
  { method: 'PUT', target: 'bucket', sub: 'origin', op: 'PutBucketOrigin' },
  { method: 'GET', target: 'bucket', sub: 'origin', op: 'GetBucketOrigin' },
  { method: 'DELETE', target: 'bucket', sub: 'origin', op: 'DeleteBucketOrigin' },
  { method: 'OPTIONS', target: 'bucket', sub: '', op: 'OptionsObject' },
  // Bucket configurations of issue 16 (policy, website, encryption, referer, accelerate, domain).
  { method: 'PUT', target: 'bucket', sub: 'policy', op: 'PutBucketPolicy' },
  { method: 'GET', target: 'bucket', sub: 'policy', op: 'GetBucketPolicy' },
  { method: 'DELETE', target: 'bucket', sub: 'policy', op: 'DeleteBucketPolicy' },
  { method: 'PUT', target: 'bucket', sub: 'website', op: 'PutBucketWebsite' },
  { method: 'GET', target: 'bucket', sub: 'website', op: 'GetBucketWebsite' },
  { method: 'DELETE', target: 'bucket', sub: 'website', op: 'DeleteBucketWebsite' },
  { method: 'PUT', target: 'bucket', sub: 'encryption', op: 'PutBucketEncryption' },
  { method: 'GET', target: 'bucket', sub: 'encryption', op: 'GetBucketEncryption' },
  { method: 'DELETE', target: 'bucket', sub: 'encryption', op: 'DeleteBucketEncryption' },
  { method: 'PUT', target: 'bucket', sub: 'referer', op: 'PutBucketReferer' },
  { method: 'GET', target: 'bucket', sub: 'referer', op: 'GetBucketReferer' },
  { method: 'PUT', target: 'bucket', sub: 'accelerate', op: 'PutBucketAccelerate' },
  { method: 'GET', target: 'bucket', sub: 'accelerate', op: 'GetBucketAccelerate' },
  { method: 'PUT', target: 'bucket', sub: 'domain', op: 'PutBucketDomain' },
  { method: 'GET', target: 'bucket', sub: 'domain', op: 'GetBucketDomain' },
  { method: 'DELETE', target: 'bucket', sub: 'domain', op: 'DeleteBucketDomain' },

  { method: 'GET', target: 'object', sub: 'acl', op: 'GetObjectAcl' },
  { method: 'GET', target: 'object', sub: 'tagging', op: 'GetObjectTagging' },
  { method: 'GET', target: 'object', sub: 'symlink', op: 'GetSymlink' },
  { method: 'GET', target: 'object', sub: 'uploadid', op: 'ListParts' },
  { method: 'GET', target: 'object', sub: 'attributes', op: 'GetObjectAttributes' },
  { method: 'GET', target: 'object', sub: '', op: 'GetObject' },
  { method: 'HEAD', target: 'object', sub: '', op: 'HeadObject' },
  { method: 'PUT', target: 'object', sub: 'acl', op: 'PutObjectAcl' },
  { method: 'PUT', target: 'object', sub: 'tagging', op: 'PutObjectTagging' },
  { method: 'PUT', target: 'object', sub: 'symlink', op: 'PutSymlink' },
  { method: 'PUT', target: 'object', sub: 'uploadid', header: 'x-cos-copy-source', op: 'UploadPartCopy' },
  { method: 'PUT', target: 'object', sub: 'uploadid', op: 'UploadPart' },
  { method: 'PUT', target: 'object', sub: '', header: 'x-cos-copy-source', op: 'PutObjectCopy' },
  { method: 'PUT', target: 'object', sub: '', op: 'PutObject' },
  { method: 'DELETE', target: 'object', sub: 'tagging', op: 'DeleteObjectTagging' },
  { method: 'DELETE', target: 'object', sub: 'uploadid', op: 'AbortMultipartUpload' },
  { method: 'DELETE', target: 'object', sub: '', op: 'DeleteObject' },
  { method: 'POST', target: 'object', sub: 'uploads', op: 'InitiateMultipartUpload' },
  { method: 'POST', target: 'object', sub: 'uploadid', op: 'CompleteMultipartUpload' },
  { method: 'POST', target: 'object', sub: 'restore', op: 'RestoreObject' },
  { method: 'POST', target: 'object', sub: 'append', op: 'AppendObject' },
  { method: 'OPTIONS', target: 'object', sub: '', op: 'OptionsObject' },
];

/**
 * Every COS sub-resource: a query parameter that names an API rather than qualifying one, by
 * lower-case name. From 004, the official SDKs (cos-nodejs-sdk-v5, cos-js-sdk-v5, cos-python-sdk-v5)
 * and today's COS API reference. The router tells APIs apart by these, and a signature must cover
 * them: one list for both. A name here that no rule below serves answers NotImplemented.
 */
export const SUBRESOURCES: ReadonlySet<string> = new Set([
  // Served by cosbox (the rules below).
  'acl', 'cors', 'lifecycle', 'location', 'versioning', 'versions', 'tagging', 'uploads', 'uploadid',
  'delete', 'restore', 'append', 'symlink', 'attributes',
  // Bucket configuration COS has and cosbox does not (yet).
  'policy', 'website', 'replication', 'referer', 'logging', 'inventory', 'domain', 'domaincertificate',
  'origin', 'accelerate', 'encryption', 'notification', 'intelligenttiering', 'intelligent-tiering',
  'object-lock', 'objectlock', 'guetzli', 'quota',
  // S3's names for what an S3 client may ask of the same endpoint.
  'publicaccessblock', 'ownershipcontrols', 'requestpayment', 'policystatus', 'analytics', 'metrics', 'torrent',
  // Object APIs COS has and cosbox does not: select, retention, legal hold, rename, live channels,
  // and CI data processing (`?ci-process=ImageInfo`, ...).
  'select', 'retention', 'legal-hold', 'rename', 'live', 'vod', 'vodplaylist', 'ci-process',
]);

/**
 * CI image processing names its operation in the parameter itself (`?imageMogr2/thumbnail/!50p`,
 * `?watermark/1/...`, `?imageInfo`): by the part before the first `/`.
 */
const CI_PROCESSES = new Set(['imagemogr2', 'imageview2', 'watermark', 'imageinfo', 'imageave', 'exif', 'imageslim']);

/** Sub-resources some rule serves. */
const SERVED_SUBRESOURCES = new Set(RULES.map((r) => r.sub).filter((s) => s !== ''));

/** The sub-resource a query names (its first one), '' when none. NotImplemented for one cosbox lacks. */
function subresourceOf(query: ReadonlyMap<string, string>): string {
  for (const name of query.keys()) {
    const served = SERVED_SUBRESOURCES.has(name);
    if (!served && (SUBRESOURCES.has(name) || CI_PROCESSES.has(name.split('/')[0]))) {
      throw new CosError('NotImplemented', `The ${name} sub-resource is not implemented by cosbox.`);
    }
    if (served) return name;
  }
  return '';
}

export function route(method: string, address: Address, query: ReadonlyMap<string, string>, hasHeader: (name: string) => boolean): OperationName {
  // `/sts` names no bucket (bucket names end in -<appid>): cosbox's temporary-keys endpoint.
  if (address.kind === 'bucket' && address.bucket === 'sts' && method === 'POST' && address.region === undefined) return 'GetFederationToken';
  // A preflight asks about the request that will follow, sub-resource and all (`OPTIONS /k?uploadId=`).
  if (method === 'OPTIONS' && address.kind !== 'service') return 'OptionsObject';
  const sub = subresourceOf(query);
  let methodKnown = false;
  for (const rule of RULES) {
    if (rule.target !== address.kind || rule.method !== method) continue;
    methodKnown = true;
    if (rule.sub !== sub) continue;
    if (rule.header && !hasHeader(rule.header)) continue;
    if (rule.query && !query.has(rule.query)) continue;
    return rule.op;
  }
  if (methodKnown) throw new CosError('NotImplemented', `The ${sub} sub-resource is not implemented for ${method} on a ${address.kind}.`);
  throw new CosError('MethodNotAllowed');
}
