/**
 * May this caller perform this operation? Until ACLs exist (a later issue) the rule is simple:
 * service-level operations need any signed caller; everything on a bucket needs its owner.
 */
import { CosError, OPERATIONS, type OperationName } from '@cosbox/protocol';
import type { BucketRecord } from '../storage/metadata/store.js';
import type { Caller } from './authenticate.js';

export function authorize(op: OperationName, caller: Caller, bucket: BucketRecord | undefined): void {
  const { access } = OPERATIONS[op];
  if (access === 'preflight' || access === 'form') return; // their handlers decide
  if (caller.kind === 'anonymous') throw new CosError('AccessDenied', 'Anonymous access is not allowed.');
  if (access === 'signed') return;
  if (!bucket || bucket.ownerUin !== caller.account.uin) throw new CosError('AccessDenied');
}
