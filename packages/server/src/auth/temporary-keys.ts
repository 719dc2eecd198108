/**
 * Temporary keys (issue 5 item 4), as COS apps get them from Tencent STS for browsers: a
 * TmpSecretId / TmpSecretKey pair and a SessionToken, scoped by a CAM-style policy and expiring.
 *
 * They are stateless: the token carries its id, issuer, times and policy, sealed with an HMAC under
 * the server's own secret (made at first start in the data directory); the temporary SecretKey is an
 * HMAC of the id under the same secret. Nothing to store, nothing to clean up, and a server restart
 * keeps issued keys valid until they expire. The token names the key pair that asked for it, and
 * opening it looks that pair up: removing the pair or its account ends every key it issued at once.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CosError, type OperationName } from '@cosbox/protocol';
import { wildcardMatch } from '../model/wildcard.js';
import type { Account, Accounts } from './accounts.js';

export interface PolicyStatement {
  effect: 'allow' | 'deny';
  /** `name/cos:PutObject`, `name/cos:*`, `*`. */
  actions: string[];
  /** `qcs::cos:<region>:uid/<appid>:<bucket>/<key>`, `*` anywhere. */
  resources: string[];
}

export interface TemporaryScope {
  issuer: Account;
  statements: PolicyStatement[];
  start: number;
  expires: number;
}

/** The key pair that issued a token: its SecretId and when it was added. */
export interface IssuingKey {
  secretId: string;
  createdAt: number;
}

interface TokenPayload {
  id: string;
  issuer: Account;
  key: IssuingKey;
  start: number;
  expires: number;
  statements: PolicyStatement[];
}

export const MAX_DURATION_SECONDS = 36 * 3600;

const invalidToken = (why: string) => new CosError('InvalidSecurity', `The security token is not valid: ${why}.`);

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/** The payload of a sealed token, checked field by field: a seal proves who wrote it, not its shape. */
function readPayload(body: string): TokenPayload {
  let p: Partial<TokenPayload> | null;
  try {
    p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<TokenPayload> | null;
  } catch {
    throw invalidToken('its payload is not JSON');
  }
  const ok =
    p !== null &&
    typeof p === 'object' &&
    isString(p.id) &&
    p.issuer !== null && typeof p.issuer === 'object' && isString(p.issuer.uin) && isString(p.issuer.appid) && isString(p.issuer.rootUin) &&
    p.key !== null && typeof p.key === 'object' && isString(p.key.secretId) && Number.isFinite(p.key.createdAt) &&
    Number.isFinite(p.start) &&
    Number.isFinite(p.expires) &&
    Array.isArray(p.statements) &&
    p.statements.every((s) => s !== null && typeof s === 'object' && (s.effect === 'allow' || s.effect === 'deny') && isStringList(s.actions) && isStringList(s.resources));
  if (!ok) throw invalidToken('it was issued in another format; ask for a new one');
  return p as TokenPayload;
}

export class TemporaryKeys {
  constructor(private readonly secret: Buffer) {}

  static fresh(): Buffer {
    return randomBytes(32);
  }

  private mac(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }

  secretKeyOf(tmpSecretId: string): string {
    return this.mac(`key:${tmpSecretId}`).slice(0, 40);
  }

  issue(issuer: Account, key: IssuingKey, statements: PolicyStatement[], durationSeconds: number, nowSeconds: number) {
    const payload: TokenPayload = {
      id: `AKIDtmp${randomBytes(16).toString('hex')}`,
      issuer,
      key: { secretId: key.secretId, createdAt: key.createdAt },
      start: nowSeconds,
      expires: nowSeconds + durationSeconds,
      statements,
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return { tmpSecretId: payload.id, tmpSecretKey: this.secretKeyOf(payload.id), token: `${body}.${this.mac(body)}`, start: payload.start, expires: payload.expires };
  }

  /** Whether `seal` is the seal of `body`; any length and charset compare as bytes, in constant time. */
  private sealed(body: string, seal: string): boolean {
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(seal);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * The key and scope a token stands for, or InvalidSecurity / ExpiredToken. The issuing key pair
   * must still exist (the same pair, of the same account): removing it revokes the token.
   */
  async open(token: string, secretId: string, nowSeconds: number, accounts: Accounts): Promise<{ secretKey: string; scope: TemporaryScope }> {
    const dot = token.indexOf('.');
    const [body, seal] = dot < 0 ? [token, ''] : [token.slice(0, dot), token.slice(dot + 1)];
    if (body === '' || !this.sealed(body, seal)) throw invalidToken('its seal does not match');
    const payload = readPayload(body);
    if (payload.id !== secretId) throw new CosError('InvalidSecurity', 'The security token belongs to another SecretId.');
    if (nowSeconds > payload.expires) throw new CosError('ExpiredToken');
    const issuing = await accounts.credential(payload.key.secretId);
    if (!issuing || issuing.createdAt !== payload.key.createdAt || issuing.account.uin !== payload.issuer.uin) {
      throw invalidToken('the key pair that issued it has been removed');
    }
    return { secretKey: this.secretKeyOf(payload.id), scope: { issuer: issuing.account, statements: payload.statements, start: payload.start, expires: payload.expires } };
  }
}

/** The CAM action of an operation, as STS policies name them (ListObjects is GetBucket). */
export function actionOf(op: OperationName): string {
  const renamed: Partial<Record<OperationName, string>> = { ListObjects: 'GetBucket', DeleteMultipleObjects: 'DeleteMultipleObject' };
  return `name/cos:${renamed[op] ?? op}`;
}

/**
 * What a CAM-style policy says of `action` on `resource`: `deny` when a deny statement matches (it
 * wins), else `allow` when an allow statement does, else nothing (the policy is silent).
 */
export function policyDecision(statements: readonly PolicyStatement[], action: string, resource: string): 'allow' | 'deny' | undefined {
  const matches = (s: PolicyStatement) => s.actions.some((a) => wildcardMatch(a, action)) && s.resources.some((r) => wildcardMatch(r, resource));
  if (statements.some((s) => s.effect === 'deny' && matches(s))) return 'deny';
  return statements.some((s) => s.effect === 'allow' && matches(s)) ? 'allow' : undefined;
}

/** Whether the scope lets its holder perform `action` on `resource`: some allow, no deny. */
export function scopeAllows(scope: TemporaryScope, action: string, resource: string): boolean {
  return policyDecision(scope.statements, action, resource) === 'allow';
}

/** Reads a CAM-style policy ({ statement: [{ effect, action, resource }] }); InvalidArgument when it is not one. */
export function parsePolicy(policy: unknown): PolicyStatement[] {
  const statements = policy !== null && typeof policy === 'object' ? (policy as { statement?: unknown }).statement : undefined;
  if (!Array.isArray(statements) || statements.length === 0) throw new CosError('InvalidArgument', 'Policy.statement must be a non-empty list.');
  return statements.map((s: unknown, i) => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new CosError('InvalidArgument', `Policy.statement[${i}] is not an object.`);
    const { effect: rawEffect, action, resource } = s as { effect?: unknown; action?: unknown; resource?: unknown };
    const effect = typeof rawEffect === 'string' ? rawEffect.toLowerCase() : rawEffect === undefined ? 'allow' : '';
    if (effect !== 'allow' && effect !== 'deny') throw new CosError('InvalidArgument', `Policy.statement[${i}].effect must be "allow" or "deny".`);
    const actions = stringList(action);
    const resources = stringList(resource);
    if (!actions || !resources) throw new CosError('InvalidArgument', `Policy.statement[${i}] needs action and resource: strings or non-empty lists of strings.`);
    return { effect, actions, resources };
  });
}

function stringList(v: unknown): string[] | undefined {
  const list = Array.isArray(v) ? v : [v];
  return list.length > 0 && list.every((x): x is string => typeof x === 'string') ? list : undefined;
}
