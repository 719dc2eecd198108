/**
 * The access keys and sub-users of a root account over HTTP, for the console: `cosbox keys` for
 * one's own account, without access to the data directory.
 *
 *   GET    /-/admin/keys                  the root account, its sub-users and every SecretId (never a SecretKey)
 *   POST   /-/admin/users/<uin>/keys      a new key pair for the root account itself or for a sub-user
 *                                         (created when new); the SecretKey is in this answer only
 *   DELETE /-/admin/keys/<secretId>       removes a key pair of the account or of one of its sub-users
 *   DELETE /-/admin/users/<uin>           removes a sub-user with its keys and grants
 *
 * Only a request signed in its Authorization header with a permanent key of a root account gets
 * in: not anonymous, not a pre-signed URL (which ends up in logs and histories), not a temporary
 * key, not a sub-user. The target of every call is in the signed path; a body, which the COS
 * signature does not cover, is refused. Answers are JSON, errors COS error documents.
 */
import { CosError } from '@cosbox/protocol';
import { newAccessKey } from '../admin.js';
import type { Account } from '../auth/accounts.js';
import type { ResponseSpec } from '../http/context.js';
import type { AccessKeyRecord, AccountRecord } from '../storage/metadata/store.js';
import type { AdminRequest } from './index.js';

export const KEYS_PREFIX = '/-/admin/';

/** Bounds that keep one account's answer small. */
export const MAX_KEYS_PER_ACCOUNT = 20;
export const MAX_SUB_USERS = 200;

const UIN = /^[1-9]\d{0,19}$/;
const SECRET_ID = /^[A-Za-z0-9]{1,128}$/;

function json(status: number, value: unknown): ResponseSpec {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }, body: JSON.stringify(value) };
}

/** The root account that signed the request, or AccessDenied. */
function rootCaller(req: AdminRequest): Account {
  const { caller } = req;
  if (caller.kind !== 'account') throw new CosError('AccessDenied', 'Sign the request with a key of a root account.');
  if (!req.header('authorization')) throw new CosError('AccessDenied', 'Sign the request in its Authorization header: pre-signed URLs do not reach the admin API.');
  if (caller.scope) throw new CosError('AccessDenied', 'Temporary keys cannot manage access keys: sign with a permanent key of a root account.');
  if (caller.account.rootUin !== caller.account.uin) throw new CosError('AccessDenied', 'Only a root account manages access keys and sub-users.');
  return caller.account;
}

/** Refuses any body: the signature covers the path, not the body. */
async function noBody(req: AdminRequest): Promise<void> {
  const length = req.header('content-length');
  if ((length !== undefined && length !== '0') || req.header('transfer-encoding') !== undefined) {
    const body = await req.readBody(0).catch(() => undefined);
    if (body === undefined || body.length > 0) throw new CosError('UnexpectedContent', 'The admin API takes no request body: everything is in the signed path.');
  }
}

/** The account's sub-users, or the account itself when it is `uin`; undefined for anybody else's. */
async function ownAccount(req: AdminRequest, root: Account, uin: string): Promise<AccountRecord | undefined> {
  if (!UIN.test(uin)) throw new CosError('InvalidArgument', 'A uin is a number of 1 to 20 digits.');
  const account = await req.services.meta.getAccount(uin);
  if (account && account.rootUin !== root.uin) throw new CosError('AccessDenied', `Account ${uin} is not a sub-user of ${root.uin}.`);
  return account;
}

async function list(req: AdminRequest, root: Account): Promise<ResponseSpec> {
  const { meta } = req.services;
  const accounts = (await meta.listAccounts()).filter((a) => a.rootUin === root.uin);
  const keys = await meta.listAccessKeys();
  const users = accounts
    .sort((a, b) => Number(a.uin !== root.uin) - Number(b.uin !== root.uin) || a.createdAt - b.createdAt)
    .map((a) => ({
      uin: a.uin,
      root: a.uin === root.uin,
      createdAt: new Date(a.createdAt).toISOString(),
      keys: keys.filter((k) => k.uin === a.uin).map((k) => ({ secretId: k.secretId, createdAt: new Date(k.createdAt).toISOString() })),
    }));
  return json(200, { uin: root.uin, appid: root.appid, users });
}

async function addKey(req: AdminRequest, root: Account, uin: string): Promise<ResponseSpec> {
  const { meta } = req.services;
  const existing = await ownAccount(req, root, uin);
  const keys = await meta.listAccessKeys();
  if (existing) {
    if (keys.filter((k) => k.uin === uin).length >= MAX_KEYS_PER_ACCOUNT) throw new CosError('InvalidRequest', `An account has at most ${MAX_KEYS_PER_ACCOUNT} key pairs: remove one first.`);
  } else {
    const subUsers = (await meta.listAccounts()).filter((a) => a.rootUin === root.uin && a.uin !== root.uin);
    if (subUsers.length >= MAX_SUB_USERS) throw new CosError('InvalidRequest', `A root account has at most ${MAX_SUB_USERS} sub-users.`);
    await meta.putAccount({ uin, appid: root.appid, rootUin: root.uin, createdAt: req.now });
  }
  const key: AccessKeyRecord = { ...newAccessKey(), uin, createdAt: req.now };
  await meta.putAccessKey(key);
  return json(201, { uin, secretId: key.secretId, secretKey: key.secretKey, createdAt: new Date(key.createdAt).toISOString(), subUser: uin !== root.uin });
}

async function removeKey(req: AdminRequest, root: Account, secretId: string): Promise<ResponseSpec> {
  const { meta } = req.services;
  const key = SECRET_ID.test(secretId) ? await meta.getAccessKey(secretId) : undefined;
  const owner = key && (await meta.getAccount(key.uin));
  // Somebody else's key is answered as no key at all: the API says nothing about other accounts.
  if (!key || !owner || owner.rootUin !== root.uin) throw new CosError('InvalidArgument', `No key ${secretId.slice(0, 128)} in account ${root.uin}.`);
  if (req.caller.kind === 'account' && req.caller.secretId === secretId) throw new CosError('InvalidRequest', 'This key signs the request: remove it with another key of the account.');
  await meta.deleteAccessKey(secretId);
  return { status: 204, headers: { 'Cache-Control': 'no-store' } };
}

async function removeUser(req: AdminRequest, root: Account, uin: string): Promise<ResponseSpec> {
  const account = await ownAccount(req, root, uin);
  if (!account) throw new CosError('InvalidArgument', `No sub-user ${uin} in account ${root.uin}.`);
  if (account.uin === root.uin) throw new CosError('InvalidRequest', 'A root account cannot remove itself here: use `cosbox keys remove --account`.');
  await req.services.meta.deleteAccount(uin);
  return { status: 204, headers: { 'Cache-Control': 'no-store' } };
}

/** Answers a request under `/-/admin/`. */
export async function serveKeys(req: AdminRequest): Promise<ResponseSpec> {
  const root = rootCaller(req);
  await noBody(req);
  const parts = req.pathname.slice(KEYS_PREFIX.length).split('/');
  const [resource, id, sub] = parts;
  const { method } = req;
  if (resource === 'keys' && parts.length === 1) {
    if (method !== 'GET') throw new CosError('MethodNotAllowed');
    return list(req, root);
  }
  if (resource === 'keys' && parts.length === 2) {
    if (method !== 'DELETE') throw new CosError('MethodNotAllowed');
    return removeKey(req, root, id);
  }
  if (resource === 'users' && parts.length === 3 && sub === 'keys') {
    if (method !== 'POST') throw new CosError('MethodNotAllowed');
    return addKey(req, root, id);
  }
  if (resource === 'users' && parts.length === 2) {
    if (method !== 'DELETE') throw new CosError('MethodNotAllowed');
    return removeUser(req, root, id);
  }
  throw new CosError('NoSuchKey', 'The admin API has no such resource.');
}
