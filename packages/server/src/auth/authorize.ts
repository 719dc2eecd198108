/**
 * May this caller perform this operation (C105, C127-C129)? The bucket's root account may do
 * everything; others what the ACLs grant: READ for reads, WRITE for writes, READ_ACP / WRITE_ACP for
 * the ACL sub-resources, and nothing of the owner-only rest (CORS, lifecycle, location, DELETE
 * Bucket). Reading an object with an ACL of its own is decided by that ACL, not the bucket's.
 */
import { CosError, OPERATIONS, type OperationName } from '@cosbox/protocol';
import { aclAllows, ownAcl, type Permission } from '../model/acl.js';
import type { AclSpec, BucketRecord } from '../storage/metadata/store.js';
import type { Caller } from './authenticate.js';
import { actionOf, scopeAllows } from './temporary-keys.js';

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
  return op === 'GetObject' || op === 'HeadObject' || op === 'GetSymlink' || op === 'GetObjectAcl' || op === 'PutObjectAcl';
}

export function isOwner(caller: Caller, bucket: BucketRecord): boolean {
  return caller.kind === 'account' && caller.account.uin === bucket.ownerUin;
}

/** The resource a temporary key's policy names: `qcs::cos:<region>:uid/<appid>:<bucket>/<key>`. */
function resourceOf(bucket: BucketRecord | undefined, key: string | undefined): string {
  return bucket ? `qcs::cos:${bucket.region}:uid/${bucket.appid}:${bucket.name}/${key ?? ''}` : '*';
}

export function authorize(op: OperationName, caller: Caller, bucket: BucketRecord | undefined, objectAcl?: AclSpec, key?: string): void {
  const { access } = OPERATIONS[op];
  if (access === 'preflight') return; // CORS rules decide
  // A temporary key does only what its policy allows, and then only what its issuer may.
  if (caller.kind === 'account' && caller.scope && !scopeAllows(caller.scope, actionOf(op), resourceOf(bucket, key))) {
    throw new CosError('AccessDenied', `The temporary key's policy does not allow ${actionOf(op)} on ${resourceOf(bucket, key)}.`);
  }
  if (access === 'signed') {
    if (caller.kind === 'anonymous') throw new CosError('AccessDenied', 'Anonymous access is not allowed.');
    return;
  }
  if (!bucket) throw new CosError('AccessDenied');
  if (isOwner(caller, bucket)) return;
  const permission = permissionFor(op);
  const acl = usesObjectAcl(op) && ownAcl(objectAcl) ? objectAcl : bucket.acl;
  if (permission === undefined || !aclAllows(acl, caller, permission)) throw new CosError('AccessDenied');
}
