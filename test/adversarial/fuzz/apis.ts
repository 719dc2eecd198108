/**
 * Every API cosbox answers, as a valid base request on a case's target: the properties add hostile
 * headers, queries or bodies to these. `prepare` makes what the request needs (an upload in
 * progress), `followUp` what makes its effect readable (a Complete after an Initiate).
 */
import { createHash } from 'node:crypto';
import type { WireRequest, WireResponse } from './live.js';
import { pathOf, type Target, type World } from './world.js';

export const md5Base64 = (b: Buffer | string) => createHash('md5').update(b).digest('base64');
const md5Hex = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

export const OWNER = 'qcs::cam::uin/100000000001:uin/100000000001';

/** A valid body of every API that takes XML (and /sts, which takes JSON). */
export const VALID_BODIES = {
  PutBucketAcl: `<AccessControlPolicy><Owner><ID>${OWNER}</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${OWNER}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`,
  PutObjectAcl: `<AccessControlPolicy><Owner><ID>${OWNER}</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${OWNER}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
  PutBucketCors: `<CORSConfiguration><CORSRule><ID>r1</ID><AllowedOrigin>http://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule></CORSConfiguration>`,
  PutBucketLifecycle: `<LifecycleConfiguration><Rule><ID>r1</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>ARCHIVE</StorageClass></Transition><Expiration><Days>365</Days></Expiration></Rule></LifecycleConfiguration>`,
  PutBucketVersioning: `<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>`,
  PutBucketTagging: `<Tagging><TagSet><Tag><Key>team</Key><Value>fuzz</Value></Tag><Tag><Key>k2</Key><Value>v2</Value></Tag></TagSet></Tagging>`,
  PutObjectTagging: `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`,
  DeleteMultipleObjects: `<Delete><Quiet>false</Quiet><Object><Key>scratch/one</Key></Object><Object><Key>scratch/two</Key></Object></Delete>`,
  CompleteMultipartUpload: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"${md5Hex('part one')}"</ETag></Part></CompleteMultipartUpload>`,
  RestoreObject: `<RestoreRequest><Days>1</Days><CASJobParameters><Tier>Standard</Tier></CASJobParameters></RestoreRequest>`,
  // Bucket configurations of issue 16 (policy, website, encryption, referer, accelerate, domain).
  PutBucketPolicy: JSON.stringify({
    version: '2.0',
    statement: [{ principal: { qcs: ['qcs::cam::anyone:anyone'] }, effect: 'allow', action: ['name/cos:GetObject'], resource: ['*'], condition: { ip_equal: { 'qcs:ip': ['10.0.0.0/8'] } } }],
  }),
  PutBucketWebsite: `<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>404.html</Key></ErrorDocument><RoutingRules><RoutingRule><Condition><KeyPrefixEquals>old/</KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith>new/</ReplaceKeyPrefixWith></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`,
  PutBucketEncryption: `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`,
  PutBucketReferer: `<RefererConfiguration><Status>Enabled</Status><RefererType>Black-List</RefererType><DomainList><Domain>*.evil.example</Domain></DomainList><EmptyReferConfiguration>Allow</EmptyReferConfiguration></RefererConfiguration>`,
  PutBucketAccelerate: `<AccelerateConfiguration><Status>Enabled</Status></AccelerateConfiguration>`,
  PutBucketDomain: `<DomainConfiguration><DomainRule><Status>ENABLED</Status><Name>fuzz.example.com</Name><Type>REST</Type></DomainRule></DomainConfiguration>`,

  // Bucket configurations, part 2: targets and destinations are the canary bucket (same owner).
  PutBucketLogging: `<BucketLoggingStatus><LoggingEnabled><TargetBucket>canary-1250000000</TargetBucket><TargetPrefix>logs/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`,
  PutBucketInventory: `<InventoryConfiguration><Id>fz</Id><IsEnabled>true</IsEnabled><Destination><COSBucketDestination><Format>CSV</Format><AccountId>100000000001</AccountId><Bucket>qcs::cos:ap-guangzhou::canary-1250000000</Bucket><Prefix>inv</Prefix></COSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><Filter><Prefix>a/</Prefix></Filter><IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields></InventoryConfiguration>`,
  PutBucketReplication: `<ReplicationConfiguration><Role>${OWNER}</Role><Rule><ID>r1</ID><Status>Enabled</Status><Prefix>a/</Prefix><Destination><Bucket>qcs::cos:ap-guangzhou::canary-1250000000</Bucket><StorageClass>Standard</StorageClass></Destination></Rule></ReplicationConfiguration>`,
  PutBucketIntelligentTiering: `<IntelligentTieringConfiguration><Status>Enabled</Status><Transition><Days>30</Days><RequestFrequent>1</RequestFrequent></Transition></IntelligentTieringConfiguration>`,
  PutBucketOrigin: `<OriginConfiguration><OriginRule><RulePriority>1</RulePriority><OriginType>Mirror</OriginType><OriginCondition><HTTPStatusCode>404</HTTPStatusCode><Prefix>origin/</Prefix></OriginCondition><OriginParameter><Protocol>HTTP</Protocol><FollowQueryString>true</FollowQueryString><CopyOriginData>true</CopyOriginData></OriginParameter><OriginInfo><HostInfo><HostName>127.0.0.1:9</HostName></HostInfo></OriginInfo></OriginRule></OriginConfiguration>`,
  GetFederationToken: JSON.stringify({
    DurationSeconds: 1800,
    Policy: { version: '2.0', statement: [{ effect: 'allow', action: ['name/cos:GetObject'], resource: ['qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*'] }] },
  }),
} as const;

export type BodyApi = keyof typeof VALID_BODIES;

/** What a case needs beyond its target: an upload in progress, its id. */
export interface Prepared {
  uploadId?: string;
}

export interface Api {
  name: string;
  method: string;
  scope: 'service' | 'sts' | 'bucket' | 'object';
  /** The query, `{uploadId}` replaced by the prepared upload's. */
  query?: string;
  headers?: (world: World, target: Target) => Array<[string, string]>;
  body?: string;
  /** Whether the body goes with its Content-MD5. */
  md5?: boolean;
  /** The object the case may touch, when not the target itself. */
  key?: (target: Target) => string;
  /** The target is an archived object (restore). */
  archived?: boolean;
  prepare?: (world: World, target: Target) => Promise<Prepared>;
  followUp?: (world: World, target: Target, res: WireResponse, prepared: Prepared) => WireRequest[];
}

const PART_BODY = Buffer.from('part one');

/** An upload in progress on the target with part 1 uploaded. */
async function uploadInProgress(world: World, target: Target): Promise<Prepared> {
  const init = await world.call('POST', target.bucket, `${pathOf(target.key)}?uploads`);
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.body.toString('utf8'))?.[1];
  if (!uploadId) throw new Error(`setup: Initiate Multipart Upload answered ${init.status}`);
  const part = await world.call('PUT', target.bucket, `${pathOf(target.key)}?partNumber=1&uploadId=${uploadId}`, [], PART_BODY);
  if (part.status !== 200) throw new Error(`setup: Upload Part answered ${part.status}`);
  return { uploadId };
}

/** Upload part 1 and complete: what an initiated upload's headers become. */
function completeUpload(world: World, target: Target, uploadId: string): WireRequest[] {
  const path = pathOf(target.key);
  const complete = Buffer.from(VALID_BODIES.CompleteMultipartUpload);
  return [
    world.request('PUT', target.bucket, `${path}?partNumber=1&uploadId=${uploadId}`, [], PART_BODY),
    world.request('POST', target.bucket, `${path}?uploadId=${uploadId}`, [], complete),
  ];
}

const copySource = (world: World) => `${world.canary.bucket}.cos.ap-guangzhou.myqcloud.com${pathOf(world.canary.key)}`;

export const APIS: Api[] = [
  { name: 'GetService', method: 'GET', scope: 'service' },
  { name: 'GetFederationToken', method: 'POST', scope: 'sts', body: VALID_BODIES.GetFederationToken, headers: () => [['Content-Type', 'application/json']] },
  { name: 'PutBucket', method: 'PUT', scope: 'bucket' },
  { name: 'HeadBucket', method: 'HEAD', scope: 'bucket' },
  { name: 'ListObjects', method: 'GET', scope: 'bucket', query: 'prefix=fuzz&max-keys=5' },
  { name: 'DeleteBucket', method: 'DELETE', scope: 'bucket' },
  { name: 'GetBucketLocation', method: 'GET', scope: 'bucket', query: 'location' },
  { name: 'GetBucketAcl', method: 'GET', scope: 'bucket', query: 'acl' },
  { name: 'PutBucketAcl', method: 'PUT', scope: 'bucket', query: 'acl', headers: () => [['x-cos-acl', 'private']] },
  { name: 'PutBucketAcl (body)', method: 'PUT', scope: 'bucket', query: 'acl', body: VALID_BODIES.PutBucketAcl },
  { name: 'PutBucketCors', method: 'PUT', scope: 'bucket', query: 'cors', body: VALID_BODIES.PutBucketCors, md5: true },
  { name: 'GetBucketCors', method: 'GET', scope: 'bucket', query: 'cors' },
  { name: 'DeleteBucketCors', method: 'DELETE', scope: 'bucket', query: 'cors' },
  { name: 'PutBucketLifecycle', method: 'PUT', scope: 'bucket', query: 'lifecycle', body: VALID_BODIES.PutBucketLifecycle, md5: true },
  { name: 'GetBucketLifecycle', method: 'GET', scope: 'bucket', query: 'lifecycle' },
  { name: 'DeleteBucketLifecycle', method: 'DELETE', scope: 'bucket', query: 'lifecycle' },
  { name: 'PutBucketVersioning', method: 'PUT', scope: 'bucket', query: 'versioning', body: VALID_BODIES.PutBucketVersioning },
  { name: 'GetBucketVersioning', method: 'GET', scope: 'bucket', query: 'versioning' },
  { name: 'ListObjectVersions', method: 'GET', scope: 'bucket', query: 'versions&max-keys=5' },
  { name: 'PutBucketTagging', method: 'PUT', scope: 'bucket', query: 'tagging', body: VALID_BODIES.PutBucketTagging, md5: true },
  { name: 'GetBucketTagging', method: 'GET', scope: 'bucket', query: 'tagging' },
  { name: 'DeleteBucketTagging', method: 'DELETE', scope: 'bucket', query: 'tagging' },
  // Bucket configurations of issue 16.
  { name: 'PutBucketPolicy', method: 'PUT', scope: 'bucket', query: 'policy', body: VALID_BODIES.PutBucketPolicy, md5: true, headers: () => [['Content-Type', 'application/json']] },
  { name: 'GetBucketPolicy', method: 'GET', scope: 'bucket', query: 'policy' },
  { name: 'DeleteBucketPolicy', method: 'DELETE', scope: 'bucket', query: 'policy' },
  { name: 'PutBucketWebsite', method: 'PUT', scope: 'bucket', query: 'website', body: VALID_BODIES.PutBucketWebsite, md5: true },
  { name: 'GetBucketWebsite', method: 'GET', scope: 'bucket', query: 'website' },
  { name: 'DeleteBucketWebsite', method: 'DELETE', scope: 'bucket', query: 'website' },
  { name: 'PutBucketEncryption', method: 'PUT', scope: 'bucket', query: 'encryption', body: VALID_BODIES.PutBucketEncryption, md5: true },
  { name: 'GetBucketEncryption', method: 'GET', scope: 'bucket', query: 'encryption' },
  { name: 'DeleteBucketEncryption', method: 'DELETE', scope: 'bucket', query: 'encryption' },
  { name: 'PutBucketReferer', method: 'PUT', scope: 'bucket', query: 'referer', body: VALID_BODIES.PutBucketReferer, md5: true },
  { name: 'GetBucketReferer', method: 'GET', scope: 'bucket', query: 'referer' },
  { name: 'PutBucketAccelerate', method: 'PUT', scope: 'bucket', query: 'accelerate', body: VALID_BODIES.PutBucketAccelerate, md5: true },
  { name: 'GetBucketAccelerate', method: 'GET', scope: 'bucket', query: 'accelerate' },
  { name: 'PutBucketDomain', method: 'PUT', scope: 'bucket', query: 'domain', body: VALID_BODIES.PutBucketDomain, md5: true },
  { name: 'GetBucketDomain', method: 'GET', scope: 'bucket', query: 'domain' },
  { name: 'DeleteBucketDomain', method: 'DELETE', scope: 'bucket', query: 'domain' },
  { name: 'ListMultipartUploads', method: 'GET', scope: 'bucket', query: 'uploads&max-uploads=5' },
  { name: 'DeleteMultipleObjects', method: 'POST', scope: 'bucket', query: 'delete', body: VALID_BODIES.DeleteMultipleObjects, md5: true },
  // Bucket configurations, part 2 (object lock only read: a lock cannot be lifted between cases).
  { name: 'PutBucketLogging', method: 'PUT', scope: 'bucket', query: 'logging', body: VALID_BODIES.PutBucketLogging },
  { name: 'GetBucketLogging', method: 'GET', scope: 'bucket', query: 'logging' },
  { name: 'PutBucketInventory', method: 'PUT', scope: 'bucket', query: 'inventory&id=fz', body: VALID_BODIES.PutBucketInventory },
  { name: 'GetBucketInventory', method: 'GET', scope: 'bucket', query: 'inventory&id=fz' },
  { name: 'ListBucketInventory', method: 'GET', scope: 'bucket', query: 'inventory' },
  { name: 'DeleteBucketInventory', method: 'DELETE', scope: 'bucket', query: 'inventory&id=fz' },
  { name: 'PutBucketReplication', method: 'PUT', scope: 'bucket', query: 'replication', body: VALID_BODIES.PutBucketReplication },
  { name: 'GetBucketReplication', method: 'GET', scope: 'bucket', query: 'replication' },
  { name: 'DeleteBucketReplication', method: 'DELETE', scope: 'bucket', query: 'replication' },
  { name: 'GetBucketObjectLock', method: 'GET', scope: 'bucket', query: 'object-lock' },
  { name: 'PutBucketIntelligentTiering', method: 'PUT', scope: 'bucket', query: 'intelligenttiering', body: VALID_BODIES.PutBucketIntelligentTiering },
  { name: 'GetBucketIntelligentTiering', method: 'GET', scope: 'bucket', query: 'intelligenttiering' },
  { name: 'PutBucketOrigin', method: 'PUT', scope: 'bucket', query: 'origin', body: VALID_BODIES.PutBucketOrigin },
  { name: 'GetBucketOrigin', method: 'GET', scope: 'bucket', query: 'origin' },
  { name: 'DeleteBucketOrigin', method: 'DELETE', scope: 'bucket', query: 'origin' },
  {
    name: 'OptionsObject',
    method: 'OPTIONS',
    scope: 'object',
    headers: () => [
      ['Origin', 'http://www.example.com'],
      ['Access-Control-Request-Method', 'PUT'],
    ],
  },
  { name: 'GetObject', method: 'GET', scope: 'object' },
  { name: 'HeadObject', method: 'HEAD', scope: 'object' },
  { name: 'PutObject', method: 'PUT', scope: 'object', body: 'fuzzed put body' },
  { name: 'PutObjectCopy', method: 'PUT', scope: 'object', headers: (world) => [['x-cos-copy-source', copySource(world)]] },
  { name: 'DeleteObject', method: 'DELETE', scope: 'object' },
  { name: 'GetObjectAcl', method: 'GET', scope: 'object', query: 'acl' },
  { name: 'PutObjectAcl', method: 'PUT', scope: 'object', query: 'acl', headers: () => [['x-cos-acl', 'private']] },
  { name: 'PutObjectAcl (body)', method: 'PUT', scope: 'object', query: 'acl', body: VALID_BODIES.PutObjectAcl },
  { name: 'GetObjectTagging', method: 'GET', scope: 'object', query: 'tagging' },
  { name: 'PutObjectTagging', method: 'PUT', scope: 'object', query: 'tagging', body: VALID_BODIES.PutObjectTagging },
  { name: 'DeleteObjectTagging', method: 'DELETE', scope: 'object', query: 'tagging' },
  {
    name: 'InitiateMultipartUpload',
    method: 'POST',
    scope: 'object',
    query: 'uploads',
    followUp: (world, target, res) => {
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(res.body.toString('utf8'))?.[1];
      return uploadId ? completeUpload(world, target, uploadId) : [];
    },
  },
  { name: 'UploadPart', method: 'PUT', scope: 'object', query: 'partNumber=2&uploadId={uploadId}', body: 'part two', prepare: uploadInProgress },
  {
    name: 'UploadPartCopy',
    method: 'PUT',
    scope: 'object',
    query: 'partNumber=2&uploadId={uploadId}',
    headers: (world) => [['x-cos-copy-source', copySource(world)]],
    prepare: uploadInProgress,
  },
  { name: 'ListParts', method: 'GET', scope: 'object', query: 'uploadId={uploadId}', prepare: uploadInProgress },
  { name: 'AbortMultipartUpload', method: 'DELETE', scope: 'object', query: 'uploadId={uploadId}', prepare: uploadInProgress },
  {
    name: 'CompleteMultipartUpload',
    method: 'POST',
    scope: 'object',
    query: 'uploadId={uploadId}',
    body: VALID_BODIES.CompleteMultipartUpload,
    prepare: uploadInProgress,
  },
  {
    name: 'AppendObject',
    method: 'POST',
    scope: 'object',
    query: 'append&position=0',
    body: 'appended',
    key: (target) => `${target.key}.append`,
    prepare: async (world, target) => {
      await world.call('DELETE', target.bucket, pathOf(`${target.key}.append`));
      return {};
    },
  },
  { name: 'RestoreObject', method: 'POST', scope: 'object', query: 'restore', body: VALID_BODIES.RestoreObject, md5: true, archived: true },
];

export function apiNamed(name: string): Api {
  const api = APIS.find((a) => a.name === name);
  if (!api) throw new Error(`no API ${name}`);
  return api;
}

export interface BuiltCase {
  request: WireRequest;
  /** What the invariants watch: the object this case may touch. */
  target: Target;
  prepared: Prepared;
}

export interface CaseChanges {
  /** Replace or add these headers (by name, case-insensitively) before signing. */
  headers?: Array<[string, string]>;
  /** A query to append to the API's own. */
  query?: string;
  /** A body instead of the API's. */
  body?: Buffer;
  /** Headers sent but left out of the signature. */
  unsigned?: Array<[string, string]>;
}

/** Resets the target, prepares what the API needs and builds its signed request with `changes`. */
export async function buildCase(world: World, api: Api, baseTarget: Target, changes: CaseChanges = {}): Promise<BuiltCase> {
  await world.resetBucket(baseTarget.bucket);
  await world.resetTarget(baseTarget, api.archived ? [['x-cos-storage-class', 'ARCHIVE']] : []);
  const prepared = (await api.prepare?.(world, baseTarget)) ?? {};
  const target = api.key ? { bucket: baseTarget.bucket, key: api.key(baseTarget) } : baseTarget;
  const query = [api.query?.replace('{uploadId}', prepared.uploadId ?? ''), changes.query].filter((q) => q !== undefined && q !== '').join('&');
  const path = api.scope === 'service' ? '/' : api.scope === 'sts' ? '/sts' : api.scope === 'bucket' ? '/' : pathOf(target.key);
  const body = changes.body ?? (api.body !== undefined ? Buffer.from(api.body) : undefined);
  let headers: Array<[string, string]> = api.headers?.(world, target) ?? [];
  if (api.md5 && body) headers.push(['Content-MD5', md5Base64(body)]);
  const overridden = new Set((changes.headers ?? []).map(([n]) => n.toLowerCase()));
  headers = [...headers.filter(([n]) => !overridden.has(n.toLowerCase())), ...(changes.headers ?? [])];
  const bucket = api.scope === 'bucket' || api.scope === 'object' ? target.bucket : undefined;
  const signedReq = world.request(api.method, bucket, query ? `${path}?${query}` : path, headers, body);
  const request = changes.unsigned ? { ...signedReq, headers: [...signedReq.headers, ...changes.unsigned] } : signedReq;
  return { request, target, prepared };
}

/** Aborts an upload a case left in progress, so that uploads do not pile up. */
export async function cleanUp(world: World, built: BuiltCase): Promise<void> {
  if (built.prepared.uploadId) await world.call('DELETE', built.target.bucket, `${pathOf(built.target.key)}?uploadId=${built.prepared.uploadId}`);
}
