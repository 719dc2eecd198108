/**
 * Access control lists (FEATURES §1.7, C109-C132): given by x-cos-acl / x-cos-grant-* headers or an
 * AccessControlPolicy document, kept per bucket and per object, rendered back in 004's shape, and
 * evaluated for every operation.
 *
 * The owner (the bucket's root account) always has FULL_CONTROL. An object with no ACL of its own
 * (none given, or `default`) follows its bucket's; an object ACL of its own replaces the bucket's
 * for reading that object (C112). Grantees are CAM ids: `qcs::cam::uin/<root>:uin/<uin>` for an
 * account, `qcs::cam::anyone:anyone` (or the AllUsers group URI) for everyone.
 */
import { CosError, parseXml, xmlChild, xmlList, xmlText, type XmlObject } from '@cosbox/protocol';
import { camId, type Account } from '../auth/accounts.js';
import type { Caller } from '../auth/authenticate.js';
import type { AclSpec } from '../storage/metadata/store.js';

export type Permission = 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' | 'FULL_CONTROL';
const PERMISSIONS: readonly Permission[] = ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'];

export const ANYONE = 'qcs::cam::anyone:anyone';
const ALL_USERS_URI = 'http://cam.qcloud.com/groups/global/AllUsers';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
/** At most this many grants in one ACL (C123). */
export const MAX_GRANTS = 100;

const CANNED = ['private', 'public-read', 'public-read-write'];

const GRANT_HEADERS: Record<string, Permission> = {
  'x-cos-grant-read': 'READ',
  'x-cos-grant-write': 'WRITE',
  'x-cos-grant-read-acp': 'READ_ACP',
  'x-cos-grant-write-acp': 'WRITE_ACP',
  'x-cos-grant-full-control': 'FULL_CONTROL',
};

/** `qcs::cam::uin/<root>:uin/<uin>`: an account of any root account, cosbox's own or not. */
const CAM_UIN = /^qcs::cam::uin\/(\d{1,20}):uin\/(\d{1,20})$/;

/**
 * A grantee id in its canonical form: a bare uin is that root account (FEATURES §5 #41), AllUsers is
 * anyone. Any well-formed uin is kept, also of an account cosbox does not have (COS grants to other
 * accounts' uins): the grant takes effect when such an account signs. Anything else is InvalidArgument.
 */
function canonicalGrantee(id: string): string {
  const trimmed = id.trim();
  if (/^\d{1,20}$/.test(trimmed)) return `qcs::cam::uin/${trimmed}:uin/${trimmed}`;
  if (trimmed === ALL_USERS_URI || trimmed === ANYONE) return ANYONE;
  if (CAM_UIN.test(trimmed)) return trimmed;
  throw new CosError('InvalidArgument', `Invalid grantee: ${JSON.stringify(trimmed.slice(0, 200))}`);
}

/** `id="qcs::cam::uin/1:uin/2", id="3"` -> grantee ids (C117). */
function parseGrantees(value: string): string[] {
  return value.split(',').map((item) => {
    const m = /^\s*(id|uri)\s*=\s*"([^"]*)"\s*$/i.exec(item);
    if (!m || m[2] === '') throw new CosError('InvalidArgument', `Invalid grant: ${item.trim()}`);
    return canonicalGrantee(m[2]);
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
  if (grants.length > MAX_GRANTS) throw new CosError('InvalidArgument', `At most ${MAX_GRANTS} grants.`);
  return { canned, grants };
}

/** An AccessControlPolicy document (C119-C122), read whatever its Content-Type (C132). */
export function aclFromXml(text: string): AclSpec {
  const policy = xmlChild(parseXml(text, 'MalformedACLError').AccessControlPolicy);
  const list = xmlChild(policy?.AccessControlList);
  if (!policy || !list) throw new CosError('MalformedACLError');
  const grants = xmlList(list.Grant).map((entry) => {
    const grant = xmlChild(entry);
    const grantee = xmlChild(grant?.Grantee);
    const id = xmlText(grantee?.ID) ?? xmlText(grantee?.URI);
    const permission = xmlText(grant?.Permission)?.trim() as Permission | undefined;
    if (!id || !permission || !PERMISSIONS.includes(permission)) throw new CosError('MalformedACLError');
    return { permission, grantee: canonicalGrantee(id) };
  });
  if (grants.length > MAX_GRANTS) throw new CosError('InvalidArgument', `At most ${MAX_GRANTS} grants.`);
  return { grants, fromDocument: true };
}

/** The grants an ACL amounts to, canned ACLs spelled out. */
function grantsOf(acl: AclSpec | undefined): AclSpec['grants'] {
  const grants = [...(acl?.grants ?? [])];
  if (acl?.canned === 'public-read' || acl?.canned === 'public-read-write') grants.push({ permission: 'READ', grantee: ANYONE });
  if (acl?.canned === 'public-read-write') grants.push({ permission: 'WRITE', grantee: ANYONE });
  return grants;
}

/** Whether the ACL is the object's own, rather than "follow the bucket". */
export function ownAcl(acl: AclSpec | undefined): acl is AclSpec {
  return acl !== undefined && acl.canned !== 'default';
}

/** Does `caller` hold `permission` under `acl`? (The owner is checked before this.) */
export function aclAllows(acl: AclSpec | undefined, caller: Caller, permission: Permission): boolean {
  const identities = caller.kind === 'account' ? [ANYONE, camId(caller.account)] : [ANYONE];
  return grantsOf(acl).some((g) => identities.includes(g.grantee) && (g.permission === permission || g.permission === 'FULL_CONTROL'));
}

function granteeXml(id: string): XmlObject {
  if (id === ANYONE) return { '@xmlns:xsi': XSI, '@xsi:type': 'Group', URI: ALL_USERS_URI };
  const m = CAM_UIN.exec(id);
  const type = m && m[1] !== m[2] ? 'SubAccount' : 'RootAccount';
  return { '@xmlns:xsi': XSI, '@xsi:type': type, ID: id, DisplayName: id };
}

/**
 * The AccessControlPolicy document of GET acl (C184, C232): exactly the grants of an ACL given as a
 * document; for one given by headers (or none), the owner's FULL_CONTROL first, canned ACLs spelled
 * out. The owner may do everything either way.
 */
export function aclDocument(owner: Pick<Account, 'uin'>, acl: AclSpec | undefined): XmlObject {
  const ownerId = camId(owner);
  const grants = acl?.fromDocument ? acl.grants : [{ permission: 'FULL_CONTROL', grantee: ownerId }, ...grantsOf(acl)];
  return {
    Owner: { ID: ownerId, DisplayName: ownerId },
    AccessControlList: { Grant: grants.map((g) => ({ Grantee: granteeXml(g.grantee), Permission: g.permission })) },
  };
}
