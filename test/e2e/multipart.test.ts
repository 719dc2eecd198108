/**
 * Multipart upload, Upload Part - Copy and Append Object, end to end with the official SDK
 * (issue: multipart; FEATURES §1.10.14, §1.11.11-1.11.16, §1.15.1).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { crc64 } from '@cosbox/protocol';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';
import { assertCosError, md5Base64, sendToBucket } from './raw.js';

const MiB = 1024 * 1024;
let h: Harness;
let cos: COS;
let workDir: string;
const Bucket = bucketName('mp');

before(async () => {
  h = await startHarness();
  workDir = await mkdtemp(join(tmpdir(), 'cosbox-mp-'));
  // The SDK remembers upload ids in a settings file: keep it in the test's directory.
  cos = h.client({ ConfCwd: workDir } as Partial<COS.COSOptions>);
  await cos.putBucket({ Bucket, Region: REGION });
});
after(async () => {
  await h.close();
  await rm(workDir, { recursive: true, force: true });
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const errorCode = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'no error';
  } catch (e) {
    const err = e as { code?: string; statusCode?: number };
    return `${err.statusCode} ${err.code}`;
  }
};

/** The multipart ETag: md5 of the concatenated binary part MD5s, dash, count. */
function multipartEtag(parts: Buffer[]): string {
  const h = createHash('md5');
  for (const p of parts) h.update(createHash('md5').update(p).digest());
  return `"${h.digest('hex')}-${parts.length}"`;
}

async function writeFile(path: string, size: number): Promise<Buffer> {
  const data = randomBytes(size);
  await new Promise<void>((ok, fail) => createWriteStream(path).on('error', fail).end(data, ok));
  return data;
}

describe('low-level multipart with the official SDK', () => {
  test('C238-C251 init, upload out of order, re-upload, list parts, complete, read across parts', async () => {
    const Key = 'mp/low-level.bin';
    const init = await cos.multipartInit({ Bucket, Region: REGION, Key, ContentType: 'application/x-test', Headers: { 'x-cos-meta-origin': 'mp' } } as COS.MultipartInitParams);
    assert.match(init.UploadId, /^\d{10}[0-9a-f]{64}$/, 'C201 upload id format');
    const parts = [randomBytes(MiB + 3), randomBytes(MiB), randomBytes(1000)];
    const UploadId = init.UploadId;
    for (const n of [3, 1, 2]) {
      const res = await cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: n, Body: parts[n - 1] });
      assert.equal(res.ETag, `"${md5(parts[n - 1])}"`);
    }
    // Re-uploading a part number replaces the part (C241).
    parts[0] = randomBytes(MiB + 5);
    await cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 1, Body: parts[0] });

    const listed = await cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId });
    assert.deepEqual(listed.Part.map((p) => [p.PartNumber, p.ETag, p.Size]), parts.map((p, i) => [String(i + 1), `"${md5(p)}"`, String(p.length)]));
    assert.equal(listed.Initiator.ID, 'qcs::cam::uin/100000000001:uin/100000000001');
    const page = await cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId, MaxParts: 2 } as COS.MultipartListPartParams);
    assert.deepEqual([page.Part.length, page.IsTruncated, page.NextPartNumberMarker], [2, 'true', '2']);
    const rest = await cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId, PartNumberMarker: '2' } as COS.MultipartListPartParams);
    assert.deepEqual(rest.Part.map((p) => p.PartNumber), ['3']);

    const done = await cos.multipartComplete({
      Bucket,
      Region: REGION,
      Key,
      UploadId,
      Parts: parts.map((p, i) => ({ PartNumber: i + 1, ETag: md5(p) })),
    });
    const whole = Buffer.concat(parts);
    assert.equal(done.ETag, multipartEtag(parts));
    assert.equal(done.Location, `${Bucket}.cos.${REGION}.myqcloud.com/${Key}`);
    assert.equal(done.headers['x-cos-hash-crc64ecma'], crc64(whole), 'CRC-64 combined from the parts');

    const got = await cos.getObject({ Bucket, Region: REGION, Key });
    assert.equal(md5(got.Body as Buffer), md5(whole));
    assert.equal(got.headers['content-type'], 'application/x-test');
    assert.equal(got.headers['x-cos-meta-origin'], 'mp');
    assert.equal(got.headers['x-cos-hash-crc64ecma'], crc64(whole));
    const ranged = await cos.getObject({ Bucket, Region: REGION, Key, Range: `bytes=${MiB}-${MiB + 10}` });
    assert.deepEqual(ranged.Body, whole.subarray(MiB, MiB + 11), 'a range across a part boundary');
    assert.equal(ranged.statusCode, 206);

    // The upload is gone once complete (C242).
    assert.equal(await errorCode(cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 1, Body: 'x' })), '404 NoSuchUpload');
    assert.equal(await errorCode(cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId })), '404 NoSuchUpload');
  });

  test('C252-C256 Complete errors: order, gaps, missing part, wrong ETag, small part, unknown upload', async () => {
    const Key = 'mp/errors.bin';
    const { UploadId } = await cos.multipartInit({ Bucket, Region: REGION, Key });
    const small = randomBytes(1000);
    const big = randomBytes(MiB);
    await cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 1, Body: small });
    await cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 2, Body: big });
    await cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 3, Body: big });
    const complete = (Parts: Array<{ PartNumber: number; ETag: string }>) => errorCode(cos.multipartComplete({ Bucket, Region: REGION, Key, UploadId, Parts }));
    assert.equal(await complete([{ PartNumber: 2, ETag: md5(big) }, { PartNumber: 1, ETag: md5(small) }]), '400 InvalidPartOrder');
    assert.equal(await complete([{ PartNumber: 2, ETag: md5(big) }, { PartNumber: 2, ETag: md5(big) }]), '400 InvalidPartOrder');
    assert.equal(await complete([{ PartNumber: 2, ETag: md5(big) }, { PartNumber: 4, ETag: md5(big) }]), '400 InvalidPart');
    assert.equal(await complete([{ PartNumber: 2, ETag: md5(small) }]), '400 InvalidPart');
    assert.equal(await complete([{ PartNumber: 1, ETag: md5(small) }, { PartNumber: 2, ETag: md5(big) }]), '400 EntityTooSmall');
    assert.equal(await errorCode(cos.multipartComplete({ Bucket, Region: REGION, Key, UploadId: '1700000000' + 'f'.repeat(64), Parts: [{ PartNumber: 1, ETag: md5(small) }] })), '404 NoSuchUpload');
    // A failed Complete changes nothing: the upload is still there and completes.
    const ok = await cos.multipartComplete({ Bucket, Region: REGION, Key, UploadId, Parts: [{ PartNumber: 2, ETag: md5(big) }, { PartNumber: 3, ETag: md5(big) }] });
    assert.equal(ok.ETag, multipartEtag([big, big]));
    assert.equal(await errorCode(cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 1, Body: 'x' })), '404 NoSuchUpload');
  });

  test('Complete body errors and Upload Part digest errors', async () => {
    const Key = 'mp/body-errors.bin';
    const { UploadId } = await cos.multipartInit({ Bucket, Region: REGION, Key });
    const part = randomBytes(1000);
    await cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 1, Body: part });
    const complete = (body: string) =>
      sendToBucket(h, Bucket, { method: 'POST', path: `/${Key}?uploadId=${UploadId}`, headers: { 'content-type': 'application/xml' }, body });
    assertCosError(await complete('<CompleteMultipartUpload><Part>'), 400, 'MalformedXML');
    assertCosError(await complete('<CompleteMultipartUpload></CompleteMultipartUpload>'), 400, 'MalformedXML');
    assertCosError(await complete('<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>'), 400, 'MalformedXML');
    const wrongMd5 = cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 2, Body: 'abc', Headers: { 'Content-MD5': md5Base64('abd') } } as COS.MultipartUploadParams);
    assert.equal(await errorCode(wrongMd5), '400 BadDigest');
    const listed = await cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId });
    assert.deepEqual(listed.Part.map((p) => p.PartNumber), ['1'], 'the bad part was not stored');
    const done = await complete(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"${md5(part)}"</ETag></Part></CompleteMultipartUpload>`);
    assert.equal(done.status, 200);
    assert.match(done.text, /<CompleteMultipartUploadResult><Location>/);
  });

  test('concurrent Complete, Abort and Upload Part on one upload end in one consistent state', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const Key = `mp/race/${round}`;
      const { UploadId } = await cos.multipartInit({ Bucket, Region: REGION, Key });
      const parts = [randomBytes(MiB), randomBytes(500)];
      for (const [i, p] of parts.entries()) await cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: i + 1, Body: p });
      const [completed, aborted, uploaded] = await Promise.all([
        errorCode(cos.multipartComplete({ Bucket, Region: REGION, Key, UploadId, Parts: parts.map((p, i) => ({ PartNumber: i + 1, ETag: md5(p) })) })),
        errorCode(cos.multipartAbort({ Bucket, Region: REGION, Key, UploadId })),
        errorCode(cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 3, Body: randomBytes(100) })),
      ]);
      outcomes.add(`complete:${completed} abort:${aborted}`);
      assert.ok(['no error', '404 NoSuchUpload'].includes(uploaded), uploaded);
      assert.notEqual(completed === 'no error', aborted === 'no error', 'exactly one of Complete and Abort wins');
      assert.equal(await errorCode(cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId })), '404 NoSuchUpload');
      if (completed === 'no error') {
        const got = await cos.getObject({ Bucket, Region: REGION, Key });
        assert.equal(md5(got.Body as Buffer), md5(Buffer.concat(parts)), 'the object is exactly the listed parts');
      } else {
        assert.equal(await errorCode(cos.headObject({ Bucket, Region: REGION, Key })), '404 404', 'no half-assembled object');
      }
    }
    assert.ok(outcomes.size >= 1);
  });

  test('C259 abort deletes the parts; unknown upload is NoSuchUpload; part number range', async () => {
    const Key = 'mp/abort.bin';
    const { UploadId } = await cos.multipartInit({ Bucket, Region: REGION, Key });
    await cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 1, Body: randomBytes(100) });
    assert.equal(await errorCode(cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 10001, Body: 'x' })), '400 InvalidArgument');
    const aborted = await cos.multipartAbort({ Bucket, Region: REGION, Key, UploadId });
    assert.ok(aborted.statusCode === 204 || aborted.statusCode === 200);
    assert.equal(await errorCode(cos.multipartAbort({ Bucket, Region: REGION, Key, UploadId })), '404 NoSuchUpload');
    assert.equal(await errorCode(cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId })), '404 NoSuchUpload');
    assert.equal(await errorCode(cos.headObject({ Bucket, Region: REGION, Key })), '404 404', 'an incomplete upload is never an object');
  });

  test('C198-C200 multipartList: prefix, delimiter, markers, paging; uploads block DELETE Bucket', async () => {
    const B = bucketName('mpl');
    await cos.putBucket({ Bucket: B, Region: REGION });
    const ids: Record<string, string> = {};
    for (const key of ['a/1', 'a/2', 'b', 'b', 'c']) {
      const { UploadId } = await cos.multipartInit({ Bucket: B, Region: REGION, Key: key });
      ids[`${key}#${Object.keys(ids).filter((k) => k.startsWith(key + '#')).length}`] = UploadId;
    }
    const all = await cos.multipartList({ Bucket: B, Region: REGION });
    assert.deepEqual(all.Upload.map((u) => u.Key), ['a/1', 'a/2', 'b', 'b', 'c']);
    assert.deepEqual(all.Upload.slice(2, 4).map((u) => u.UploadId), [ids['b#0'], ids['b#1']], 'same key: initiation order');
    assert.equal(all.Upload[0].StorageClass, 'STANDARD');
    const grouped = await cos.multipartList({ Bucket: B, Region: REGION, Delimiter: '/' });
    assert.deepEqual(grouped.Upload.map((u) => u.Key), ['b', 'b', 'c']);
    const prefixes = (grouped as unknown as { CommonPrefixs: { Prefix: string } | Array<{ Prefix: string }> }).CommonPrefixs;
    assert.deepEqual([prefixes].flat().map((p) => p.Prefix), ['a/']);
    assert.deepEqual((await cos.multipartList({ Bucket: B, Region: REGION, Prefix: 'a/' })).Upload.map((u) => u.Key), ['a/1', 'a/2']);
    const afterB0 = await cos.multipartList({ Bucket: B, Region: REGION, KeyMarker: 'b', UploadIdMarker: ids['b#0'] } as COS.MultipartListParams);
    assert.deepEqual(afterB0.Upload.map((u) => u.UploadId), [ids['b#1'], ids['c#0']]);
    const page = await cos.multipartList({ Bucket: B, Region: REGION, MaxUploads: 3 } as COS.MultipartListParams);
    assert.deepEqual([page.IsTruncated, page.NextKeyMarker, page.NextUploadIdMarker], ['true', 'b', ids['b#0']]);

    assert.equal(await errorCode(cos.deleteBucket({ Bucket: B, Region: REGION })), '409 BucketNotEmpty');
    for (const [name, UploadId] of Object.entries(ids)) await cos.multipartAbort({ Bucket: B, Region: REGION, Key: name.split('#')[0], UploadId });
    await cos.deleteBucket({ Bucket: B, Region: REGION });
  });

  test('C244-C246 uploadPartCopy: ranges, conditions, CopyPartResult', async () => {
    const source = randomBytes(3 * MiB);
    await cos.putObject({ Bucket, Region: REGION, Key: 'mp/copy-source', Body: source });
    const CopySource = `${Bucket}.cos.${REGION}.myqcloud.com/mp/copy-source`;
    const Key = 'mp/copied.bin';
    const { UploadId } = await cos.multipartInit({ Bucket, Region: REGION, Key });
    const first = await cos.uploadPartCopy({ Bucket, Region: REGION, Key, UploadId, PartNumber: 1, CopySource, CopySourceRange: `bytes=0-${2 * MiB - 1}` } as COS.UploadPartCopyParams);
    assert.equal(first.ETag, `"${md5(source.subarray(0, 2 * MiB))}"`);
    assert.ok(first.LastModified);
    await cos.uploadPartCopy({ Bucket, Region: REGION, Key, UploadId, PartNumber: 2, CopySource, CopySourceRange: `bytes=${2 * MiB}-${3 * MiB - 1}` } as COS.UploadPartCopyParams);
    const code = (headers: Record<string, string>, range = 'bytes=0-9') =>
      errorCode(cos.uploadPartCopy({ Bucket, Region: REGION, Key, UploadId, PartNumber: 3, CopySource, CopySourceRange: range, Headers: headers } as COS.UploadPartCopyParams));
    assert.equal(await code({ 'x-cos-copy-source-If-Match': '"nope"' }), '412 PreconditionFailed');
    assert.equal(await code({ 'x-cos-copy-source-If-None-Match': `"${md5(source)}"` }), '412 PreconditionFailed');
    assert.equal(await code({}, `bytes=0-${3 * MiB}`), '416 InvalidRange');
    assert.equal(await code({}, 'bytes=9-1'), '400 InvalidArgument');
    await cos.multipartComplete({ Bucket, Region: REGION, Key, UploadId, Parts: [{ PartNumber: 1, ETag: first.ETag }, { PartNumber: 2, ETag: md5(source.subarray(2 * MiB)) }] });
    const got = await cos.getObject({ Bucket, Region: REGION, Key });
    assert.equal(md5(got.Body as Buffer), md5(source));
  });
});

describe('advanced uploads with the official SDK', () => {
  test('uploadFile and sliceUploadFile of a 100 MB file; sliceCopyFile of the multipart object', async () => {
    const path = join(workDir, 'hundred.bin');
    const data = await writeFile(path, 100 * 1000 * 1000);
    const sliced = await cos.sliceUploadFile({ Bucket, Region: REGION, Key: 'adv/slice.bin', FilePath: path, ChunkSize: 8 * MiB } as COS.SliceUploadFileParams);
    assert.match(sliced.ETag, /-12"$/, '100,000,000 bytes in 8 MiB parts');
    const viaUploadFile = await cos.uploadFile({ Bucket, Region: REGION, Key: 'adv/upload-file.bin', FilePath: path, SliceSize: MiB });
    assert.match(viaUploadFile.ETag, /-\d+"$/, 'above SliceSize uploadFile goes multipart');
    for (const Key of ['adv/slice.bin', 'adv/upload-file.bin']) {
      const head = await cos.headObject({ Bucket, Region: REGION, Key });
      assert.equal(head.headers['content-length'], String(data.length));
      assert.equal(head.headers['x-cos-hash-crc64ecma'], crc64(data));
    }
    const copied = await cos.sliceCopyFile({
      Bucket,
      Region: REGION,
      Key: 'adv/slice-copy.bin',
      CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/adv/slice.bin`,
      CopySliceSize: 10 * MiB,
      CopyChunkSize: 16 * MiB,
    } as COS.SliceCopyFileParams);
    assert.match(copied.ETag, /-6"$/, "100,000,000 bytes in 16 MiB copy chunks");
    const got = await cos.getObject({ Bucket, Region: REGION, Key: 'adv/slice-copy.bin' });
    assert.equal(md5(got.Body as Buffer), md5(data));
  });

  test('resume: an interrupted sliceUploadFile restarts with the existing upload and sends only the missing parts', async () => {
    const path = join(workDir, 'resume.bin');
    const data = await writeFile(path, 24 * MiB);
    const Key = 'adv/resume.bin';
    const ChunkSize = MiB;
    const partsSent = (client: COS) => {
      const sent: number[] = [];
      client.on('before-send', (opt: { method: string; qs?: Record<string, string> }) => {
        if (opt.method === 'PUT' && opt.qs?.partNumber) sent.push(Number(opt.qs.partNumber));
      });
      return sent;
    };

    // First run, in a client process that is killed once a few parts have landed.
    const child = spawn(process.execPath, [new URL('./fixtures/slice-upload.mjs', import.meta.url).pathname], {
      env: { ...process.env, PORT: String(h.port), SECRET_ID, SECRET_KEY, BUCKET: Bucket, REGION, KEY: Key, FILE: path, CONF: join(workDir, 'child-conf') },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.once('exit', r));
    let landedNumbers: number[] = [];
    for (let i = 0; i < 2000 && landedNumbers.length < 6; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const { Upload } = await cos.multipartList({ Bucket, Region: REGION, Prefix: Key });
      if (Upload.length === 0) continue;
      const listed = await cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId: Upload[0].UploadId });
      landedNumbers = listed.Part.map((p) => Number(p.PartNumber));
    }
    child.kill('SIGKILL');
    await exited;
    const { Upload } = await cos.multipartList({ Bucket, Region: REGION, Prefix: Key });
    assert.equal(Upload.length, 1, 'one upload in progress');
    // A part whose bytes all arrived before the kill still commits just after it: wait until the
    // list of parts stops changing before taking it as what landed.
    const landed = async () => (await cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId: Upload[0].UploadId })).Part.map((p) => Number(p.PartNumber));
    for (let previous = ''; ; ) {
      await new Promise((r) => setTimeout(r, 200));
      landedNumbers = await landed();
      if (landedNumbers.join() === previous) break;
      previous = landedNumbers.join();
    }
    assert.ok(landedNumbers.length >= 6 && landedNumbers.length < 24, `some parts landed: ${landedNumbers.length}`);

    // Second run, a fresh client (as after a restart): it finds the upload and sends only what is missing.
    const secondClient = h.client({ ConfCwd: join(workDir, 'fresh-conf') } as Partial<COS.COSOptions>);
    const secondSent = partsSent(secondClient);
    const done = await secondClient.sliceUploadFile({ Bucket, Region: REGION, Key, FilePath: path, ChunkSize } as COS.SliceUploadFileParams);
    assert.match(done.ETag, /-24"$/);
    assert.deepEqual(
      [...secondSent].sort((a, b) => a - b),
      Array.from({ length: 24 }, (_, i) => i + 1).filter((n) => !landedNumbers.includes(n)),
      'only the missing parts are sent again',
    );
    const got = await cos.getObject({ Bucket, Region: REGION, Key });
    assert.equal(md5(got.Body as Buffer), md5(data));
    assert.equal((await cos.multipartList({ Bucket, Region: REGION, Prefix: Key })).Upload.length, 0);
  });
});

describe('append object with the official SDK', () => {
  test('C301-C304 appendObject creates an appendable object and grows it; errors', async () => {
    const Key = 'append/log.txt';
    const a = Buffer.from('first line\n');
    const first = await cos.appendObject({ Bucket, Region: REGION, Key, Position: 0, Body: a, ContentType: 'text/plain' } as COS.AppendObjectParams);
    assert.equal(first.headers['x-cos-next-append-position'], String(a.length));
    const b = Buffer.from('second line\n');
    const second = await cos.appendObject({ Bucket, Region: REGION, Key, Position: a.length, Body: b } as COS.AppendObjectParams);
    assert.equal(second.headers['x-cos-next-append-position'], String(a.length + b.length));
    const head = await cos.headObject({ Bucket, Region: REGION, Key });
    assert.equal(head.headers['x-cos-object-type'], 'appendable');
    assert.equal(head.headers['content-type'], 'text/plain');
    assert.equal(head.headers['x-cos-hash-crc64ecma'], crc64(Buffer.concat([a, b])));
    const got = await cos.getObject({ Bucket, Region: REGION, Key });
    assert.equal((got.Body as Buffer).toString(), 'first line\nsecond line\n');

    const wrong = await errorCode(cos.appendObject({ Bucket, Region: REGION, Key, Position: 3, Body: 'x' } as COS.AppendObjectParams));
    assert.equal(wrong, '409 PositionNotEqualToLength');
    await cos.putObject({ Bucket, Region: REGION, Key: 'append/normal', Body: 'n' });
    assert.equal(await errorCode(cos.appendObject({ Bucket, Region: REGION, Key: 'append/normal', Position: 1, Body: 'x' } as COS.AppendObjectParams)), '409 ObjectNotAppendable');
    assert.equal(await errorCode(cos.appendObject({ Bucket, Region: REGION, Key: 'append/new', Position: 5, Body: 'x' } as COS.AppendObjectParams)), '409 PositionNotEqualToLength');
  });

  test('two appends at one position: exactly one wins', async () => {
    const Key = 'append/race';
    await cos.appendObject({ Bucket, Region: REGION, Key, Position: 0, Body: 'base' } as COS.AppendObjectParams);
    const results = await Promise.all(['AAAA', 'BBBB'].map((Body) => errorCode(cos.appendObject({ Bucket, Region: REGION, Key, Position: 4, Body } as COS.AppendObjectParams))));
    assert.deepEqual(results.sort(), ['409 PositionNotEqualToLength', 'no error']);
    const got = ((await cos.getObject({ Bucket, Region: REGION, Key })).Body as Buffer).toString();
    assert.ok(got === 'baseAAAA' || got === 'baseBBBB', got);
  });
});
