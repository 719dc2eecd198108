/**
 * Bucket and object configuration: ACL, CORS, lifecycle, versioning (and listObjectVersions),
 * tagging; POST Object restore and the OPTIONS preflight. Request and result shapes follow
 * cos-nodejs-sdk-v5 (base.js), including the "not configured" answers it turns into empty results.
 */
import { buildXml, type XmlObject } from '@cosbox/protocol';
import { method, statusOnly, wholeDocument, withStatus, type GeneralResult } from '../api.js';
import type { Headers } from '../auth.js';
import type { Response } from '../request.js';
import { paramError, type CosSdkError } from '../errors.js';
import { asList, child, type Json, type JsonObject } from '../xml.js';
import type { BucketParams, Owner } from './bucket.js';
import { versionQuery, type ObjectACL, type ObjectParams } from './object.js';

export type Permission = 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' | 'FULL_CONTROL';
export type BucketACL = 'private' | 'public-read' | 'public-read-write' | 'authenticated-read';

export interface Grant {
  Grantee: { ID?: string; DisplayName?: string; URI?: string };
  Permission: Permission;
}

export interface AclHeaders {
  GrantRead?: string;
  GrantWrite?: string;
  GrantReadAcp?: string;
  GrantWriteAcp?: string;
  GrantFullControl?: string;
}

export interface AccessControlPolicy {
  Owner: Owner;
  /** `Grant` is accepted too. */
  Grants?: Grant[] | Grant;
  Grant?: Grant[] | Grant;
}

export interface PutBucketAclParams extends BucketParams, AclHeaders {
  ACL?: BucketACL;
  /** The ACL as an XML body instead of headers. */
  AccessControlPolicy?: AccessControlPolicy;
}
export type PutBucketAclResult = GeneralResult;
export type GetBucketAclParams = BucketParams;
export interface GetBucketAclResult extends GeneralResult, Required<AclHeaders> {
  /** The canned ACL the grants amount to (or x-cos-acl when COS sends it). */
  ACL: string;
  Owner: Owner;
  Grants: Grant[];
}

export interface PutObjectAclParams extends ObjectParams, Omit<AclHeaders, 'GrantWrite'> {
  ACL?: ObjectACL;
  AccessControlPolicy?: AccessControlPolicy;
}
export type PutObjectAclResult = GeneralResult;
export interface GetObjectAclParams extends ObjectParams {
  VersionId?: string;
}
export type GetObjectAclResult = Omit<GetBucketAclResult, 'GrantWrite'>;

export interface CORSRule {
  /** `AllowedOrigins` (and the other plural forms) are accepted too. */
  AllowedOrigin?: string[] | string;
  AllowedMethod?: string[] | string;
  AllowedHeader?: string[] | string;
  ExposeHeader?: string[] | string;
  MaxAgeSeconds?: number | string;
  ID?: string;
  [field: string]: unknown;
}
export interface PutBucketCorsParams extends BucketParams {
  CORSRules?: CORSRule[] | CORSRule;
  CORSConfiguration?: { CORSRules?: CORSRule[] | CORSRule };
  ResponseVary?: 'true' | 'false';
}
export type PutBucketCorsResult = GeneralResult;
export type GetBucketCorsParams = BucketParams;
export interface GetBucketCorsResult extends GeneralResult {
  /** Each rule with the plural names AllowedOrigins, AllowedMethods, AllowedHeaders, ExposeHeaders, as arrays. */
  CORSRules: Record<string, Json>[];
  ResponseVary?: string;
}
export type DeleteBucketCorsParams = BucketParams;
export type DeleteBucketCorsResult = GeneralResult;

export interface LifecycleRule {
  ID?: string;
  Status: 'Enabled' | 'Disabled';
  Filter?: Record<string, unknown>;
  Transition?: Record<string, unknown> | Record<string, unknown>[];
  Expiration?: Record<string, unknown>;
  AbortIncompleteMultipartUpload?: Record<string, unknown>;
  NoncurrentVersionExpiration?: Record<string, unknown>;
  NoncurrentVersionTransition?: Record<string, unknown> | Record<string, unknown>[];
}
export interface PutBucketLifecycleParams extends BucketParams {
  Rules?: LifecycleRule[];
  LifecycleConfiguration?: { Rules?: LifecycleRule[] };
}
export type PutBucketLifecycleResult = GeneralResult;
export type GetBucketLifecycleParams = BucketParams;
export interface GetBucketLifecycleResult extends GeneralResult {
  Rules: Record<string, Json>[];
}
export type DeleteBucketLifecycleParams = BucketParams;
export type DeleteBucketLifecycleResult = GeneralResult;

export interface PutBucketVersioningParams extends BucketParams {
  VersioningConfiguration: { Status: 'Enabled' | 'Suspended' };
}
export type PutBucketVersioningResult = GeneralResult;
export type GetBucketVersioningParams = BucketParams;
export interface GetBucketVersioningResult extends GeneralResult {
  /** {} when versioning was never configured. */
  VersioningConfiguration: { Status?: string };
}

export interface ListObjectVersionsParams extends BucketParams {
  Prefix?: string;
  Delimiter?: string;
  KeyMarker?: string;
  VersionIdMarker?: string;
  MaxKeys?: number | string;
  EncodingType?: 'url' | string;
}
export interface ObjectVersion {
  Key: string;
  VersionId: string;
  IsLatest: 'true' | 'false';
  LastModified: string;
  ETag: string;
  Size: string;
  StorageClass: string;
  Owner: Owner;
}
export interface DeleteMarker {
  Key: string;
  VersionId: string;
  IsLatest: 'true' | 'false';
  LastModified: string;
  Owner: Owner;
}
export interface ListObjectVersionsResult extends GeneralResult {
  Name: string;
  Prefix: string;
  KeyMarker: string;
  VersionIdMarker: string;
  MaxKeys: string;
  IsTruncated: 'true' | 'false';
  NextKeyMarker?: string;
  NextVersionIdMarker?: string;
  Delimiter?: string;
  EncodingType?: string;
  CommonPrefixes?: { Prefix: string } | { Prefix: string }[];
  Versions: ObjectVersion[];
  DeleteMarkers: DeleteMarker[];
}

export interface Tag {
  Key: string;
  Value: string;
}
export interface PutBucketTaggingParams extends BucketParams {
  Tags?: Tag[] | Tag;
  Tagging?: { Tags?: Tag[] | Tag; TagSet?: Tag[] | Tag };
}
export type PutBucketTaggingResult = GeneralResult;
export type GetBucketTaggingParams = BucketParams;
export interface GetBucketTaggingResult extends GeneralResult {
  Tags: Tag[];
}
export type DeleteBucketTaggingParams = BucketParams;
export type DeleteBucketTaggingResult = GeneralResult;
export interface PutObjectTaggingParams extends ObjectParams {
  Tags?: Tag[] | Tag;
  Tagging?: { Tags?: Tag[] | Tag; TagSet?: Tag[] | Tag };
  VersionId?: string;
}
export type PutObjectTaggingResult = GeneralResult;
export interface GetObjectTaggingParams extends ObjectParams {
  VersionId?: string;
}
export type GetObjectTaggingResult = GetBucketTaggingResult;
export interface DeleteObjectTaggingParams extends ObjectParams {
  VersionId?: string;
}
export type DeleteObjectTaggingResult = GeneralResult;

export interface RestoreObjectParams extends ObjectParams {
  RestoreRequest: { Days: number | string; CASJobParameters: { Tier: 'Expedited' | 'Standard' | 'Bulk' } };
  VersionId?: string;
}
export type RestoreObjectResult = GeneralResult;

export interface OptionsObjectParams extends ObjectParams {
  Origin: string;
  AccessControlRequestMethod: string;
  AccessControlRequestHeaders?: string;
}
export interface OptionsObjectResult extends GeneralResult {
  AccessControlAllowOrigin?: string;
  AccessControlAllowMethods?: string;
  AccessControlAllowHeaders?: string;
  AccessControlExposeHeaders?: string;
  AccessControlMaxAge?: string;
  /** true (with statusCode 403) when the CORS rules refuse the preflight: reported as data. */
  OptionsForbidden?: boolean;
}

/** A list param given as one item or an array, as an array (undefined items dropped). */
function listParam<T>(value: T[] | T | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

const PERMISSION_PARAM: Record<string, keyof AclHeaders> = {
  FULL_CONTROL: 'GrantFullControl',
  WRITE: 'GrantWrite',
  READ: 'GrantRead',
  READ_ACP: 'GrantReadAcp',
  WRITE_ACP: 'GrantWriteAcp',
};
const EVERYONE_ID = 'qcs::cam::anyone:anyone';
const ALL_USERS_URI = 'http://cam.qcloud.com/groups/global/AllUsers';

/** Comma-separated grantees without repeats (uniqGrant). */
function uniqueGrantees(value: string): string {
  return [...new Set(value.split(',').map((s) => s.trim()))].join(',');
}

/**
 * An <AccessControlPolicy> as the official result: the grants to others as `id="..."` lists per
 * permission, and the canned ACL that the grants to everyone amount to (decodeAcl).
 */
function decodeAcl(res: { doc: JsonObject; headers: Record<string, string> }): Omit<GetBucketAclResult, keyof GeneralResult> {
  const policy = child(res.doc, 'AccessControlPolicy');
  const owner = child(policy, 'Owner');
  const grants = asList<Grant>(child(policy, 'AccessControlList').Grant);
  const granted: Record<keyof AclHeaders, string[]> = { GrantFullControl: [], GrantWrite: [], GrantRead: [], GrantReadAcp: [], GrantWriteAcp: [] };
  const publicly = new Set<string>();
  for (const grant of grants) {
    const grantee = grant.Grantee ?? {};
    if (grantee.ID === EVERYONE_ID || grantee.URI === ALL_USERS_URI) publicly.add(grant.Permission);
    else if (grantee.ID !== owner.ID && PERMISSION_PARAM[grant.Permission]) granted[PERMISSION_PARAM[grant.Permission]].push(`id="${grantee.ID}"`);
  }
  let ACL = 'private';
  if (publicly.has('FULL_CONTROL') || (publicly.has('WRITE') && publicly.has('READ'))) ACL = 'public-read-write';
  else if (publicly.has('READ')) ACL = 'public-read';
  const lists = Object.fromEntries(Object.entries(granted).map(([k, v]) => [k, uniqueGrantees(v.join(','))])) as Required<AclHeaders>;
  return { ...lists, ACL: res.headers['x-cos-acl'] ?? ACL, Owner: owner as unknown as Owner, Grants: grants };
}

/** The ACL body, when the params give one. */
function aclXml(p: { AccessControlPolicy?: AccessControlPolicy }): string | undefined {
  if (!p.AccessControlPolicy) return undefined;
  const { Grants, Grant: single, ...policy } = p.AccessControlPolicy;
  return buildXml('AccessControlPolicy', { ...policy, AccessControlList: { Grant: listParam(Grants ?? single) } } as unknown as XmlObject);
}

function dedupeGrantHeaders(_p: unknown, headers: Headers): void {
  for (const [name, value] of Object.entries(headers)) if (name.startsWith('x-cos-grant-')) headers[name] = uniqueGrantees(String(value));
}

const CORS_LISTS = ['AllowedOrigin', 'AllowedHeader', 'AllowedMethod', 'ExposeHeader'];

/** A CORS rule with each list as an array under its plural name (results) or its singular one (requests), whichever it came under. */
function corsRule(rule: Record<string, unknown>, plural: boolean): Record<string, unknown> {
  const out = { ...rule };
  for (const name of CORS_LISTS) {
    const value = out[name + 's'] ?? out[name] ?? [];
    // A request rule keeps its singular names where they were (the official body's element order).
    if (plural) delete out[name];
    delete out[name + 's'];
    out[plural ? name + 's' : name] = Array.isArray(value) ? value : [value];
  }
  return out;
}

function tagsXml(p: { Tags?: Tag[] | Tag; Tagging?: { Tags?: Tag[] | Tag; TagSet?: Tag[] | Tag } }): string {
  const tags = listParam(p.Tagging?.TagSet ?? p.Tagging?.Tags ?? p.Tags);
  return buildXml('Tagging', { TagSet: { Tag: tags as unknown as XmlObject[] } });
}

/** A "not configured" 404 that the official SDK reports as an empty configuration. */
function emptyWhen<R>(code: string, empty: R) {
  return (err: CosSdkError): (R & GeneralResult) | undefined =>
    err.statusCode === 404 && err.error?.Code === code ? { ...empty, statusCode: 404, ...(err.headers ? { headers: err.headers } : {}) } : undefined;
}

const tagsResult = (res: Response): GetBucketTaggingResult => withStatus(res, { Tags: asList<Tag>(child(child(res.doc, 'Tagging'), 'TagSet').Tag) });
const noTags = emptyWhen('NoSuchTagSet', { Tags: [] as Tag[] });

export const configMethods = {
  putBucketAcl: method<PutBucketAclParams, PutBucketAclResult>({
    cam: 'PutBucketACL',
    method: 'PUT',
    target: 'bucket',
    action: 'acl',
    headers: dedupeGrantHeaders,
    xml: aclXml,
    result: statusOnly,
  }),
  getBucketAcl: method<GetBucketAclParams, GetBucketAclResult>({
    cam: 'GetBucketACL',
    method: 'GET',
    target: 'bucket',
    action: 'acl',
    result: (res) => withStatus(res, decodeAcl(res)),
  }),
  putObjectAcl: method<PutObjectAclParams, PutObjectAclResult>({
    cam: 'PutObjectACL',
    method: 'PUT',
    target: 'object',
    action: 'acl',
    headers: dedupeGrantHeaders,
    xml: aclXml,
    result: statusOnly,
  }),
  getObjectAcl: method<GetObjectAclParams, GetObjectAclResult>({
    cam: 'GetObjectACL',
    method: 'GET',
    target: 'object',
    action: 'acl',
    query: versionQuery,
    result: (res) => {
      // Objects have no WRITE permission.
      const { GrantWrite: _none, ...acl } = decodeAcl(res);
      return withStatus(res, acl);
    },
  }),

  putBucketCors: method<PutBucketCorsParams, PutBucketCorsResult>({
    cam: 'PutBucketCORS',
    method: 'PUT',
    target: 'bucket',
    action: 'cors',
    xml: (p) => {
      const rules = listParam(p.CORSConfiguration?.CORSRules ?? p.CORSRules).map((rule) => corsRule(rule, false));
      return buildXml('CORSConfiguration', { CORSRule: rules, ResponseVary: p.ResponseVary } as unknown as XmlObject);
    },
    result: statusOnly,
  }),
  getBucketCors: method<GetBucketCorsParams, GetBucketCorsResult>({
    cam: 'GetBucketCORS',
    method: 'GET',
    target: 'bucket',
    action: 'cors',
    result: (res) => {
      const conf = child(res.doc, 'CORSConfiguration');
      const rules = asList<JsonObject>(conf.CORSRules ?? conf.CORSRule).map((rule) => corsRule(rule, true) as Record<string, Json>);
      return withStatus(res, { CORSRules: rules, ResponseVary: conf.ResponseVary as string | undefined });
    },
    recover: emptyWhen('NoSuchCORSConfiguration', { CORSRules: [] }),
  }),
  deleteBucketCors: method<DeleteBucketCorsParams, DeleteBucketCorsResult>({
    cam: 'DeleteBucketCORS',
    method: 'DELETE',
    target: 'bucket',
    action: 'cors',
    result: statusOnly,
  }),

  putBucketLifecycle: method<PutBucketLifecycleParams, PutBucketLifecycleResult>({
    cam: 'PutBucketLifecycle',
    method: 'PUT',
    target: 'bucket',
    action: 'lifecycle',
    xml: (p) => buildXml('LifecycleConfiguration', { Rule: (p.LifecycleConfiguration?.Rules ?? p.Rules ?? []) as unknown as XmlObject[] }),
    result: statusOnly,
  }),
  getBucketLifecycle: method<GetBucketLifecycleParams, GetBucketLifecycleResult>({
    cam: 'GetBucketLifecycle',
    method: 'GET',
    target: 'bucket',
    action: 'lifecycle',
    result: (res) => withStatus(res, { Rules: asList<Record<string, Json>>(child(res.doc, 'LifecycleConfiguration').Rule) }),
    recover: emptyWhen('NoSuchLifecycleConfiguration', { Rules: [] }),
  }),
  deleteBucketLifecycle: method<DeleteBucketLifecycleParams, DeleteBucketLifecycleResult>({
    cam: 'DeleteBucketLifecycle',
    method: 'DELETE',
    target: 'bucket',
    action: 'lifecycle',
    result: statusOnly,
  }),

  putBucketVersioning: method<PutBucketVersioningParams, PutBucketVersioningResult>({
    cam: 'PutBucketVersioning',
    method: 'PUT',
    target: 'bucket',
    action: 'versioning',
    check: (p) => {
      if (!p.VersioningConfiguration) throw paramError('missing param VersioningConfiguration');
    },
    xml: (p) => buildXml('VersioningConfiguration', p.VersioningConfiguration),
    result: statusOnly,
  }),
  getBucketVersioning: method<GetBucketVersioningParams, GetBucketVersioningResult>({
    cam: 'GetBucketVersioning',
    method: 'GET',
    target: 'bucket',
    action: 'versioning',
    result: (res) => withStatus(res, { ...res.doc, VersioningConfiguration: child(res.doc, 'VersioningConfiguration') }),
  }),
  listObjectVersions: method<ListObjectVersionsParams, ListObjectVersionsResult>({
    cam: 'GetBucketObjectVersions',
    method: 'GET',
    target: 'bucket',
    action: 'versions',
    resourceKey: (p) => p.Prefix ?? '',
    query: (p) => ({
      prefix: p.Prefix ?? '',
      delimiter: p.Delimiter,
      'key-marker': p.KeyMarker,
      'version-id-marker': p.VersionIdMarker,
      'max-keys': p.MaxKeys,
      'encoding-type': p.EncodingType,
    }),
    result: (res) => {
      const { DeleteMarker, Version, ...list } = child(res.doc, 'ListVersionsResult');
      return withStatus(res, {
        ...(list as unknown as ListObjectVersionsResult),
        DeleteMarkers: asList<DeleteMarker>(DeleteMarker),
        Versions: asList<ObjectVersion>(Version),
      });
    },
  }),

  putBucketTagging: method<PutBucketTaggingParams, PutBucketTaggingResult>({
    cam: 'PutBucketTagging',
    method: 'PUT',
    target: 'bucket',
    action: 'tagging',
    xml: tagsXml,
    result: statusOnly,
  }),
  getBucketTagging: method<GetBucketTaggingParams, GetBucketTaggingResult>({
    cam: 'GetBucketTagging',
    method: 'GET',
    target: 'bucket',
    action: 'tagging',
    result: tagsResult,
    recover: noTags,
  }),
  deleteBucketTagging: method<DeleteBucketTaggingParams, DeleteBucketTaggingResult>({
    cam: 'DeleteBucketTagging',
    method: 'DELETE',
    target: 'bucket',
    action: 'tagging',
    result: statusOnly,
  }),
  putObjectTagging: method<PutObjectTaggingParams, PutObjectTaggingResult>({
    cam: 'PutObjectTagging',
    method: 'PUT',
    target: 'object',
    action: 'tagging',
    query: versionQuery,
    xml: tagsXml,
    result: statusOnly,
  }),
  getObjectTagging: method<GetObjectTaggingParams, GetObjectTaggingResult>({
    cam: 'GetObjectTagging',
    method: 'GET',
    target: 'object',
    action: 'tagging',
    query: versionQuery,
    result: tagsResult,
    recover: noTags,
  }),
  deleteObjectTagging: method<DeleteObjectTaggingParams, DeleteObjectTaggingResult>({
    cam: 'DeleteObjectTagging',
    method: 'DELETE',
    target: 'object',
    action: 'tagging',
    query: versionQuery,
    result: statusOnly,
  }),

  restoreObject: method<RestoreObjectParams, RestoreObjectResult>({
    cam: 'RestoreObject',
    method: 'POST',
    target: 'object',
    action: 'restore',
    check: (p) => {
      if (!p.RestoreRequest) throw paramError('missing param RestoreRequest');
    },
    query: versionQuery,
    xml: (p) => buildXml('RestoreRequest', p.RestoreRequest as unknown as XmlObject),
    result: wholeDocument,
  }),

  optionsObject: method<OptionsObjectParams, OptionsObjectResult>({
    cam: 'OptionsObject',
    method: 'OPTIONS',
    target: 'object',
    headers: (p, headers) => {
      headers.Origin = p.Origin;
      headers['Access-Control-Request-Method'] = p.AccessControlRequestMethod;
      headers['Access-Control-Request-Headers'] = p.AccessControlRequestHeaders;
    },
    result: (res) =>
      withStatus(res, {
        AccessControlAllowOrigin: res.headers['access-control-allow-origin'],
        AccessControlAllowMethods: res.headers['access-control-allow-methods'],
        AccessControlAllowHeaders: res.headers['access-control-allow-headers'],
        AccessControlExposeHeaders: res.headers['access-control-expose-headers'],
        AccessControlMaxAge: res.headers['access-control-max-age'],
      }),
    recover: (err) => (err.statusCode === 403 ? { OptionsForbidden: true, statusCode: 403 } : undefined),
  }),
};
