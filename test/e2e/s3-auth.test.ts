/**
 * AWS signatures against a live server: the AWS SDK for JavaScript v3 (`@aws-sdk/client-s3`,
 * unmodified) with its default checksums and with WHEN_REQUIRED, pre-signed URLs from
 * `@aws-sdk/s3-request-presigner` fetched with node's fetch, and hand-signed requests for what the
 * SDK does not send (signed aws-chunked bodies, bad chunks, skewed clocks, Signature V2).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { amzDate, canonicalRequest, chunkStringToSign, formatV4Authorization, postPolicySignatureV4, scopeOf, stringToSign, presignV4, signatureOf, signingKey, signV2, signV4, STREAMING_SIGNED, canonicalResource, v2StringToSign, EMPTY_SHA256 } from '@cosbox/protocol';
import { nodeCrypto } from '../../packages/server/src/auth/node-crypto.js';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';
import { send, type RawResponse } from './raw.js';
import { postForm } from './form.js';

let h: Harness;
let Bucket: string;

before(async () => {
  h = await startHarness();
  Bucket = bucketName('s3auth');
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

function s3(config: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: `http://127.0.0.1:${h.port}`,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: SECRET_ID, secretAccessKey: SECRET_KEY },
    maxAttempts: 1,
    ...config,
  });
}

async function cosBody(Key: string): Promise<string | undefined> {
  try {
    const got = await h.cos.getObject({ Bucket, Region: REGION, Key });
    return got.Body.toString();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

function codeOf(res: RawResponse): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(res.text)?.[1];
}

/** Records the x-amz-content-sha256 of every request the client sends. */
function payloadModes(client: S3Client): string[] {
  const seen: string[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      seen.push(headers['x-amz-content-sha256'] ?? '');
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low' },
  );
  return seen;
}

test('AWS SDK v3: PutObject with its default checksums (string and stream bodies), GetObject, HeadObject', async () => {
  const client = s3();
  const modes = payloadModes(client);
  const put = await client.send(new PutObjectCommand({ Bucket, Key: 'sdk/default.txt', Body: 'hello from the AWS SDK' }));
  assert.match(put.ETag ?? '', /^"[0-9a-f]{32}"$/);
  const data = Buffer.alloc(300 * 1024, 'x');
  // A stream of known length: the SDK sends it aws-chunked with a checksum trailer.
  await client.send(new PutObjectCommand({ Bucket, Key: 'sdk/stream.bin', Body: Readable.from([data.subarray(0, 100000), data.subarray(100000)]), ContentLength: data.length }));
  const got = await client.send(new GetObjectCommand({ Bucket, Key: 'sdk/default.txt' }));
  assert.equal(await got.Body!.transformToString(), 'hello from the AWS SDK');
  const streamed = await client.send(new GetObjectCommand({ Bucket, Key: 'sdk/stream.bin' }));
  assert.ok(Buffer.from(await streamed.Body!.transformToByteArray()).equals(data));
  const head = await client.send(new HeadObjectCommand({ Bucket, Key: 'sdk/stream.bin' }));
  assert.equal(head.ContentLength, data.length);
  assert.equal(head.ContentEncoding, undefined, 'aws-chunked is no content coding of the object');
  assert.equal(modes[1], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'the stream went aws-chunked with a checksum trailer');
  client.destroy();
});

test('AWS SDK v3: keys with characters S3 encodes (spaces, unicode, reserved marks) sign and verify', async () => {
  const client = s3();
  for (const Key of ["odd/ü é ~!'()*&$@=;:+,.txt", 'odd/%41 literal percent', 'odd/a//double/./dots/../x']) {
    await client.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    const got = await client.send(new GetObjectCommand({ Bucket, Key }));
    assert.equal(await got.Body!.transformToString(), Key);
  }
  client.destroy();
});

test('hostile Authorization values are 4xx errors, never a crash', async () => {
  const path = `/${Bucket}/sdk/default.txt`;
  const values = [
    'AWS4-HMAC-SHA256',
    'AWS4-HMAC-SHA256 ',
    'AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=',
    `AWS4-HMAC-SHA256 Credential=${SECRET_ID}/20260101/${REGION}/s3/aws4_request, SignedHeaders=host, Signature=${'z'.repeat(64)}`,
    `AWS4-HMAC-SHA256 Credential=${SECRET_ID}/20260101/${REGION}/iam/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`,
    `AWS4-HMAC-SHA256 Credential=${'x'.repeat(6000)}, SignedHeaders=${';'.repeat(2000)}, Signature=${'a'.repeat(64)}`,
    'AWS ',
    'AWS :',
    'AWS a:',
    `AWS ${SECRET_ID}:${'A'.repeat(3000)}`,
    'AWS \u00ff\u00fe:abc=',
  ];
  for (const authorization of values) {
    const res = await send(h, { path, headers: { authorization, 'x-amz-date': amzDate(Date.now()), 'x-amz-content-sha256': EMPTY_SHA256, date: new Date().toUTCString() }, sign: false });
    assert.ok(res.status === 400 || res.status === 403, `${authorization.slice(0, 60)} -> ${res.status} ${res.text}`);
  }
  for (const query of ['X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=x&X-Amz-Signature=1', 'X-Amz-Signature=%ZZ', 'AWSAccessKeyId=x&Expires=abc&Signature=y', 'AWSAccessKeyId=&Expires=1&Signature=']) {
    const res = await send(h, { path: `${path}?${query}`, sign: false });
    assert.ok(res.status === 400 || res.status === 403, `${query} -> ${res.status} ${res.text}`);
  }
});

test('AWS SDK v3 with requestChecksumCalculation WHEN_REQUIRED: a signed SHA-256 payload', async () => {
  const client = s3({ requestChecksumCalculation: 'WHEN_REQUIRED' });
  await client.send(new PutObjectCommand({ Bucket, Key: 'sdk/when-required.txt', Body: 'plain body', ContentType: 'text/plain' }));
  const data = Buffer.alloc(70 * 1024, 'y');
  await client.send(new PutObjectCommand({ Bucket, Key: 'sdk/when-required-stream.bin', Body: Readable.from([data]), ContentLength: data.length }));
  const got = await client.send(new GetObjectCommand({ Bucket, Key: 'sdk/when-required.txt' }));
  assert.equal(await got.Body!.transformToString(), 'plain body');
  assert.equal(got.ContentType, 'text/plain');
  assert.equal((await cosBody('sdk/when-required-stream.bin'))?.length, data.length);
  client.destroy();
});

test('AWS SDK v3: a wrong secret is SignatureDoesNotMatch, an unknown key InvalidAccessKeyId', async () => {
  const wrong = s3({ credentials: { accessKeyId: SECRET_ID, secretAccessKey: 'not-the-secret' } });
  await assert.rejects(wrong.send(new GetObjectCommand({ Bucket, Key: 'sdk/default.txt' })), (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.$metadata?.httpStatusCode, 403);
    assert.equal(e.name, 'SignatureDoesNotMatch');
    return true;
  });
  const unknown = s3({ credentials: { accessKeyId: 'AKIDnobody', secretAccessKey: 'x' } });
  await assert.rejects(unknown.send(new PutObjectCommand({ Bucket, Key: 'sdk/nobody.txt', Body: 'x' })), (e: { name?: string }) => e.name === 'InvalidAccessKeyId');
  assert.equal(await cosBody('sdk/nobody.txt'), undefined);
  wrong.destroy();
  unknown.destroy();
});

test('pre-signed GET and PUT from @aws-sdk/s3-request-presigner, fetched with node fetch', async () => {
  const client = s3();
  const putUrl = await getSignedUrl(client, new PutObjectCommand({ Bucket, Key: 'presigned/a b+c.txt' }), { expiresIn: 300 });
  assert.match(putUrl, /X-Amz-Signature=/);
  const put = await fetch(putUrl, { method: 'PUT', body: 'pre-signed upload' });
  assert.equal(put.status, 200, await put.clone().text());
  const getUrl = await getSignedUrl(client, new GetObjectCommand({ Bucket, Key: 'presigned/a b+c.txt' }), { expiresIn: 300 });
  const got = await fetch(getUrl);
  assert.equal(got.status, 200);
  assert.equal(await got.text(), 'pre-signed upload');
  // The signature binds the key: the same query on another key does not verify.
  const moved = getUrl.replace('a%20b%2Bc.txt', 'other.txt');
  assert.equal((await fetch(moved)).status, 403);
  client.destroy();
});

test('headers a presigner hoists into the signed query are handed on as headers (queryHeaders)', async () => {
  const { authenticateRequest } = await import('../../packages/server/src/auth/authenticate.js');
  const client = s3();
  const url = new URL(await getSignedUrl(client, new PutObjectCommand({ Bucket, Key: 'presigned/hoisted.txt', ACL: 'public-read', Metadata: { note: 'hi' } }), { expiresIn: 60 }));
  client.destroy();
  const query = new Map([...url.searchParams].map(([k, v]) => [k.toLowerCase(), v]));
  const { accounts, temporaryKeys } = h.server.services;
  const result = await authenticateRequest(
    { method: 'PUT', pathnames: [decodeURIComponent(url.pathname)], query, header: (n) => (n === 'host' ? url.host : undefined), headerNames: ['host'], now: Math.floor(Date.now() / 1000), rawUrl: url.pathname + url.search },
    accounts,
    temporaryKeys,
  );
  assert.equal(result.caller.kind, 'account');
  assert.equal(result.queryHeaders?.['x-amz-acl'], 'public-read');
  assert.equal(result.queryHeaders?.['x-amz-meta-note'], 'hi');
  assert.equal(result.queryHeaders?.['x-amz-signature'], undefined);
});

// ---- hand-signed requests -------------------------------------------------------------------

interface V4Request {
  method?: string;
  path: string;
  query?: Array<[string, string]>;
  headers?: Record<string, string>;
  body?: string | Buffer | Buffer[];
  /** Milliseconds since the epoch the request says it was signed at. */
  now?: number;
  payloadHash?: string;
  /** Headers sent but left out of the signature. */
  unsigned?: Record<string, string>;
  secretKey?: string;
}

function queryString(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

function signedV4(req: V4Request) {
  return signV4(nodeCrypto, {
    accessKey: SECRET_ID,
    secretKey: req.secretKey ?? SECRET_KEY,
    region: REGION,
    method: req.method ?? 'GET',
    pathname: decodeURIComponent(req.path),
    query: req.query,
    headers: { host: `127.0.0.1:${h.port}`, ...req.headers },
    now: req.now ?? Date.now(),
    payloadHash: req.payloadHash ?? EMPTY_SHA256,
  });
}

function sendV4(req: V4Request): Promise<RawResponse> {
  const { headers } = signedV4(req);
  const q = req.query?.length ? `?${queryString(req.query)}` : '';
  return send(h, { method: req.method ?? 'GET', path: req.path + q, headers: { ...headers, ...req.unsigned }, body: req.body, sign: false });
}

const sha256 = (body: string | Buffer) => nodeCrypto.sha256Hex(body);

test('V4 header signature: the payload SHA-256 is checked while the body streams; a mismatch stores nothing', async () => {
  const ok = await sendV4({ method: 'PUT', path: `/${Bucket}/raw/sha.txt`, body: 'exact bytes', payloadHash: sha256('exact bytes') });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(await cosBody('raw/sha.txt'), 'exact bytes');
  const bad = await sendV4({ method: 'PUT', path: `/${Bucket}/raw/sha-bad.txt`, body: 'other bytes', payloadHash: sha256('exact bytes') });
  assert.equal(bad.status, 400);
  assert.equal(codeOf(bad), 'XAmzContentSHA256Mismatch');
  assert.equal(await cosBody('raw/sha-bad.txt'), undefined);
  const unsignedPayload = await sendV4({ method: 'PUT', path: `/${Bucket}/raw/unsigned.txt`, body: 'anything', payloadHash: 'UNSIGNED-PAYLOAD' });
  assert.equal(unsignedPayload.status, 200, unsignedPayload.text);
  const missing = await send(h, { method: 'GET', path: `/${Bucket}/raw/sha.txt`, headers: withoutSha(signedV4({ path: `/${Bucket}/raw/sha.txt` }).headers), sign: false });
  assert.equal(missing.status, 400);
});

function withoutSha(headers: Record<string, string>): Record<string, string> {
  const { ['x-amz-content-sha256']: _, ...rest } = headers;
  return rest;
}

/** An aws-chunked body with per-chunk signatures chained from the seed; `corrupt` flips a byte of one chunk after signing. */
function signedChunks(seed: { key: Uint8Array; date: string; scope: string }, seedSignature: string, chunks: Buffer[], corrupt?: number): Buffer[] {
  const out: Buffer[] = [];
  let previous = seedSignature;
  for (const [i, data] of [...chunks, Buffer.alloc(0)].entries()) {
    const signature = signatureOf(nodeCrypto, seed.key, chunkStringToSign(seed.date, seed.scope, previous, sha256(data)));
    previous = signature;
    const sent = i === corrupt ? Buffer.from(data.map((b, j) => (j === 0 ? b ^ 1 : b))) : data;
    out.push(Buffer.from(`${data.length.toString(16)};chunk-signature=${signature}\r\n`), sent, Buffer.from('\r\n'));
  }
  return out;
}

function chunkedPut(key: string, chunks: Buffer[], corrupt?: number): Promise<RawResponse> {
  const decoded = chunks.reduce((n, c) => n + c.length, 0);
  const headers = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(decoded) };
  const path = `/${Bucket}/${key}`;
  const { headers: signed, signature, seed } = signedV4({ method: 'PUT', path, headers, payloadHash: STREAMING_SIGNED });
  const body = signedChunks(seed, signature, chunks, corrupt);
  const length = body.reduce((n, c) => n + c.length, 0);
  return send(h, { method: 'PUT', path, headers: { ...signed, 'content-length': String(length) }, body: Buffer.concat(body), sign: false });
}

test('STREAMING-AWS4-HMAC-SHA256-PAYLOAD: chunks verified against the chain; a bad chunk is SignatureDoesNotMatch and nothing is stored', async () => {
  const chunks = [Buffer.alloc(65536, 'a'), Buffer.alloc(1024, 'b')];
  const ok = await chunkedPut('raw/chunked.bin', chunks);
  assert.equal(ok.status, 200, ok.text);
  const stored = await h.cos.getObject({ Bucket, Region: REGION, Key: 'raw/chunked.bin' });
  assert.ok(stored.Body.equals(Buffer.concat(chunks)));
  assert.equal(stored.headers['content-encoding'], undefined);
  const bad = await chunkedPut('raw/chunked-bad.bin', chunks, 1);
  assert.equal(bad.status, 403);
  assert.equal(codeOf(bad), 'SignatureDoesNotMatch');
  assert.equal(await cosBody('raw/chunked-bad.bin'), undefined);
});

test('STREAMING-UNSIGNED-PAYLOAD-TRAILER sent by hand: a wrong trailer checksum is BadDigest and nothing is stored', async () => {
  const put = (key: string, checksum: string) => {
    const headers = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5', 'x-amz-trailer': 'x-amz-checksum-crc32' };
    const body = `5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${checksum}\r\n\r\n`;
    return sendV4({ method: 'PUT', path: `/${Bucket}/${key}`, headers, body, payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' });
  };
  const good = await put('raw/trailer.txt', 'NhCmhg==');
  assert.equal(good.status, 200, good.text);
  assert.equal(await cosBody('raw/trailer.txt'), 'hello');
  const bad = await put('raw/trailer-bad.txt', 'AAAAAA==');
  assert.equal(bad.status, 400);
  assert.equal(codeOf(bad), 'BadDigest');
  assert.equal(await cosBody('raw/trailer-bad.txt'), undefined);
});

test('V4 on a virtual-hosted bucket, and with a Date header in place of x-amz-date', async () => {
  const host = `${Bucket}.cos.${REGION}.myqcloud.com`;
  const { headers } = signV4(nodeCrypto, { accessKey: SECRET_ID, secretKey: SECRET_KEY, region: REGION, method: 'GET', pathname: '/raw/sha.txt', headers: { host }, now: Date.now(), payloadHash: EMPTY_SHA256 });
  const virtual = await send(h, { path: '/raw/sha.txt', host, headers, sign: false });
  assert.equal(virtual.status, 200, virtual.text);
  assert.equal(virtual.text, 'exact bytes');
  // The host is signed: the same request addressed to another bucket does not verify.
  const other = await send(h, { path: '/raw/sha.txt', host: `other-${Bucket}.cos.${REGION}.myqcloud.com`, headers: { ...headers, host: `other-${Bucket}.cos.${REGION}.myqcloud.com` }, sign: false });
  assert.equal(other.status, 403);

  // Without x-amz-date the Date header's time is signed (as yyyymmddThhmmssZ).
  const now = Math.floor(Date.now() / 1000) * 1000;
  const path = `/${Bucket}/raw/sha.txt`;
  const plain = { date: new Date(now).toUTCString(), host: `127.0.0.1:${h.port}`, 'x-amz-content-sha256': EMPTY_SHA256 };
  const names = Object.keys(plain).sort();
  const credential = { accessKey: SECRET_ID, date: amzDate(now).slice(0, 8), region: REGION, service: 's3' };
  const canonical = canonicalRequest({ method: 'GET', canonicalUri: path, query: [], signedHeaders: names, headerValue: (n) => plain[n as keyof typeof plain], payloadHash: EMPTY_SHA256 });
  const signature = signatureOf(nodeCrypto, signingKey(nodeCrypto, SECRET_KEY, credential), stringToSign(nodeCrypto, amzDate(now), scopeOf(credential), canonical));
  const dated = await send(h, { path, headers: { ...plain, authorization: formatV4Authorization(credential, names, signature) }, sign: false });
  assert.equal(dated.status, 200, dated.text);
});

test('clock skew beyond 15 minutes is RequestTimeTooSkewed; an expired pre-signed URL is AccessDenied "Request has expired"', async () => {
  const skewed = await sendV4({ path: `/${Bucket}/raw/sha.txt`, now: Date.now() - 16 * 60_000 });
  assert.equal(skewed.status, 403);
  assert.equal(codeOf(skewed), 'RequestTimeTooSkewed');
  const within = await sendV4({ path: `/${Bucket}/raw/sha.txt`, now: Date.now() - 10 * 60_000 });
  assert.equal(within.status, 200);

  const presigned = (now: number, expires: number) => {
    const query = presignV4(nodeCrypto, { accessKey: SECRET_ID, secretKey: SECRET_KEY, region: REGION, method: 'GET', pathname: `/${Bucket}/raw/sha.txt`, headers: { host: `127.0.0.1:${h.port}` }, now, expires });
    return send(h, { path: `/${Bucket}/raw/sha.txt?${queryString(query)}`, sign: false });
  };
  assert.equal((await presigned(Date.now() - 30 * 60_000, 3600)).status, 200, 'a pre-signed URL is good for its X-Amz-Expires');
  const expired = await presigned(Date.now() - 2 * 3600_000, 60);
  assert.equal(expired.status, 403);
  assert.match(expired.text, /Request has expired/);
  // A payload hash in the signed query binds the body of a pre-signed PUT.
  const putWithHash = (body: string) => {
    const query = presignV4(nodeCrypto, { accessKey: SECRET_ID, secretKey: SECRET_KEY, region: REGION, method: 'PUT', pathname: `/${Bucket}/raw/presigned-hash.txt`, query: [['X-Amz-Content-Sha256', sha256('bound')]], headers: { host: `127.0.0.1:${h.port}` }, now: Date.now(), expires: 60, payloadHash: sha256('bound') });
    return send(h, { method: 'PUT', path: `/${Bucket}/raw/presigned-hash.txt?${queryString(query)}`, body, sign: false });
  };
  assert.equal(codeOf(await putWithHash('not bound')), 'XAmzContentSHA256Mismatch');
  assert.equal(await cosBody('raw/presigned-hash.txt'), undefined);
  assert.equal((await putWithHash('bound')).status, 200);
  const tooLong = await presigned(Date.now(), 604801);
  assert.equal(tooLong.status, 400);
  assert.equal(codeOf(tooLong), 'AuthorizationQueryParametersError');
});

test('an unsigned header that changes the operation is refused (V4 header and pre-signed)', async () => {
  const acl = await sendV4({ method: 'PUT', path: `/${Bucket}/raw/acl.txt`, body: 'x', payloadHash: sha256('x'), unsigned: { 'x-amz-acl': 'public-read' } });
  assert.equal(acl.status, 403);
  assert.match(acl.text, /x-amz-acl/);
  const copy = await sendV4({ method: 'PUT', path: `/${Bucket}/raw/copy.txt`, unsigned: { 'x-amz-copy-source': `/${Bucket}/raw/sha.txt` } });
  assert.equal(copy.status, 403);
  assert.equal(await cosBody('raw/copy.txt'), undefined);
  const cosAcl = await sendV4({ method: 'PUT', path: `/${Bucket}/raw/acl.txt`, body: 'x', payloadHash: sha256('x'), unsigned: { 'x-cos-acl': 'public-read' } });
  assert.equal(cosAcl.status, 403);
  // Signed, the same header is fine; unsigned meta headers are fine too (as S3's pre-signed PUT).
  const signedAcl = await sendV4({ method: 'PUT', path: `/${Bucket}/raw/acl.txt`, headers: { 'x-amz-acl': 'private' }, body: 'x', payloadHash: sha256('x'), unsigned: { 'x-amz-meta-note': 'hi' } });
  assert.equal(signedAcl.status, 200, signedAcl.text);

  const client = s3();
  const url = await getSignedUrl(client, new PutObjectCommand({ Bucket, Key: 'presigned/acl.txt' }), { expiresIn: 300 });
  const refused = await fetch(url, { method: 'PUT', body: 'x', headers: { 'x-amz-acl': 'public-read-write' } });
  assert.equal(refused.status, 403);
  assert.equal(await cosBody('presigned/acl.txt'), undefined);
  client.destroy();
});

test('temporary keys sign with x-amz-security-token', async () => {
  const issued = await send(h, {
    method: 'POST',
    path: '/sts',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ DurationSeconds: 600, Policy: { version: '2.0', statement: [{ effect: 'allow', action: ['name/cos:GetObject', 'name/cos:PutObject'], resource: ['*'] }] } }),
  });
  assert.equal(issued.status, 200, issued.text);
  const { Credentials } = JSON.parse(issued.text) as { Credentials: { TmpSecretId: string; TmpSecretKey: string; Token: string } };
  const client = s3({ credentials: { accessKeyId: Credentials.TmpSecretId, secretAccessKey: Credentials.TmpSecretKey, sessionToken: Credentials.Token } });
  await client.send(new PutObjectCommand({ Bucket, Key: 'tmp/key.txt', Body: 'temporary' }));
  assert.equal(await cosBody('tmp/key.txt'), 'temporary');
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket, Key: 'tmp/key.txt' }), { expiresIn: 60 });
  assert.match(url, /X-Amz-Security-Token=/);
  const fetched = await fetch(url);
  assert.equal(fetched.status, 200);
  assert.equal(await fetched.text(), 'temporary');
  const forged = s3({ credentials: { accessKeyId: Credentials.TmpSecretId, secretAccessKey: Credentials.TmpSecretKey, sessionToken: Credentials.Token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) } });
  await assert.rejects(forged.send(new GetObjectCommand({ Bucket, Key: 'tmp/key.txt' })), (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 403);
  client.destroy();
  forged.destroy();
});

// ---- Signature V2 ---------------------------------------------------------------------------

function v2Headers(method: string, resource: string, headers: Record<string, string> = {}, secret = SECRET_KEY): Record<string, string> {
  const date = new Date().toUTCString();
  const amz = Object.entries(headers).filter(([n]) => n.startsWith('x-amz-'));
  const toSign = v2StringToSign({ method, contentType: headers['content-type'], contentMd5: headers['content-md5'], dateOrExpires: date, amzHeaders: amz, resource });
  return { ...headers, date, authorization: `AWS ${SECRET_ID}:${signV2(nodeCrypto, secret, toSign)}` };
}

test('Signature V2 in the header: PUT and GET, path-style and virtual-hosted; a wrong secret is refused', async () => {
  const path = `/${Bucket}/v2/hello.txt`;
  const put = await send(h, { method: 'PUT', path, headers: v2Headers('PUT', path, { 'content-type': 'text/plain', 'x-amz-meta-who': 'v2' }), body: 'hello v2', sign: false });
  assert.equal(put.status, 200, put.text);
  const get = await send(h, { path, headers: v2Headers('GET', path), sign: false });
  assert.equal(get.status, 200, get.text);
  assert.equal(get.text, 'hello v2');
  const virtual = await send(h, { path: '/v2/hello.txt', host: `${Bucket}.cos.${REGION}.myqcloud.com`, headers: v2Headers('GET', path), sign: false });
  assert.equal(virtual.status, 200, virtual.text);
  const wrong = await send(h, { path, headers: v2Headers('GET', path, {}, 'wrong'), sign: false });
  assert.equal(wrong.status, 403);
  assert.equal(codeOf(wrong), 'SignatureDoesNotMatch');
  // A signature over one key does not serve another.
  const moved = await send(h, { path: `/${Bucket}/raw/sha.txt`, headers: v2Headers('GET', path), sign: false });
  assert.equal(moved.status, 403);
});

test('Signature V2: unsigned x-cos-* binding headers and COS-only binding parameters are refused; the query form works until Expires', async () => {
  const path = `/${Bucket}/v2/acl.txt`;
  const acl = await send(h, { method: 'PUT', path, headers: { ...v2Headers('PUT', path), 'x-cos-acl': 'public-read' }, body: 'x', sign: false });
  assert.equal(acl.status, 403);
  const append = await send(h, { method: 'POST', path: `${path}?append&position=0`, headers: v2Headers('POST', path), body: 'x', sign: false });
  assert.equal(append.status, 403);
  assert.match(append.text, /append/);
  // uploadId spelled in lower case is no V2 sub-resource: not signed, so not accepted.
  const lower = await send(h, { method: 'PUT', path: `${path}?partNumber=1&uploadid=abc`, headers: v2Headers('PUT', canonicalResource(path, [['partNumber', '1']])), body: 'x', sign: false });
  assert.equal(lower.status, 403);

  const query = (expires: number) => {
    const toSign = v2StringToSign({ method: 'GET', dateOrExpires: String(expires), amzHeaders: [], resource: `/${Bucket}/v2/hello.txt` });
    return `/${Bucket}/v2/hello.txt?AWSAccessKeyId=${SECRET_ID}&Expires=${expires}&Signature=${encodeURIComponent(signV2(nodeCrypto, SECRET_KEY, toSign))}`;
  };
  const now = Math.floor(Date.now() / 1000);
  const fresh = await send(h, { path: query(now + 300), sign: false });
  assert.equal(fresh.status, 200, fresh.text);
  assert.equal(fresh.text, 'hello v2');
  const expired = await send(h, { path: query(now - 10), sign: false });
  assert.equal(expired.status, 403);
  assert.match(expired.text, /Request has expired/);
});

test('the scheme a failed request was signed in is told from its credentials alone', async () => {
  const { signatureScheme } = await import('../../packages/server/src/auth/authenticate.js');
  const none = new Map<string, string>();
  assert.equal(signatureScheme((n) => (n === 'authorization' ? 'AWS4-HMAC-SHA256 Credential=x' : undefined), none), 'aws-v4');
  assert.equal(signatureScheme((n) => (n === 'authorization' ? 'AWS a:b' : undefined), none), 'aws-v2');
  assert.equal(signatureScheme((n) => (n === 'authorization' ? 'q-sign-algorithm=sha1&q-ak=x' : undefined), none), 'cos');
  assert.equal(signatureScheme(() => undefined, new Map([['x-amz-algorithm', 'AWS4-HMAC-SHA256']])), 'aws-v4');
  assert.equal(signatureScheme(() => undefined, new Map([['awsaccesskeyid', 'x']])), 'aws-v2');
  assert.equal(signatureScheme(() => undefined, none), 'none');
  assert.equal(amzDate(Date.UTC(2026, 0, 2, 3, 4, 5)), '20260102T030405Z');
});

test('an anonymous request may send an unsigned aws-chunked body, not one that claims chunk signatures', async () => {
  const { authenticateRequest } = await import('../../packages/server/src/auth/authenticate.js');
  const { accounts, temporaryKeys } = h.server.services;
  const anonymous = (sha: string) =>
    authenticateRequest({ method: 'PUT', pathnames: ['/b/k'], query: new Map(), header: (n) => (n === 'x-amz-content-sha256' ? sha : undefined), headerNames: ['x-amz-content-sha256'], now: 0 }, accounts, temporaryKeys);
  assert.equal((await anonymous('STREAMING-UNSIGNED-PAYLOAD-TRAILER')).payload.kind, 'chunked');
  assert.equal((await anonymous('not-a-digest')).payload.kind, 'as-sent');
  await assert.rejects(anonymous('STREAMING-AWS4-HMAC-SHA256-PAYLOAD'), /Signature V4/);
});

// ---- POST Object forms signed the S3 way ---------------------------------------------------

function v4Form(conditions: unknown[], secret = SECRET_KEY): Record<string, string> {
  const date = amzDate(Date.now());
  const credential = `${SECRET_ID}/${date.slice(0, 8)}/${REGION}/s3/aws4_request`;
  const own = { 'x-amz-algorithm': 'AWS4-HMAC-SHA256', 'x-amz-credential': credential, 'x-amz-date': date };
  const policy = Buffer.from(JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [...conditions, ...Object.entries(own).map(([k, v]) => ({ [k]: v }))] })).toString('base64');
  const signature = postPolicySignatureV4(nodeCrypto, secret, { accessKey: SECRET_ID, date: date.slice(0, 8), region: REGION, service: 's3' }, policy);
  return { ...own, policy, 'x-amz-signature': signature };
}

test('POST Object with a V4 policy: stored when the signature holds, SignatureDoesNotMatch (nothing stored) when not', async () => {
  const conditions = [{ bucket: Bucket }, ['starts-with', '$key', 's3form/']];
  const ok = await postForm(h, Bucket, { key: 's3form/v4.txt', ...v4Form(conditions) }, [{ name: 'v4.txt', content: 'form v4' }]);
  assert.equal(ok.status, 204, ok.text);
  assert.equal(await cosBody('s3form/v4.txt'), 'form v4');
  const bad = await postForm(h, Bucket, { key: 's3form/v4-bad.txt', ...v4Form(conditions, 'wrong') });
  assert.equal(bad.status, 403);
  assert.match(bad.text, /SignatureDoesNotMatch/);
  assert.equal(await cosBody('s3form/v4-bad.txt'), undefined);
  const outside = await postForm(h, Bucket, { key: 'elsewhere/v4.txt', ...v4Form(conditions) });
  assert.equal(outside.status, 403, 'the policy still holds the key to its prefix');
  const acl = await postForm(h, Bucket, { key: 's3form/acl.txt', 'x-amz-acl': 'public-read', ...v4Form(conditions) });
  assert.equal(acl.status, 403, 'a field that sets access needs a policy condition');
});

test('POST Object with a V2 policy (AWSAccessKeyId, signature)', async () => {
  const policy = Buffer.from(JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [{ bucket: Bucket }, ['starts-with', '$key', 's3form/']] })).toString('base64');
  const fields = (secret: string) => ({ key: 's3form/v2.txt', AWSAccessKeyId: SECRET_ID, policy, signature: signV2(nodeCrypto, secret, policy) });
  const bad = await postForm(h, Bucket, fields('wrong'));
  assert.equal(bad.status, 403);
  assert.equal(await cosBody('s3form/v2.txt'), undefined);
  const ok = await postForm(h, Bucket, fields(SECRET_KEY), [{ name: 'v2.txt', content: 'form v2' }]);
  assert.equal(ok.status, 204, ok.text);
  assert.equal(await cosBody('s3form/v2.txt'), 'form v2');
});

