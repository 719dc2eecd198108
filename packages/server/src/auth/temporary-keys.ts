/**
 * Temporary keys (issue 5 item 4), as COS apps get them from Tencent STS for browsers: a
 * TmpSecretId / TmpSecretKey pair and a SessionToken, scoped by a CAM-style policy and expiring.
 *
 * They are stateless: the token carries its id, issuer, times and policy, sealed with an HMAC under
 * the server's own secret (made at first start in the data directory); the temporary SecretKey is an
 * HMAC of the id under the same secret. Nothing to store, nothing to clean up, and a server restart
 * keeps issued keys valid until they expire.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CosError, type OperationName } from '@cosbox/protocol';
import { wildcardMatch } from '../model/wildcard.js';
import type { Account } from './accounts.js';

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

interface TokenPayload {
  id: string;
  issuer: Account;
  start: number;
  expires: number;
  statements: PolicyStatement[];
}

export const MAX_DURATION_SECONDS = 36 * 3600;

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

  issue(issuer: Account, statements: PolicyStatement[], durationSeconds: number, nowSeconds: number) {
    const payload: TokenPayload = {
      id: `AKIDtmp${randomBytes(16).toString('hex')}`,
      issuer,
      start: nowSeconds,
      expires: nowSeconds + durationSeconds,
      statements,
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return { tmpSecretId: payload.id, tmpSecretKey: this.secretKeyOf(payload.id), token: `${body}.${this.mac(body)}`, start: payload.start, expires: payload.expires };
  }

  /** The key and scope a token stands for, or InvalidSecurity / ExpiredToken. */
  open(token: string, secretId: string, nowSeconds: number): { secretKey: string; scope: TemporaryScope } {
    const [body, seal] = token.split('.');
    const expected = body ? this.mac(body) : '';
    if (!body || !seal || seal.length !== expected.length || !timingSafeEqual(Buffer.from(seal), Buffer.from(expected))) {
      throw new CosError('InvalidSecurity', 'The security token is not valid.');
    }
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    if (payload.id !== secretId) throw new CosError('InvalidSecurity', 'The security token belongs to another SecretId.');
    if (nowSeconds > payload.expires) throw new CosError('ExpiredToken');
    return { secretKey: this.secretKeyOf(payload.id), scope: { issuer: payload.issuer, statements: payload.statements, start: payload.start, expires: payload.expires } };
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
  const statements = (policy as { statement?: unknown })?.statement;
  if (!Array.isArray(statements) || statements.length === 0) throw new CosError('InvalidArgument', 'Policy.statement must be a non-empty list.');
  const list = (v: unknown) => (Array.isArray(v) ? v : [v]).map((x) => String(x));
  return statements.map((s: { effect?: unknown; action?: unknown; resource?: unknown }) => {
    const effect = String(s.effect ?? 'allow').toLowerCase();
    if (effect !== 'allow' && effect !== 'deny') throw new CosError('InvalidArgument', `Unknown effect ${String(s.effect)}.`);
    if (s.action === undefined || s.resource === undefined) throw new CosError('InvalidArgument', 'Every statement needs action and resource.');
    return { effect, actions: list(s.action), resources: list(s.resource) };
  });
}
