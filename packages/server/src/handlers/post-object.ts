/**
 * POST Object, the HTML form upload (FEATURES §1.12, C260-C280): multipart/form-data streamed through
 * busboy, the file field last; credentials and rules travel in the fields (a q-sign over the policy,
 * or the same pairs in an Authorization-style `Signature` field), checked before a byte of the file
 * is stored.
 */
import { timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { buildXml, checkHeaderValue, CosError, headerValueFromText, parseAuthorization, parseSignTime, postPolicySignature, signatureFromPairs, utf8Length, type SignatureFields } from '@cosbox/protocol';
import { resolveKey, type Caller } from '../auth/authenticate.js';
import { awsFormCaller } from '../auth/aws-signatures.js';
import { authorizeRequest } from '../auth/authorize.js';
import { nodeCrypto } from '../auth/node-crypto.js';
import { bucketOf, emptyResponse, requestFacts, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { s3FormFields } from '../http/s3-dialect.js';
import { withBucketDefault } from '../model/bucket-encryption.js';
import { encryptionHeaders, requestedEncryption } from '../model/encryption.js';
import { attributesFrom, MAX_OBJECT_SIZE, storeObject } from '../model/objects.js';
import { versionHeader } from './object-headers.js';
import { checkPolicy, parsePolicy, unconditionedField, type PostPolicy } from '../model/post-policy.js';
import { parseTrafficLimit, throttle } from '../model/traffic-limit.js';
import { MAX_KEY_BYTES } from '../routing/address.js';

/** Fields before the file may hold this much (MaxPostPreDataLengthExceededError beyond). */
const MAX_FIELDS_BYTES = 64 * 1024;

interface Form {
  /** Field values by lower-case name. */
  fields: Map<string, string>;
  file: Readable;
  filename: string;
  mimeType: string;
  /** Resolves when the whole body is read: rejects when it held more than one file. */
  done: Promise<void>;
}

/** Reads the fields up to the file and hands over the file as a stream. */
function readForm(ctx: RequestContext): Promise<Form> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: ctx.headers, defParamCharset: 'utf8', limits: { fieldSize: MAX_FIELDS_BYTES, files: 1 } });
    } catch {
      return reject(new CosError('MalformedPOSTRequest'));
    }
    const fields = new Map<string, string>();
    let fieldBytes = 0;
    let gotFile = false;
    let extraFiles = false;
    let finish!: () => void;
    let fail!: (e: unknown) => void;
    const done = new Promise<void>((ok, no) => ((finish = ok), (fail = no)));
    done.catch(() => undefined); // observed by whoever awaits it; a rejection before then is not unhandled
    bb.on('field', (name, value) => {
      if (gotFile) return; // the file is the last field; anything after it is ignored
      fieldBytes += name.length + value.length;
      if (fieldBytes > MAX_FIELDS_BYTES) return reject(new CosError('MaxPostPreDataLengthExceededError'));
      fields.set(name.toLowerCase(), value);
    });
    bb.on('file', (_name, stream, info) => {
      if (gotFile) return void stream.resume();
      gotFile = true;
      resolve({ fields, file: stream, filename: info.filename ?? '', mimeType: info.mimeType, done });
    });
    bb.on('filesLimit', () => (extraFiles = true));
    bb.on('error', (e) => {
      const error = new CosError('MalformedPOSTRequest', `The form could not be read: ${(e as Error).message}`);
      reject(error);
      fail(error);
    });
    bb.on('close', () => {
      if (!gotFile) reject(new CosError('MalformedPOSTRequest', 'The form has no file field.'));
      if (extraFiles) fail(new CosError('IncorrectNumberOfFilesInPostRequest'));
      else finish();
    });
    Readable.from(ctx.body()).pipe(bb);
  });
}

/**
 * The form's signature: the q-* fields, or the same pairs in one Authorization-style `Signature`
 * field. Either way q-signature signs the policy: HMAC-SHA1(SignKey, SHA1(policy)).
 */
function formSignature(fields: ReadonlyMap<string, string>): SignatureFields | undefined | 'none' {
  const fromFields = signatureFromPairs((name) => fields.get(name));
  if (fromFields) return fromFields;
  const authorization = fields.get('signature');
  if (authorization) return parseAuthorization(authorization);
  return fields.has('q-signature') ? undefined : 'none';
}

/** Who signed the form, over its policy; nobody when it carries no signature. */
async function formCaller(ctx: RequestContext, signed: SignatureFields | undefined, token: string | undefined, policy: PostPolicy | undefined): Promise<Caller> {
  if (!signed) throw new CosError('AccessDenied', 'The form signature is incomplete.');
  if (signed.algorithm !== 'sha1') throw new CosError('AccessDenied', `Unsupported q-sign-algorithm ${signed.algorithm}.`);
  const nowSeconds = Math.floor(ctx.now / 1000);
  const { secretKey, caller } = await resolveKey(ctx.services.accounts, ctx.services.temporaryKeys, signed.secretId, token, nowSeconds);
  const window = parseSignTime(signed.keyTime);
  if (!window || nowSeconds > window.end) throw new CosError('AccessDenied', 'Request has expired');
  if (nowSeconds < window.start) throw new CosError('RequestTimeTooSkewed');
  if (!policy) throw new CosError('InvalidPolicyDocument', 'A signed form needs a policy: its signature signs the policy.');
  const expected = postPolicySignature(nodeCrypto, secretKey, signed.keyTime, policy.text);
  if (!equalHex(expected, signed.signature)) throw new CosError('SignatureDoesNotMatch');
  return caller;
}

function equalHex(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The fields the policy's conditions are checked against: the form's, the bucket addressed, the
 * final key, and the signature's own pairs (COS's documented policies name `q-sign-algorithm`,
 * `q-ak` and `q-sign-time`, while the form sends the time as `q-key-time`).
 */
function conditionFields(fields: ReadonlyMap<string, string>, signed: SignatureFields | undefined, bucket: string, key: string): Map<string, string> {
  const out = new Map(fields);
  if (signed) {
    const own: Array<[string, string]> = [['q-sign-algorithm', signed.algorithm], ['q-ak', signed.secretId], ['q-key-time', signed.keyTime], ['q-sign-time', signed.signTime]];
    for (const [name, value] of own) if (!out.has(name)) out.set(name, value);
  }
  out.set('bucket', bucket);
  out.set('key', key);
  return out;
}

/**
 * success_action_redirect, checked before anything is stored: it becomes a Location header. Text
 * beyond ASCII is percent-encoded (UTF-8), as a URL carries it; control characters are InvalidArgument.
 */
function redirectTarget(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return checkHeaderValue(value.replace(/[^\x00-\x7f]+/g, (text) => encodeURIComponent(text)), 'success_action_redirect');
}

function successStatus(value: string | undefined): number {
  return value === '200' || value === '201' ? Number(value) : 204;
}

export async function postObject(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  if (!/^multipart\/form-data/i.test(ctx.header('content-type') ?? '')) throw new CosError('RequestIsNotMultiPartContent');
  if (ctx.header('content-length') === undefined) throw new CosError('MissingContentLength');
  const form = await readForm(ctx);
  const { fields } = form;
  const rawKey = fields.get('key');
  if (rawKey === undefined || rawKey === '') throw new CosError('UserKeyMustBeSpecified');
  const key = rawKey.replaceAll('${filename}', form.filename);
  if (utf8Length(key) > MAX_KEY_BYTES) throw new CosError('InvalidURI');

  const policyField = fields.get('policy');
  const policy = policyField ? parsePolicy(policyField) : undefined;
  // A form signed the S3 way (V4 or V2 fields) is checked by the AWS module, over the same policy.
  const awsCaller = await awsFormCaller(fields, ctx.services.accounts, ctx.services.temporaryKeys, Math.floor(ctx.now / 1000));
  const signed = awsCaller ? 'none' : formSignature(fields);
  const caller = awsCaller ?? (signed === 'none' ? ({ kind: 'anonymous' } as const) : await formCaller(ctx, signed, fields.get('x-cos-security-token'), policy));
  await authorizeRequest(ctx.services, { op: 'PostObject', caller, bucket, key, request: requestFacts(ctx) });
  const size = policy ? checkPolicy(policy, conditionFields(fields, signed === 'none' ? undefined : signed, bucket.name, key), ctx.now) : { min: 0, max: MAX_OBJECT_SIZE };
  const unconditioned = policy && caller.kind === 'account' ? unconditionedField(policy, fields) : undefined;
  if (unconditioned) throw new CosError('AccessDenied', `Invalid according to Policy: Extra input fields: ${unconditioned} (a field that sets access or encryption needs a policy condition).`);

  // An S3 form names metadata, storage class, encryption and tagging x-amz-*: the dialect's table
  // renames them, as for headers (the policy above was checked over the fields as sent).
  const stored = awsCaller ? s3FormFields(fields) : fields;
  // Answered in the words the form was signed in.
  const dialect = awsCaller ? ('s3' as const) : undefined;
  const get = (name: string) => (name === 'x-cos-acl' ? stored.get('acl') : stored.get(name));
  // Form fields are text: stored as their UTF-8 bytes, as the same header would be (README).
  const attributes = attributesFrom(get, Object.fromEntries(stored), { text: true });
  if (!attributes.contentHeaders['content-type'] && form.mimeType) attributes.contentHeaders['content-type'] = headerValueFromText(form.mimeType, 'Content-Type');
  const redirect = redirectTarget(fields.get('success_action_redirect'));
  const limit = parseTrafficLimit(fields.get('x-cos-traffic-limit'));
  const encryption = withBucketDefault(requestedEncryption((name) => stored.get(name)), bucket);
  const record = await storeObject(ctx.services, {
    bucket: bucket.name,
    key,
    ownerUin: caller.kind === 'account' ? caller.account.uin : bucket.ownerUin,
    body: limit === undefined ? form.file : throttle(form.file, limit, ctx.signal),
    attributes,
    encryption,
    beforeCommit: async (blob) => {
      await form.done;
      if (blob.size < size.min || blob.size > size.max) throw new CosError('AccessDenied', 'Invalid according to Policy: the file size is outside content-length-range.');
    },
  });

  const host = ctx.host || `${bucket.name}.cos.${bucket.region}.myqcloud.com`;
  const location = `http://${host}/${encodeURI(key)}`;
  if (redirect) {
    const query = `bucket=${encodeURIComponent(bucket.name)}&key=${encodeURIComponent(key)}&etag=${encodeURIComponent(record.etag)}`;
    return { ...emptyResponse(303, { Location: `${redirect}${redirect.includes('?') ? '&' : '?'}${query}`, ETag: record.etag }), dialect };
  }
  const status = successStatus(fields.get('success_action_status'));
  const sse = encryption?.kind === 'SSE-C' ? encryption : undefined;
  const headers = { ETag: record.etag, Location: location, 'x-cos-hash-crc64ecma': record.crc64, ...versionHeader(record), ...encryptionHeaders(record.encryption, sse) };
  if (status !== 201) return { ...emptyResponse(status, headers), dialect };
  return { ...xmlResponse(buildXml('PostResponse', { Location: location, Bucket: bucket.name, Key: key, ETag: record.etag.replace(/"/g, '') }), 201, headers), dialect };
}
