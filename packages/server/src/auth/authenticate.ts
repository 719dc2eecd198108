/**
 * Who is calling: the COS signature from the Authorization header or from a pre-signed URL's query
 * (FEATURES §1.6.3, C088-C107), or nobody (anonymous, C010).
 */
import { CosError, parseAuthorization, parseSignTime, signatureFromPairs, verifySignature, type SignatureFields } from '@cosbox/protocol';
import type { Accounts, Account } from './accounts.js';
import { nodeCrypto } from './node-crypto.js';
import type { TemporaryKeys, TemporaryScope } from './temporary-keys.js';

/** An account, or a temporary key acting for one within `scope`, or nobody. */
export type Caller = { kind: 'anonymous' } | { kind: 'account'; account: Account; secretId: string; scope?: TemporaryScope };

/**
 * The key a SecretId signs with: a temporary one when a security token comes with it (its scope
 * then limits the caller), else a key pair of an account. Shared by requests and POST forms.
 */
export async function resolveKey(
  accounts: Accounts,
  temporaryKeys: TemporaryKeys,
  secretId: string,
  token: string | undefined,
  nowSeconds: number,
): Promise<{ secretKey: string; caller: Extract<Caller, { kind: 'account' }> }> {
  if (token) {
    const { secretKey, scope } = temporaryKeys.open(token, secretId, nowSeconds);
    return { secretKey, caller: { kind: 'account', account: scope.issuer, secretId, scope } };
  }
  const credential = await accounts.credential(secretId);
  if (!credential) throw new CosError('InvalidAccessKeyId');
  return { secretKey: credential.secretKey, caller: { kind: 'account', account: credential.account, secretId } };
}

export interface SignedRequest {
  method: string;
  /** Candidate signed pathnames: the decoded path, then the virtual-hosted form. */
  pathnames: readonly string[];
  query: ReadonlyMap<string, string>;
  header(name: string): string | undefined;
  /** Seconds since the epoch. */
  now: number;
}

function signatureOf(req: SignedRequest): SignatureFields | undefined | 'none' {
  const header = req.header('authorization');
  if (header !== undefined && header.trim() !== '') return parseAuthorization(header);
  if (req.query.has('q-signature') || req.query.has('q-sign-algorithm')) {
    return signatureFromPairs((name) => req.query.get(name));
  }
  return 'none';
}

export async function authenticate(req: SignedRequest, accounts: Accounts, temporaryKeys: TemporaryKeys): Promise<Caller> {
  const fields = signatureOf(req);
  if (fields === 'none') return { kind: 'anonymous' };
  if (fields === undefined) throw new CosError('AccessDenied', 'The Authorization is malformed.');
  if (fields.algorithm !== 'sha1') throw new CosError('AccessDenied', `Unsupported q-sign-algorithm ${fields.algorithm}.`);

  const token = req.header('x-cos-security-token') ?? req.query.get('x-cos-security-token');
  const { secretKey, caller } = await resolveKey(accounts, temporaryKeys, fields.secretId, token, req.now);

  const window = parseSignTime(fields.signTime);
  if (!window || !parseSignTime(fields.keyTime)) throw new CosError('AccessDenied', 'The q-sign-time or q-key-time is malformed.');
  // Real COS answers an expired signature with AccessDenied "Request has expired", which the
  // official SDKs recognise as a clock problem; a window not yet open is RequestTimeTooSkewed.
  if (req.now > window.end || window.end <= window.start) throw new CosError('AccessDenied', 'Request has expired');
  if (req.now < window.start) throw new CosError('RequestTimeTooSkewed');

  const ok = verifySignature(nodeCrypto, fields, secretKey, {
    method: req.method,
    pathnames: req.pathnames,
    queryValue: (name) => req.query.get(name),
    headerValue: (name) => req.header(name),
  });
  if (!ok) throw new CosError('SignatureDoesNotMatch');
  return caller;
}
