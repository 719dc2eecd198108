/**
 * Encryption at rest (C155-C157 and SSE-C), end to end with the official SDK: SSE-COS and SSE-C on
 * PUT, POST, copy and multipart; the bytes on disk are ciphertext; GET, HEAD and Range give back the
 * plaintext with its ETag and CRC-64; a restarted server still decrypts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import COS from 'cos-nodejs-sdk-v5';
import { crc64 } from '@cosbox/protocol';
import { startServer, type RunningServer } from '@cosbox/server';
import { APPID, bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, UIN, type Harness } from './harness.js';
import { assertCosError, sdkRejects, sendToBucket } from './raw.js';
import { postForm, signedFields } from './form.js';

const MiB = 1024 * 1024;
let h: Harness;
const Bucket = bucketName('sse');
const at = (Key: string) => ({ Bucket, Region: REGION, Key });
const source = (key: string) => `${Bucket}.cos.${REGION}.myqcloud.com/${encodeURIComponent(key)}`;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** Plaintext that is easy to find on disk: a marker repeated, then random bytes. */
function plaintext(size: number): Buffer {
  const marker = Buffer.from(`plaintext-marker-${randomBytes(8).toString('hex')}|`);
  const out = randomBytes(size);
  for (let i = 0; i + marker.length <= Math.min(size, 4096); i += marker.length) marker.copy(out, i);
  return out;
}

/** Every blob file of a data directory, concatenated. */
async function blobBytes(dataDir: string): Promise<Buffer> {
  const files: Buffer[] = [];
  const root = join(dataDir, 'blobs');
  for (const dir of await readdir(root)) for (const name of await readdir(join(root, dir))) files.push(await readFile(join(root, dir, name)));
  return Buffer.concat(files);
}

async function onDisk(dataDir: string, data: Buffer): Promise<boolean> {
  return (await blobBytes(dataDir)).includes(data.subarray(0, 64));
}

/** Whether a customer key (base64) appears, raw or as text, in any file of a data directory. */
async function keyStored(dataDir: string, keyBase64: string): Promise<boolean> {
  const raw = Buffer.from(keyBase64, 'base64');
  const files = [join(dataDir, 'metadata.sqlite'), join(dataDir, 'metadata.sqlite-wal'), join(dataDir, 'sse.key')];
  for (const file of files) {
    const bytes = await readFile(file).catch(() => Buffer.alloc(0));
    if (bytes.includes(raw) || bytes.includes(keyBase64)) return true;
  }
  return (await blobBytes(dataDir)).includes(raw);
}

function customer(key = randomBytes(32)) {
  return {
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: key.toString('base64'),
    SSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
  };
}

/** The same key as copy-source headers. */
function copySourceCustomer(c: ReturnType<typeof customer>): Record<string, string> {
  return {
    'x-cos-copy-source-server-side-encryption-customer-algorithm': c.SSECustomerAlgorithm,
    'x-cos-copy-source-server-side-encryption-customer-key': c.SSECustomerKey,
    'x-cos-copy-source-server-side-encryption-customer-key-MD5': c.SSECustomerKeyMD5,
  };
}

async function readsBack(Key: string, data: Buffer, extra: object = {}): Promise<Record<string, string>> {
  const got = await h.cos.getObject({ ...at(Key), ...extra });
  assert.equal(md5(got.Body as Buffer), md5(data), `${Key}: GET gives the plaintext`);
  assert.equal(got.headers['etag'], `"${md5(data)}"`, `${Key}: ETag is the MD5 of the plaintext`);
  assert.equal(got.headers['x-cos-hash-crc64ecma'], crc64(data), `${Key}: CRC-64 of the plaintext`);
  assert.equal(Number(got.headers['content-length']), data.length);
  for (const [start, end] of [[0, 0], [1, 16], [15, 17], [data.length - 20, data.length - 1]]) {
    if (end >= data.length || start < 0) continue;
    const ranged = await h.cos.getObject({ ...at(Key), ...extra, Range: `bytes=${start}-${end}` });
    assert.equal(ranged.statusCode, 206);
    assert.deepEqual(ranged.Body, data.subarray(start, end + 1), `${Key}: range ${start}-${end}`);
  }
  return got.headers as Record<string, string>;
}

before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

describe('SSE-COS', () => {
  test('C155 C156 C157 PUT with AES256 stores ciphertext; GET, HEAD and Range give the plaintext, its ETag and CRC-64', async () => {
    const data = plaintext(300_000);
    const put = await h.cos.putObject({ ...at('cos/a.bin'), Body: data, ServerSideEncryption: 'AES256' });
    assert.equal(put.headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal(put.ETag, `"${md5(data)}"`, 'ETag is the MD5 of the plaintext');
    assert.equal(put.headers['x-cos-hash-crc64ecma'], crc64(data));
    assert.equal(await onDisk(h.dataDir, data), false, 'the plaintext is nowhere in the blob files');

    const headers = await readsBack('cos/a.bin', data);
    assert.equal(headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal(headers['etag'], `"${md5(data)}"`);
    const head = await h.cos.headObject(at('cos/a.bin'));
    assert.equal(head.headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal(head.headers['x-cos-hash-crc64ecma'], crc64(data));

    // The check above can tell: an unencrypted object's plaintext is found on disk.
    const clear = plaintext(1000);
    const plain = await h.cos.putObject({ ...at('cos/plain.bin'), Body: clear });
    assert.equal(plain.headers['x-cos-server-side-encryption'], undefined);
    assert.equal(await onDisk(h.dataDir, clear), true);
    assert.equal((await h.cos.headObject(at('cos/plain.bin'))).headers['x-cos-server-side-encryption'], undefined);
  });

  test('an empty object and a one-byte object encrypt and read back', async () => {
    await h.cos.putObject({ ...at('cos/empty'), Body: Buffer.alloc(0), ServerSideEncryption: 'AES256' });
    const empty = await h.cos.getObject(at('cos/empty'));
    assert.equal((empty.Body as Buffer).length, 0);
    assert.equal(empty.headers['x-cos-server-side-encryption'], 'AES256');
    await h.cos.putObject({ ...at('cos/one'), Body: Buffer.from('x'), ServerSideEncryption: 'AES256' });
    assert.equal(((await h.cos.getObject(at('cos/one'))).Body as Buffer).toString(), 'x');
  });

  test('values other than AES256 are refused; SSE-KMS is not offered', async () => {
    await sdkRejects(h.cos.putObject({ ...at('cos/bad'), Body: 'x', ServerSideEncryption: 'AES128' }), 400, 'InvalidArgument');
    await sdkRejects(h.cos.putObject({ ...at('cos/kms'), Body: 'x', ServerSideEncryption: 'cos/kms' }), 501, 'NotImplemented');
    await sdkRejects(h.cos.putObject({ ...at('cos/both'), Body: 'x', ServerSideEncryption: 'AES256', ...customer() } as COS.PutObjectParams), 400, 'InvalidArgument');
    await sdkRejects(h.cos.headObject(at('cos/bad')), 404);
  });

  test('C269 C277 POST Object with the x-cos-server-side-encryption field', async () => {
    const data = plaintext(5000);
    const res = await postForm(h, Bucket, { key: 'cos/form.bin', 'x-cos-server-side-encryption': 'AES256', ...signedFields([{ bucket: Bucket }, { 'x-cos-server-side-encryption': 'AES256' }]) }, [{ name: 'f.bin', content: data }]);
    assert.equal(res.status, 204, res.text);
    assert.equal(res.headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal(res.headers['etag'], `"${md5(data)}"`);
    assert.equal(await onDisk(h.dataDir, data), false);
    const headers = await readsBack('cos/form.bin', data);
    assert.equal(headers['x-cos-server-side-encryption'], 'AES256');
  });

  test('C304 Append Object takes the PUT header set except encryption, which it refuses', async () => {
    const res = await sendToBucket(h, Bucket, {
      method: 'POST',
      path: '/cos/appended?append&position=0',
      headers: { 'x-cos-server-side-encryption': 'AES256' },
      body: 'abc',
    });
    assertCosError(res, 400, 'InvalidArgument');
    await sdkRejects(h.cos.headObject(at('cos/appended')), 404);
  });
});

describe('SSE-C', () => {
  test('PUT with a customer key echoes it; every read needs the key; wrong or missing key fails', async () => {
    const c = customer();
    const data = plaintext(200_000);
    const put = await h.cos.putObject({ ...at('c/a.bin'), Body: data, ...c } as COS.PutObjectParams);
    assert.equal(put.headers['x-cos-server-side-encryption-customer-algorithm'], 'AES256');
    assert.equal(put.headers['x-cos-server-side-encryption-customer-key-md5'], c.SSECustomerKeyMD5);
    assert.equal(put.ETag, `"${md5(data)}"`);
    assert.equal(await onDisk(h.dataDir, data), false);
    assert.equal(await keyStored(h.dataDir, c.SSECustomerKey), false, 'the key is stored nowhere');

    const headers = await readsBack('c/a.bin', data, c);
    assert.equal(headers['x-cos-server-side-encryption-customer-algorithm'], 'AES256');
    assert.equal(headers['x-cos-server-side-encryption-customer-key-md5'], c.SSECustomerKeyMD5);
    const head = await h.cos.headObject({ ...at('c/a.bin'), ...c } as COS.HeadObjectParams);
    assert.equal(head.headers['x-cos-server-side-encryption-customer-key-md5'], c.SSECustomerKeyMD5);

    await sdkRejects(h.cos.getObject(at('c/a.bin')), 400, 'InvalidRequest');
    await sdkRejects(h.cos.headObject(at('c/a.bin')), 400);
    await sdkRejects(h.cos.getObject({ ...at('c/a.bin'), ...customer() } as COS.GetObjectParams), 403, 'AccessDenied');
    await sdkRejects(h.cos.headObject({ ...at('c/a.bin'), ...customer() } as COS.HeadObjectParams), 403);
    await sdkRejects(h.cos.getObject({ ...at('c/a.bin'), ...customer(), Range: 'bytes=0-1' } as COS.GetObjectParams), 403, 'AccessDenied');
    // A key for an object that has none is a mistake too.
    await h.cos.putObject({ ...at('c/plain'), Body: 'plain' });
    await sdkRejects(h.cos.getObject({ ...at('c/plain'), ...c } as COS.GetObjectParams), 400, 'InvalidRequest');
  });

  test('malformed customer-key headers are InvalidArgument and store nothing', async () => {
    const c = customer();
    const put = (params: object) => sdkRejects(h.cos.putObject({ ...at('c/bad'), Body: 'x', ...params } as COS.PutObjectParams), 400, 'InvalidArgument');
    await put({ ...c, SSECustomerKeyMD5: customer().SSECustomerKeyMD5 });
    await put({ ...c, SSECustomerAlgorithm: 'AES128' });
    await put({ ...c, SSECustomerKey: randomBytes(16).toString('base64'), SSECustomerKeyMD5: createHash('md5').update(randomBytes(16)).digest('base64') });
    await put({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: c.SSECustomerKey });
    await put({ SSECustomerKey: c.SSECustomerKey, SSECustomerKeyMD5: c.SSECustomerKeyMD5 });
    const short = randomBytes(31);
    await put({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: short.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(short).digest('base64') });
    await sdkRejects(h.cos.headObject(at('c/bad')), 404);
  });
});

describe('multipart', () => {
  const parts = [plaintext(MiB + 7), plaintext(MiB), plaintext(12_345)];
  const whole = Buffer.concat(parts);

  async function upload(Key: string, init: object, part: object): Promise<COS.MultipartCompleteResult> {
    const initiated = await h.cos.multipartInit({ ...at(Key), ...init } as COS.MultipartInitParams);
    const { UploadId } = initiated;
    if ('ServerSideEncryption' in init) assert.equal(initiated.headers['x-cos-server-side-encryption'], 'AES256');
    else assert.equal(initiated.headers['x-cos-server-side-encryption-customer-algorithm'], 'AES256');
    const etags: string[] = [];
    for (const [i, Body] of parts.entries()) {
      const res = await h.cos.multipartUpload({ ...at(Key), UploadId, PartNumber: i + 1, Body, ...part } as COS.MultipartUploadParams);
      assert.equal(res.ETag, `"${md5(Body)}"`, 'part ETag is the MD5 of the plaintext');
      assert.equal(res.headers['x-cos-hash-crc64ecma'], crc64(Body));
      etags.push(res.ETag);
      if ('ServerSideEncryption' in init) assert.equal(res.headers['x-cos-server-side-encryption'], 'AES256', 'parts inherit SSE-COS');
    }
    return h.cos.multipartComplete({ ...at(Key), UploadId, Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })) });
  }

  async function rangesAcrossParts(Key: string, extra: object = {}) {
    for (const [start, end] of [[MiB + 1, MiB + 9], [MiB - 5, MiB + 20], [MiB + 7 - 1, 2 * MiB + 7 + 100], [0, whole.length - 1]]) {
      const res = await h.cos.getObject({ ...at(Key), ...extra, Range: `bytes=${start}-${end}` });
      assert.equal(md5(res.Body as Buffer), md5(whole.subarray(start, end + 1)), `range ${start}-${end}`);
    }
  }

  test('SSE-COS: initiated with AES256, the parts are encrypted, the object reads back across parts', async () => {
    const done = await upload('mp/cos.bin', { ServerSideEncryption: 'AES256' }, {});
    assert.equal(done.headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal(done.headers['x-cos-hash-crc64ecma'], crc64(whole));
    for (const p of parts) assert.equal(await onDisk(h.dataDir, p), false);
    const got = await h.cos.getObject(at('mp/cos.bin'));
    assert.equal(md5(got.Body as Buffer), md5(whole));
    assert.equal(got.headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal(got.headers['x-cos-hash-crc64ecma'], crc64(whole));
    await rangesAcrossParts('mp/cos.bin');
  });

  test('SSE-C: every part needs the upload key; the object needs it to be read', async () => {
    const c = customer();
    const { UploadId } = await h.cos.multipartInit({ ...at('mp/c.bin'), ...c } as COS.MultipartInitParams);
    await sdkRejects(h.cos.multipartUpload({ ...at('mp/c.bin'), UploadId, PartNumber: 1, Body: parts[0] }), 400, 'InvalidRequest');
    await sdkRejects(h.cos.multipartUpload({ ...at('mp/c.bin'), UploadId, PartNumber: 1, Body: parts[0], ...customer() } as COS.MultipartUploadParams), 403, 'AccessDenied');
    await h.cos.multipartAbort({ ...at('mp/c.bin'), UploadId });

    const done = await upload('mp/c.bin', c, c);
    assert.equal(done.headers['x-cos-server-side-encryption-customer-algorithm'], 'AES256');
    for (const p of parts) assert.equal(await onDisk(h.dataDir, p), false);
    await sdkRejects(h.cos.getObject(at('mp/c.bin')), 400, 'InvalidRequest');
    await sdkRejects(h.cos.getObject({ ...at('mp/c.bin'), ...customer() } as COS.GetObjectParams), 403, 'AccessDenied');
    const got = await h.cos.getObject({ ...at('mp/c.bin'), ...c } as COS.GetObjectParams);
    assert.equal(md5(got.Body as Buffer), md5(whole));
    assert.equal(got.headers['x-cos-server-side-encryption-customer-key-md5'], c.SSECustomerKeyMD5);
    await rangesAcrossParts('mp/c.bin', c);
  });

  test('C246 Upload Part - Copy from an SSE-C source into an SSE-COS upload', async () => {
    const c = customer();
    const data = plaintext(MiB + 100);
    await h.cos.putObject({ ...at('mp/src-c'), Body: data, ...c } as COS.PutObjectParams);
    const { UploadId } = await h.cos.multipartInit({ ...at('mp/copied'), ServerSideEncryption: 'AES256' });
    await sdkRejects(h.cos.uploadPartCopy({ ...at('mp/copied'), UploadId, PartNumber: 1, CopySource: source('mp/src-c') }), 400, 'InvalidRequest');
    const copied = await h.cos.uploadPartCopy({ ...at('mp/copied'), UploadId, PartNumber: 1, CopySource: source('mp/src-c'), ...copySourceCustomer(c) } as COS.UploadPartCopyParams);
    assert.equal(copied.headers['x-cos-server-side-encryption'], 'AES256');
    const tail = await h.cos.multipartUpload({ ...at('mp/copied'), UploadId, PartNumber: 2, Body: 'tail' });
    await h.cos.multipartComplete({ ...at('mp/copied'), UploadId, Parts: [{ PartNumber: 1, ETag: copied.ETag }, { PartNumber: 2, ETag: tail.ETag }] });
    const got = await h.cos.getObject(at('mp/copied'));
    assert.equal(md5(got.Body as Buffer), md5(Buffer.concat([data, Buffer.from('tail')])));
    assert.equal(got.headers['x-cos-server-side-encryption'], 'AES256');
  });
});

describe('copy', () => {
  test('C227 C228 plain to SSE-COS, SSE-COS to SSE-C, SSE-C back to SSE-COS: only the plain source held plaintext at rest', async () => {
    const data = plaintext(70_000);
    await h.cos.putObject({ ...at('cp/plain'), Body: data });

    const toCos = await h.cos.putObjectCopy({ ...at('cp/cos'), CopySource: source('cp/plain'), ServerSideEncryption: 'AES256' });
    assert.equal(toCos.headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal(toCos.ETag, `"${md5(data)}"`);
    assert.equal((await readsBack('cp/cos', data))['x-cos-server-side-encryption'], 'AES256');

    const c = customer();
    const toC = await h.cos.putObjectCopy({ ...at('cp/c'), CopySource: source('cp/cos'), ...c } as COS.PutObjectCopyParams);
    assert.equal(toC.headers['x-cos-server-side-encryption-customer-key-md5'], c.SSECustomerKeyMD5);
    assert.equal(toC.headers['x-cos-server-side-encryption'], undefined);
    await readsBack('cp/c', data, c);
    await sdkRejects(h.cos.getObject(at('cp/c')), 400, 'InvalidRequest');

    // An SSE-C source needs its key as copy-source headers.
    await sdkRejects(h.cos.putObjectCopy({ ...at('cp/back'), CopySource: source('cp/c'), ServerSideEncryption: 'AES256' }), 400, 'InvalidRequest');
    await sdkRejects(
      h.cos.putObjectCopy({ ...at('cp/back'), CopySource: source('cp/c'), ServerSideEncryption: 'AES256', ...copySourceCustomer(customer()) } as COS.PutObjectCopyParams),
      403,
      'AccessDenied',
    );
    const back = await h.cos.putObjectCopy({ ...at('cp/back'), CopySource: source('cp/c'), ServerSideEncryption: 'AES256', ...copySourceCustomer(c) } as COS.PutObjectCopyParams);
    assert.equal(back.headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal((await readsBack('cp/back', data))['x-cos-server-side-encryption'], 'AES256');

    // Only the first object was ever stored in the clear.
    await h.cos.deleteObject(at('cp/plain'));
    assert.equal(await onDisk(h.dataDir, data), false);
  });

  test('without destination headers a copy keeps the source encryption (SSE-C under the source key)', async () => {
    const data = plaintext(10_000);
    await h.cos.putObject({ ...at('keep/cos'), Body: data, ServerSideEncryption: 'AES256' });
    const kept = await h.cos.putObjectCopy({ ...at('keep/cos2'), CopySource: source('keep/cos') });
    assert.equal(kept.headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal((await readsBack('keep/cos2', data))['x-cos-server-side-encryption'], 'AES256');

    const c = customer();
    await h.cos.putObject({ ...at('keep/c'), Body: data, ...c } as COS.PutObjectParams);
    await h.cos.putObjectCopy({ ...at('keep/c2'), CopySource: source('keep/c'), ...copySourceCustomer(c) } as COS.PutObjectCopyParams);
    await sdkRejects(h.cos.getObject(at('keep/c2')), 400, 'InvalidRequest');
    await readsBack('keep/c2', data, c);
    assert.equal(await onDisk(h.dataDir, data), false);
  });

  test('C226 a copy onto itself may change only its encryption', async () => {
    const data = plaintext(5000);
    await h.cos.putObject({ ...at('self'), Body: data });
    await sdkRejects(h.cos.putObjectCopy({ ...at('self'), CopySource: source('self') }), 400, 'InvalidRequest');
    const res = await h.cos.putObjectCopy({ ...at('self'), CopySource: source('self'), ServerSideEncryption: 'AES256' });
    assert.equal(res.headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal((await readsBack('self', data))['x-cos-server-side-encryption'], 'AES256');
  });
});

describe('restart', () => {
  const clientOf = (server: RunningServer) =>
    new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${server.port}` } as COS.COSOptions);
  const start = (dataDir: string, sseMasterKey?: string) =>
    startServer({ dataDir, port: 0, credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY, appid: APPID, uin: UIN }, logLevel: 'silent', sseMasterKey });

  test('the generated master key is kept in <data>/sse.key (0600) and a restarted server decrypts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-sse-'));
    try {
      const bucket = bucketName('restart');
      const data = plaintext(50_000);
      const c = customer();
      let server = await start(dataDir);
      let cos = clientOf(server);
      await cos.putBucket({ Bucket: bucket, Region: REGION });
      await cos.putObject({ Bucket: bucket, Region: REGION, Key: 'cos', Body: data, ServerSideEncryption: 'AES256' });
      await cos.putObject({ Bucket: bucket, Region: REGION, Key: 'c', Body: data, ...c } as COS.PutObjectParams);
      await server.close();
      const keyFile = join(dataDir, 'sse.key');
      assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
      assert.equal(Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64').length, 32);

      server = await start(dataDir);
      cos = clientOf(server);
      const got = await cos.getObject({ Bucket: bucket, Region: REGION, Key: 'cos', Range: 'bytes=100-40099' });
      assert.deepEqual(got.Body, data.subarray(100, 40_100));
      const gotC = await cos.getObject({ Bucket: bucket, Region: REGION, Key: 'c', ...c } as COS.GetObjectParams);
      assert.equal(md5(gotC.Body as Buffer), md5(data));
      await server.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a configured master key is used instead; another key cannot open the objects; a malformed one is refused', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-sse-'));
    try {
      const bucket = bucketName('keyed');
      const masterKey = randomBytes(32).toString('base64');
      const data = plaintext(3000);
      let server = await start(dataDir, masterKey);
      await clientOf(server).putBucket({ Bucket: bucket, Region: REGION });
      await clientOf(server).putObject({ Bucket: bucket, Region: REGION, Key: 'k', Body: data, ServerSideEncryption: 'AES256' });
      await server.close();
      await assert.rejects(stat(join(dataDir, 'sse.key')), /ENOENT/, 'nothing written when the key is configured');

      server = await start(dataDir, masterKey);
      assert.equal(md5((await clientOf(server).getObject({ Bucket: bucket, Region: REGION, Key: 'k' })).Body as Buffer), md5(data));
      await server.close();

      server = await start(dataDir, randomBytes(32).toString('base64'));
      await sdkRejects(clientOf(server).getObject({ Bucket: bucket, Region: REGION, Key: 'k' }), 500, 'InternalError');
      await server.close();

      await assert.rejects(start(dataDir, randomBytes(16).toString('base64')), /32 bytes/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
