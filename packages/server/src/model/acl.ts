/**
 * ACL headers as a request gives them (FEATURES §1.7.2-1.7.3, C109-C118). This issue validates and
 * keeps them; enforcing them is the access-control issue's work.
 */
import { CosError } from '@cosbox/protocol';
import type { AclSpec } from '../storage/metadata/store.js';

const CANNED = ['private', 'public-read', 'public-read-write'];

const GRANT_HEADERS: Record<string, string> = {
  'x-cos-grant-read': 'READ',
  'x-cos-grant-write': 'WRITE',
  'x-cos-grant-read-acp': 'READ_ACP',
  'x-cos-grant-write-acp': 'WRITE_ACP',
  'x-cos-grant-full-control': 'FULL_CONTROL',
};

/** `id="qcs::cam::uin/1:uin/2", id="3"` -> grantee ids; a bare uin means that root account (§5 #41). */
function parseGrantees(value: string): string[] {
  return value.split(',').map((item) => {
    const m = /^\s*(id|uri)\s*=\s*"([^"]*)"\s*$/i.exec(item);
    if (!m || m[2] === '') throw new CosError('InvalidArgument', `Invalid grant: ${item.trim()}`);
    const id = m[2];
    return /^\d+$/.test(id) ? `qcs::cam::uin/${id}:uin/${id}` : id;
  });
}

/** The ACL named by a request's headers, or undefined when it names none. */
export function aclFromHeaders(header: (name: string) => string | undefined, options: { allowDefault: boolean }): AclSpec | undefined {
  const cannedHeader = header('x-cos-acl')?.trim();
  const grants: AclSpec['grants'] = [];
  for (const [name, permission] of Object.entries(GRANT_HEADERS)) {
    const value = header(name);
    if (value === undefined || value.trim() === '') continue;
    for (const grantee of parseGrantees(value)) grants.push({ permission, grantee });
  }
  if ((cannedHeader === undefined || cannedHeader === '') && grants.length === 0) return undefined;
  let canned: string | undefined;
  if (cannedHeader) {
    const lower = cannedHeader.toLowerCase();
    if (!CANNED.includes(lower) && !(options.allowDefault && lower === 'default')) {
      throw new CosError('InvalidArgument', `Invalid x-cos-acl: ${cannedHeader}`);
    }
    canned = lower;
  }
  return { canned, grants };
}
