/**
 * May this caller perform this operation (C105, C127-C129)? The bucket's root account may do
 * everything; others what the ACLs grant: READ for reads, WRITE for writes, READ_ACP / WRITE_ACP for
 * the ACL sub-resources, and nothing of the owner-only rest (CORS, lifecycle, location, DELETE
 * Bucket). Reading an object with an ACL of its own is decided by that ACL, not the bucket's; every
 * version of an object is its own object here, with its own ACL.
 *
 * Sub-users carry the CAM-style policy statements their root account attached (`cosbox keys
 * grant`). A sub-user needs an allowing statement for the service-level operations (PUT Bucket, GET
 * Service); on its root account's buckets a statement may widen what the ACLs grant it, and a deny
 * statement takes away what they grant.
 *
 * The bucket policy (issue 16) joins in for every caller on the bucket: its explicit deny wins over
 * everything (the owner too, except over the policy APIs), its allow stands beside the ACLs. The
 * referer configuration is checked after, for the reads a web page embeds.
 */
import { CosError, OPERATIONS, type OperationName } from '@cosbox/protocol';
import { aclAllows, ownAcl, type Permission } from '../model/acl.js';
import { bucketPolicyDecision, bucketPolicyOf, type RequestFacts } from '../model/bucket-policy.js';
import { checkReferer, refererOf } from '../model/referer.js';
import type { Services } from '../services.js';
import { isDeleteMarker, type AclSpec, type BucketRecord, type GrantRecord, type MetadataStore } from '../storage/metadata/store.js';
import type { Caller } from './authenticate.js';
import { actionOf, policyDecision, scopeAllows, type PolicyStatement } from './temporary-keys.js';

/** The permission an operation needs from a non-owner, or undefined when only the owner may. */
function permissionFor(op: OperationName): Permission | undefined {
  if (op === 'GetBucketAcl' || op === 'GetObjectAcl') return 'READ_ACP';
  if (op === 'PutBucketAcl' || op === 'PutObjectAcl') return 'WRITE_ACP';
  const { access } = OPERATIONS[op];
  if (access === 'read') return 'READ';
  if (access === 'write' || access === 'form') return 'WRITE';
  return undefined;
}

/** Whether the operation's decision may rest on the object's own ACL (reads of it, its ACL). */
export function usesObjectAcl(op: OperationName): boolean {
  return op === 'GetObject' || op === 'HeadObject' || op === 'GetObjectAttributes' || op === 'GetSymlink' || op === 'GetObjectAcl' || op === 'PutObjectAcl';
}

export function isOwner(caller: Caller, bucket: BucketRecord): boolean {
  return caller.kind === 'account' && caller.account.uin === bucket.ownerUin;
}

function isSubUser(caller: Caller): boolean {
  return caller.kind === 'account' && caller.account.uin !== caller.account.rootUin;
}

/** Service-level operations a sub-user performs only with an allowing statement. */
const GRANTED_TO_SUB_USERS: ReadonlySet<OperationName> = new Set(['PutBucket', 'GetService']);

/** The resource a CAM policy names: `qcs::cos:<region>:uid/<appid>:<bucket>/<key>`. */
function resourceName(bucket: Pick<BucketRecord, 'name' | 'region' | 'appid'>, key: string | undefined): string {
  return `qcs::cos:${bucket.region}:uid/${bucket.appid}:${bucket.name}/${key ?? ''}`;
}

function resourceOf(bucket: BucketRecord | undefined, key: string | undefined): string {
  return bucket ? resourceName(bucket, key) : '*';
}

export interface PolicyFacts {
  /** The caller's own policy statements (a sub-user's grants). */
  grants?: readonly PolicyStatement[];
  /** The resource, when the operation's bucket does not exist yet (PUT Bucket). */
  resource?: string;
  /** What the bucket policy's conditions look at (client address, time, headers, query). */
  request?: RequestFacts;
}

/** The policy operations: a deny in the bucket policy never locks its owner out of changing the policy. */
const POLICY_OPERATIONS: ReadonlySet<OperationName> = new Set(['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy']);

export function authorize(op: OperationName, caller: Caller, bucket: BucketRecord | undefined, objectAcl?: AclSpec, key?: string, facts: PolicyFacts = {}): void {
  const { access } = OPERATIONS[op];
  if (access === 'preflight') return; // CORS rules decide
  const action = actionOf(op);
  const resource = facts.resource ?? resourceOf(bucket, key);
  // A temporary key does only what its policy allows, and then only what its issuer may.
  if (caller.kind === 'account' && caller.scope && !scopeAllows(caller.scope, action, resource)) {
    throw new CosError('AccessDenied', `The temporary key's policy does not allow ${action} on ${resource}.`);
  }
  if (access === 'signed') {
    if (caller.kind === 'anonymous') throw new CosError('AccessDenied', 'Anonymous access is not allowed.');
    if (isSubUser(caller) && GRANTED_TO_SUB_USERS.has(op) && policyDecision(facts.grants ?? [], action, resource) !== 'allow') {
      throw new CosError('AccessDenied', `The sub-user has no grant for ${action} on ${resource}.`);
    }
    return;
  }
  if (!bucket) throw new CosError('AccessDenied');
  // The bucket policy (issue 16): an explicit deny wins over everything, the owner's own rights
  // included (except over the policy itself); an allow stands beside the ACLs.
  const bucketPolicy = bucketPolicyDecision(bucketPolicyOf(bucket), caller, action, resource, facts.request ?? {});
  if (bucketPolicy === 'deny' && !(isOwner(caller, bucket) && POLICY_OPERATIONS.has(op))) {
    throw new CosError('AccessDenied', `The bucket policy denies ${action} on ${resource}.`);
  }
  if (isOwner(caller, bucket)) return;
  // A root account's statements reach only its own buckets.
  if (caller.kind === 'account' && isSubUser(caller) && caller.account.rootUin === bucket.ownerUin) {
    const decision = policyDecision(facts.grants ?? [], action, resource);
    if (decision === 'deny') throw new CosError('AccessDenied', `A statement of the sub-user's policy denies ${action} on ${resource}.`);
    if (decision === 'allow') return;
  }
  if (bucketPolicy === 'allow') return;
  const permission = permissionFor(op);
  const acl = usesObjectAcl(op) && ownAcl(objectAcl) ? objectAcl : bucket.acl;
  if (permission === undefined || !aclAllows(acl, caller, permission)) throw new CosError('AccessDenied');
}

/** What a request asks for, as far as access goes. */
export interface AccessRequest {
  op: OperationName;
  caller: Caller;
  /** The bucket, when it exists. */
  bucket?: BucketRecord;
  /** The bucket's name and region as the request gives them (PUT Bucket names one to be). */
  bucketName?: string;
  region?: string;
  key?: string;
  /** The version the request reads or changes; its own ACL decides, not the current one's. */
  versionId?: string;
  /** The client's address, headers and query, for bucket policy conditions and the referer check. */
  request?: Omit<RequestFacts, 'now'>;
}

/** The ACL of the object or version a request names, undefined when none (or a delete marker). */
async function objectAclOf(meta: MetadataStore, bucket: string, key: string, versionId: string | undefined): Promise<AclSpec | undefined> {
  if (versionId === undefined) return (await meta.getObject(bucket, key))?.acl;
  const version = await meta.getObjectVersion(bucket, key, versionId);
  return version && !isDeleteMarker(version) ? version.acl : undefined;
}

const statementOf = (g: GrantRecord): PolicyStatement => ({ effect: g.effect, actions: [g.action], resources: [g.resource] });

/** The bucket PUT Bucket would create, as a policy resource: its appid is the number its name ends with. */
function newBucketResource(name: string | undefined, region: string): string | undefined {
  const appid = name && /-(\d+)$/.exec(name)?.[1];
  return appid ? resourceName({ name: name!, region, appid }, undefined) : undefined;
}

/** Gathers what the decision needs (the object's or version's ACL, the sub-user's grants), then authorizes. */
export async function authorizeRequest(services: Pick<Services, 'meta' | 'config'>, r: AccessRequest): Promise<void> {
  const { meta } = services;
  const needsObjectAcl = r.bucket && r.key !== undefined && usesObjectAcl(r.op) && !isOwner(r.caller, r.bucket);
  const objectAcl = needsObjectAcl ? await objectAclOf(meta, r.bucket!.name, r.key!, r.versionId) : undefined;
  const grants = r.caller.kind === 'account' && isSubUser(r.caller) ? (await meta.listGrants(r.caller.account.uin)).map(statementOf) : undefined;
  const resource = r.op === 'PutBucket' ? newBucketResource(r.bucketName, r.region ?? services.config.region) : undefined;
  const request: RequestFacts = { ...r.request, now: Date.now() };
  authorize(r.op, r.caller, r.bucket, objectAcl, r.key, { grants, resource, request });
  checkReferer(refererOf(r.bucket), r.op, r.request?.header?.('referer'));
}
