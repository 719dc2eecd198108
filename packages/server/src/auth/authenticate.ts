/**
 * Who is calling, and in which scheme: the COS signature from the Authorization header, from a
 * pre-signed URL's query (the q-* pairs, or the whole authorization string in one `sign`
 * parameter), AWS Signature V4 or V2 (header or query; aws-signatures.ts), or nobody (anonymous,
 * C010). A signature binds the request: what changes the operation or who may read the result must
 * be among what it signs (`unsignedItem`).
 */
import { CosError, parseAuthorization, parseSignTime, signatureFromPairs, signedName, verifySignature, type SignatureFields } from '@cosbox/protocol';
import type { Accounts, Account } from './accounts.js';
import { authenticateAws } from './aws-signatures.js';
import { payloadRule, type PayloadRule } from './aws-body.js';
import { nodeCrypto } from './node-crypto.js';
import type { TemporaryKeys, TemporaryScope } from './temporary-keys.js';

/** The signature scheme of a request; an S3 client signs with aws-v4 or aws-v2. */
export type Scheme = 'cos' | 'aws-v4' | 'aws-v2';

/** An account, or a temporary key acting for one within `scope`, or nobody. */
export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'account'; account: Account; secretId: string; scope?: TemporaryScope; scheme: Scheme };

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
  scheme: Scheme = 'cos',
): Promise<{ secretKey: string; caller: Extract<Caller, { kind: 'account' }> }> {
  if (token) {
    const { secretKey, scope } = await temporaryKeys.open(token, secretId, nowSeconds, accounts);
    return { secretKey, caller: { kind: 'account', account: scope.issuer, secretId, scope, scheme } };
  }
  const credential = await accounts.credential(secretId);
  if (!credential) throw new CosError('InvalidAccessKeyId');
  return { secretKey: credential.secretKey, caller: { kind: 'account', account: credential.account, secretId, scheme } };
}

export interface SignedRequest {
  method: string;
  /** Candidate signed pathnames: the decoded path, then the virtual-hosted form. */
  pathnames: readonly string[];
  query: ReadonlyMap<string, string>;
  /** Header values by lower-case name; `host` is the host that addressed the request. */
  header(name: string): string | undefined;
  /** The lower-case names of the headers sent. */
  headerNames: Iterable<string>;
  /** Seconds since the epoch. */
  now: number;
  /** The request target as sent (AWS signatures sign the path and query as they travel). */
  rawUrl?: string;
  /** The bucket the Host names (virtual-hosted style), which a V2 signature's resource starts with. */
  bucketInHost?: string;
}

/** A verified caller and how the body must be read (decoded and checked for AWS V4 payloads). */
export interface Authenticated {
  caller: Caller;
  payload: PayloadRule;
  /**
   * Headers a pre-signed V4 URL carries in its (signed) query, as the AWS SDKs' presigners hoist
   * them (`x-amz-acl`, `x-amz-meta-*`, ...): lower-case names. The request means them as headers.
   */
  queryHeaders?: Record<string, string>;
}

/**
 * The scheme a request is signed in, from the shape of its credentials alone (nothing verified):
 * what the error of a failed authentication is spelled in. `query` by lower-case names.
 */
export function signatureScheme(header: (name: string) => string | undefined, query: ReadonlyMap<string, string>): Scheme | 'none' {
  const authorization = header('authorization')?.trim();
  if (authorization) {
    if (authorization.startsWith('AWS4-')) return 'aws-v4';
    if (authorization.startsWith('AWS ')) return 'aws-v2';
    return 'cos';
  }
  if (query.has('x-amz-algorithm') || query.has('x-amz-signature')) return 'aws-v4';
  if (query.has('awsaccesskeyid')) return 'aws-v2';
  if (query.has('q-signature') || query.has('q-sign-algorithm') || query.has('sign')) return 'cos';
  return 'none';
}

function signatureOf(req: SignedRequest): SignatureFields | undefined | 'none' {
  const header = req.header('authorization');
  if (header !== undefined && header.trim() !== '') return parseAuthorization(header);
  if (req.query.has('q-signature') || req.query.has('q-sign-algorithm')) {
    return signatureFromPairs((name) => req.query.get(name));
  }
  // The official SDKs' getObjectUrl with an authorization string from a getAuthorization callback.
  const whole = req.query.get('sign');
  if (whole !== undefined && /(?:^|&)\s*q-(?:signature|sign-algorithm)=/i.test(whole)) return parseAuthorization(whole);
  return 'none';
}

/**
 * Query parameters that choose the operation or its target (sub-resources, upload and version
 * ids, append positions), lower-case. The official SDKs sign every query parameter they send.
 */
const BINDING_PARAMS = new Set([
  'acl', 'tagging', 'uploads', 'uploadid', 'partnumber', 'append', 'position', 'restore', 'delete',
  'versionid', 'versions', 'versioning', 'cors', 'lifecycle', 'location', 'policy', 'website',
  'referer', 'logging', 'inventory', 'inventoryconfiguration', 'domain', 'origin', 'accelerate',
  'encryption', 'replication', 'intelligent-tiering', 'intelligenttiering', 'object-lock',
  'objectlock', 'retention', 'legal-hold', 'symlink', 'rename', 'notification', 'select',
  'select-type', 'torrent', 'requestpayment', 'quota', 'publicaccessblock',
]);

/**
 * Headers that change what a request does or who may read its result: a copy's source, ACLs,
 * metadata and tagging replacement, encryption, storage class. Content headers and x-cos-meta-*
 * may travel unsigned, as with S3's pre-signed PUT; the official SDKs sign every x-cos-* header.
 */
export function isBindingHeader(name: string): boolean {
  return isAmzBindingHeader(name) || (
    name.startsWith('x-cos-copy-source') ||
    name === 'x-cos-acl' ||
    name.startsWith('x-cos-grant-') ||
    name === 'x-cos-metadata-directive' ||
    name.startsWith('x-cos-server-side-encryption') ||
    name.startsWith('x-cos-tagging') ||
    name === 'x-cos-storage-class'
  );
}

/** The `x-amz-*` twins of the COS binding headers, as S3 clients send them. */
export function isAmzBindingHeader(name: string): boolean {
  return (
    name.startsWith('x-amz-copy-source') ||
    name === 'x-amz-acl' ||
    name.startsWith('x-amz-grant-') ||
    name === 'x-amz-metadata-directive' ||
    name === 'x-amz-tagging-directive' ||
    name.startsWith('x-amz-server-side-encryption') ||
    name === 'x-amz-tagging' ||
    name === 'x-amz-storage-class'
  );
}

/** Whether a lower-case query parameter name chooses the operation or its target. */
export function isBindingParam(name: string): boolean {
  return BINDING_PARAMS.has(name);
}

/** The first binding parameter or header the request carries that the signature does not list. */
export function unsignedItem(fields: SignatureFields, query: Iterable<string>, headers: Iterable<string>): string | undefined {
  const signedParams = new Set(fields.paramList.map((n) => signedName(n).lookup));
  const signedHeaders = new Set(fields.headerList.map((n) => signedName(n).lookup));
  for (const name of query) if (BINDING_PARAMS.has(name) && !signedParams.has(name)) return `query parameter ${name}`;
  for (const name of headers) if (isBindingHeader(name) && !signedHeaders.has(name)) return `header ${name}`;
  return undefined;
}

export async function authenticate(req: SignedRequest, accounts: Accounts, temporaryKeys: TemporaryKeys): Promise<Caller> {
  return (await authenticateRequest(req, accounts, temporaryKeys)).caller;
}

export async function authenticateRequest(req: SignedRequest, accounts: Accounts, temporaryKeys: TemporaryKeys): Promise<Authenticated> {
  const scheme = signatureScheme(req.header, req.query);
  if (scheme === 'aws-v4' || scheme === 'aws-v2') return authenticateAws(scheme, req, accounts, temporaryKeys);
  // Anonymous clients may send S3 payloads too (an unsigned aws-chunked body with a checksum trailer).
  const payload = scheme === 'none' ? anonymousPayload(req) : ({ kind: 'as-sent' } as const);
  return { caller: await authenticateCos(req, accounts, temporaryKeys), payload };
}

function anonymousPayload(req: SignedRequest): PayloadRule {
  try {
    return payloadRule(req.header);
  } catch (error) {
    // Signed chunks without a signature to chain from cannot be read: refused. A value S3 would not
    // send at all is some other client's own header, left alone.
    if (error instanceof CosError && error.code === 'InvalidArgument') return { kind: 'as-sent' };
    throw error;
  }
}

async function authenticateCos(req: SignedRequest, accounts: Accounts, temporaryKeys: TemporaryKeys): Promise<Caller> {
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
  const unsigned = unsignedItem(fields, req.query.keys(), req.headerNames);
  if (unsigned) throw new CosError('AccessDenied', `The signature does not sign the ${unsigned}, which changes what the request does.`);
  return caller;
}
