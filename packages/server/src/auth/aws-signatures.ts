/**
 * AWS Signature V4 and V2 on the server: the S3 clients' way in (README "AWS signatures (S3)").
 * The access key is a SecretId, the secret its SecretKey; a temporary key comes with its token in
 * x-amz-security-token. The same binding rules as the COS signature: V4 signs the whole query, so
 * only unsigned binding headers are refused; V2 signs every x-amz-* header and the S3
 * sub-resources, so unsigned x-cos-* binding headers and COS-only binding parameters are refused.
 */
import {
  AWS4_ALGORITHM,
  amzDate,
  canonicalResource,
  CosError,
  equalHex,
  equalText,
  parseCredential,
  postPolicySignatureV4,
  parseAmzDate,
  parseRawQuery,
  parseV2Authorization,
  parseV4Authorization,
  parseV4Query,
  scopeOf,
  signV2,
  uriEncode,
  UNSIGNED_PAYLOAD,
  v2StringToSign,
  V2_SUB_RESOURCES,
  verifyV4,
  type V4Fields,
} from '@cosbox/protocol';
import type { Accounts } from './accounts.js';
import { payloadRule } from './aws-body.js';
import { isBindingHeader, isBindingParam, resolveKey, type Authenticated, type Caller, type SignedRequest } from './authenticate.js';
import { nodeCrypto } from './node-crypto.js';
import type { TemporaryKeys } from './temporary-keys.js';

/** How far a signed request's time may be from the server's: 15 minutes, as S3. */
export const MAX_SKEW_SECONDS = 15 * 60;

export async function authenticateAws(scheme: 'aws-v4' | 'aws-v2', req: SignedRequest, accounts: Accounts, temporaryKeys: TemporaryKeys): Promise<Authenticated> {
  return scheme === 'aws-v4' ? authenticateV4(req, accounts, temporaryKeys) : authenticateV2(req, accounts, temporaryKeys);
}

/** The path and query exactly as sent (an absolute-form target's authority cut off). */
function rawTarget(req: SignedRequest): { path: string; query: string } {
  const target = (req.rawUrl ?? req.pathnames[0]).replace(/^https?:\/\/[^/?#]*/i, '');
  const q = target.indexOf('?');
  const path = (q >= 0 ? target.slice(0, q) : target) || '/';
  return { path: path.startsWith('/') ? path : '/' + path, query: q >= 0 ? target.slice(q + 1) : '' };
}

/** Query values by their exact (case-kept) names, first occurrence. */
function exactQuery(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of parseRawQuery(rawQuery)) if (!out.has(k)) out.set(k, v);
  return out;
}

function securityToken(req: SignedRequest): string | undefined {
  return req.header('x-amz-security-token') ?? req.query.get('x-amz-security-token') ?? req.header('x-cos-security-token');
}

function v4Fields(req: SignedRequest, exact: ReadonlyMap<string, string>): V4Fields {
  const authorization = req.header('authorization')?.trim();
  if (authorization) {
    const parsed = parseV4Authorization(authorization);
    if (!parsed.ok) throw new CosError('AuthorizationHeaderMalformed', `The authorization header is malformed: ${parsed.reason}.`);
    return parsed.value;
  }
  const parsed = parseV4Query((name) => exact.get(name));
  if (!parsed.ok) throw new CosError('AuthorizationQueryParametersError', `The pre-signed query is malformed: ${parsed.reason}.`);
  return parsed.value;
}

/** The `yyyymmddThhmmssZ` a V4 header signature signs: x-amz-date, else the Date header. */
function headerDate(req: SignedRequest): { text: string; seconds: number } {
  const amz = req.header('x-amz-date');
  if (amz !== undefined) {
    const ms = parseAmzDate(amz);
    if (ms === undefined) throw new CosError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header.');
    return { text: amz.trim(), seconds: ms / 1000 };
  }
  const ms = Date.parse(req.header('date') ?? '');
  if (Number.isNaN(ms)) throw new CosError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header.');
  return { text: amzDate(ms), seconds: Math.floor(ms / 1000) };
}

/** The first binding header sent but not signed. */
function unsignedHeader(req: SignedRequest, signed: ReadonlySet<string>, binding: (name: string) => boolean): string | undefined {
  for (const name of req.headerNames) if (binding(name) && !signed.has(name)) return name;
  return undefined;
}

function refuseUnsigned(what: string): never {
  throw new CosError('AccessDenied', `The signature does not sign the ${what}, which changes what the request does.`);
}

async function authenticateV4(req: SignedRequest, accounts: Accounts, temporaryKeys: TemporaryKeys): Promise<Authenticated> {
  const raw = rawTarget(req);
  const exact = exactQuery(raw.query);
  const fields = v4Fields(req, exact);
  const { credential } = fields;
  if (credential.service !== 's3') throw new CosError('AuthorizationHeaderMalformed', `The credential names the service "${credential.service}"; cosbox is s3.`);
  if (!fields.signedHeaders.includes('host')) throw new CosError('AuthorizationHeaderMalformed', 'The signature must sign the host header.');

  const date = fields.presigned ? { text: fields.date!, seconds: parseAmzDate(fields.date!)! / 1000 } : headerDate(req);
  if (date.text.slice(0, 8) !== credential.date) {
    throw new CosError('AuthorizationHeaderMalformed', `The credential date ${credential.date} is not the date of the request, ${date.text.slice(0, 8)}.`);
  }
  checkV4Time(fields, date.seconds, req.now);

  const { secretKey, caller } = await resolveKey(accounts, temporaryKeys, credential.accessKey, securityToken(req), req.now, 'aws-v4');
  const declared = req.header('x-amz-content-sha256')?.trim();
  if (!fields.presigned && declared === undefined) throw new CosError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256.');
  // A pre-signed URL signs UNSIGNED-PAYLOAD unless it names a payload hash of its own.
  const payloadHashes = fields.presigned ? new Set([exact.get('X-Amz-Content-Sha256') ?? declared ?? UNSIGNED_PAYLOAD, UNSIGNED_PAYLOAD]) : new Set([declared!]);
  // The path as it travelled, and the decoded path encoded once (clients differ in what they leave unencoded).
  const canonicalUris = [raw.path, uriEncode(req.pathnames[0], true)];
  let key: Uint8Array | undefined;
  for (const payloadHash of payloadHashes) {
    key = verifyV4(nodeCrypto, fields, secretKey, { method: req.method, canonicalUris, rawQuery: raw.query, headerValue: req.header, date: date.text, payloadHash });
    if (key) break;
  }
  if (!key) throw new CosError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');

  const unsigned = unsignedHeader(req, new Set(fields.signedHeaders), isBindingHeader);
  if (unsigned) refuseUnsigned(`header ${unsigned}`);
  const signing = fields.presigned ? undefined : { key, date: date.text, scope: scopeOf(credential), seed: fields.signature };
  if (!fields.presigned) return { caller, payload: payloadRule(req.header, signing) };
  // A payload hash named in the signed query binds the body as the header would.
  const signedHash = exact.get('X-Amz-Content-Sha256');
  const payload = payloadRule((name) => (name === 'x-amz-content-sha256' && signedHash !== undefined ? signedHash : req.header(name)));
  return { caller, payload, queryHeaders: hoistedHeaders(exact) };
}

/** The query parameters of a pre-signed URL that make it up, not headers hoisted into it. */
const PRESIGN_PARAMS = new Set([
  'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-expires', 'x-amz-signedheaders', 'x-amz-signature',
  'x-amz-security-token', 'x-amz-content-sha256',
]);

/** `x-amz-*` headers a presigner moved into the query (signed with it), by lower-case name. */
function hoistedHeaders(query: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of query) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-') && !PRESIGN_PARAMS.has(lower) && !(lower in out)) out[lower] = value;
  }
  return out;
}

function checkV4Time(fields: V4Fields, signedAt: number, now: number): void {
  if (!fields.presigned) {
    if (Math.abs(now - signedAt) > MAX_SKEW_SECONDS) throw new CosError('RequestTimeTooSkewed');
    return;
  }
  if (signedAt - now > MAX_SKEW_SECONDS) throw new CosError('AccessDenied', 'Request is not valid yet');
  if (now > signedAt + Number(fields.expires)) throw new CosError('AccessDenied', 'Request has expired');
}

async function authenticateV2(req: SignedRequest, accounts: Accounts, temporaryKeys: TemporaryKeys): Promise<Authenticated> {
  const raw = rawTarget(req);
  const pairs = parseRawQuery(raw.query);
  const exact = exactQuery(raw.query);
  const authorization = req.header('authorization')?.trim();
  let accessKey: string;
  let signature: string;
  let dateLines: string[];
  if (authorization) {
    const parsed = parseV2Authorization(authorization);
    if (!parsed) throw new CosError('AccessDenied', 'The authorization header is malformed: expected "AWS <AccessKeyId>:<Signature>".');
    ({ accessKey, signature } = parsed);
    const sent = req.header('x-amz-date') ?? req.header('date');
    const ms = Date.parse(sent ?? '');
    if (Number.isNaN(ms)) throw new CosError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header.');
    if (Math.abs(req.now - ms / 1000) > MAX_SKEW_SECONDS) throw new CosError('RequestTimeTooSkewed');
    // With x-amz-date the Date line is empty (x-amz-date is among the amz headers); some clients keep Date there.
    dateLines = req.header('x-amz-date') !== undefined ? ['', req.header('date') ?? ''] : [req.header('date') ?? ''];
  } else {
    const id = exact.get('AWSAccessKeyId');
    const sig = exact.get('Signature');
    const expires = exact.get('Expires');
    if (!id || !sig || expires === undefined || !/^\d{1,12}$/.test(expires)) {
      throw new CosError('AccessDenied', 'A V2 pre-signed URL needs AWSAccessKeyId, Signature and Expires (seconds since the epoch).');
    }
    if (req.now > Number(expires)) throw new CosError('AccessDenied', 'Request has expired');
    [accessKey, signature, dateLines] = [id, sig, [expires]];
  }

  const { secretKey, caller } = await resolveKey(accounts, temporaryKeys, accessKey, securityToken(req), req.now, 'aws-v2');
  const amzHeaders = [...req.headerNames].filter((n) => n.startsWith('x-amz-')).map((n) => [n, req.header(n) ?? ''] as const);
  if (!authorization && exact.has('x-amz-security-token')) amzHeaders.push(['x-amz-security-token', exact.get('x-amz-security-token')!]);
  let ok = false;
  for (const path of v2Paths(req, raw.path)) {
    for (const dateLine of dateLines) {
      const toSign = v2StringToSign({
        method: req.method,
        contentMd5: req.header('content-md5'),
        contentType: req.header('content-type'),
        dateOrExpires: dateLine,
        amzHeaders,
        resource: canonicalResource(path, pairs),
      });
      if (equalText(signV2(nodeCrypto, secretKey, toSign), signature)) ok = true;
    }
  }
  if (!ok) throw new CosError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');

  // V2 signs every x-amz-* header and the S3 sub-resources (case as S3 spells them), nothing else.
  const unsigned = unsignedHeader(req, new Set(), (name) => !name.startsWith('x-amz-') && isBindingHeader(name));
  if (unsigned) refuseUnsigned(`header ${unsigned}`);
  for (const [name] of pairs) if (isBindingParam(name.toLowerCase()) && !V2_SUB_RESOURCES.has(name)) refuseUnsigned(`query parameter ${name}`);
  return { caller, payload: payloadRule(req.header) };
}

/**
 * The resource paths a V2 signature may sign: `/bucket/key` as sent, for a virtual-hosted request
 * the bucket of the Host before the path; the decoded forms for clients that sign those. A Host
 * naming no bucket never gets one prefixed, so a signature cannot be moved to another key.
 */
function v2Paths(req: SignedRequest, rawPath: string): string[] {
  const paths = req.bucketInHost !== undefined ? [`/${req.bucketInHost}${rawPath}`, `/${req.bucketInHost}${req.pathnames[0]}`] : [rawPath, req.pathnames[0]];
  return [...new Set(paths)];
}

/**
 * The caller of a POST Object form signed the S3 way, or undefined for a form that carries no AWS
 * signature. V4: `x-amz-algorithm`, `x-amz-credential`, `x-amz-date`, `x-amz-signature`, where the
 * signature is hex(HMAC-SHA256(SigningKey, policy)) over the Base64 policy as sent. V2:
 * `AWSAccessKeyId` and `signature` = base64(HMAC-SHA1(secret, policy)). `fields` by lower-case name.
 */
export async function awsFormCaller(fields: ReadonlyMap<string, string>, accounts: Accounts, temporaryKeys: TemporaryKeys, nowSeconds: number): Promise<Caller | undefined> {
  const v4 = fields.has('x-amz-signature') || fields.has('x-amz-algorithm');
  const v2 = !v4 && fields.has('awsaccesskeyid');
  if (!v4 && !v2) return undefined;
  const policy = fields.get('policy');
  if (!policy) throw new CosError('InvalidPolicyDocument', 'A signed form needs a policy: its signature signs the policy.');
  const token = fields.get('x-amz-security-token') ?? fields.get('x-cos-security-token');
  if (v2) {
    const { secretKey, caller } = await resolveKey(accounts, temporaryKeys, fields.get('awsaccesskeyid')!, token, nowSeconds, 'aws-v2');
    if (!equalText(signV2(nodeCrypto, secretKey, policy), (fields.get('signature') ?? '').trim())) throw new CosError('SignatureDoesNotMatch');
    return caller;
  }
  if (fields.get('x-amz-algorithm') !== AWS4_ALGORITHM) throw new CosError('InvalidArgument', `x-amz-algorithm must be ${AWS4_ALGORITHM}.`);
  const credential = parseCredential(fields.get('x-amz-credential') ?? '');
  if (!credential) throw new CosError('InvalidArgument', 'x-amz-credential must be <access key>/<yyyymmdd>/<region>/s3/aws4_request.');
  if (parseAmzDate(fields.get('x-amz-date') ?? '') === undefined) throw new CosError('InvalidArgument', 'x-amz-date must be yyyymmddThhmmssZ.');
  const { secretKey, caller } = await resolveKey(accounts, temporaryKeys, credential.accessKey, token, nowSeconds, 'aws-v4');
  const expected = postPolicySignatureV4(nodeCrypto, secretKey, credential, policy);
  if (!equalHex(expected, (fields.get('x-amz-signature') ?? '').trim().toLowerCase())) throw new CosError('SignatureDoesNotMatch');
  return caller;
}
