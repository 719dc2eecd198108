/**
 * The advanced methods of @cosbox/sdk against cosbox: uploadFile, sliceUploadFile with resumption
 * of an earlier upload (parts verified by MD5, only the missing ones sent), uploadFiles and
 * sliceCopyFile (issue 7; FEATURES §2.4).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import COS, { type COSOptions, type GetAuthorizationOptions, type ProgressInfo, type SliceUploadFileResult } from '@cosbox/sdk';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';

const MiB = 1024 * 1024;
const Bucket = bucketName('sdkadv');
let h: Harness;
let cos: COS;
let dir: string;

const client = (options: COSOptions = {}) =>
  new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${h.port}`, ...options });

/**
 * A client that signs through a getAuthorization callback, so it sees every request it sends:
 * `requests` records their method and query, `beforeSign` may act on them.
 */
function recordingClient(beforeSign: (o: GetAuthorizationOptions) => void = () => {}): { cos: COS; requests: { method: string; query: Record<string, string> }[] } {
  const requests: { method: string; query: Record<string, string> }[] = [];
  const recording = client({
    SecretId: '',
    SecretKey: '',
    getAuthorization: (o, callback) => {
      requests.push({ method: o.Method.toUpperCase(), query: o.Query });
      beforeSign(o);
      callback(COS.getAuthorization({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Method: o.Method, Pathname: o.Pathname, Query: o.Query, Headers: o.Headers }));
    },
  });
  return { cos: recording, requests };
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
/** The ETag of a multipart object of these parts. */
function multipartEtag(parts: Buffer[]): string {
  const hash = createHash('md5');
  for (const part of parts) hash.update(createHash('md5').update(part).digest());
  return `"${hash.digest('hex')}-${parts.length}"`;
}
const slices = (data: Buffer, size: number) => Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));

async function file(name: string, data: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
}

before(async () => {
  h = await startHarness();
  cos = client();
  dir = await mkdtemp(join(tmpdir(), 'cosbox-sdk-adv-'));
  await cos.putBucket({ Bucket, Region: REGION });
});
after(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

describe('uploadFile', () => {
  test('a small file goes in one putObject, with the Content-Type of its extension', async () => {
    const data = randomBytes(1000);
    const finished: unknown[] = [];
    let taskId = '';
    const result = await cos.uploadFile({
      Bucket,
      Region: REGION,
      Key: 'up/small.txt',
      FilePath: await file('small.txt', data),
      onTaskReady: (id) => (taskId = id),
      onFileFinish: (err, d, options) => finished.push({ err, etag: d?.ETag, key: options.Key, taskId: options.TaskId }),
    });
    assert.match(taskId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(result.ETag, `"${md5(data)}"`);
    assert.equal(result.Location, `${Bucket}.cos.${REGION}.myqcloud.com/up/small.txt`);
    assert.deepEqual(finished, [{ err: null, etag: `"${md5(data)}"`, key: 'up/small.txt', taskId }]);
    const head = await cos.headObject({ Bucket, Region: REGION, Key: 'up/small.txt' });
    assert.equal(head.headers?.['content-type'], 'text/plain');
  });
  test('a large file goes in parts of SliceSize; onProgress ends at 100 %', async () => {
    const data = randomBytes(3 * MiB + 5);
    const progress: ProgressInfo[] = [];
    const result = (await cos.uploadFile({
      Bucket,
      Region: REGION,
      Key: 'up/large.bin',
      FilePath: await file('large.bin', data),
      ContentType: 'application/x-large',
      'x-cos-meta-size': 'large',
      onProgress: (p) => progress.push(p),
    })) as SliceUploadFileResult;
    assert.equal(result.ETag, multipartEtag(slices(data, MiB)));
    assert.match(result.UploadId, /.+/);
    assert.deepEqual({ ...progress.at(-1)!, speed: 0 }, { loaded: data.length, total: data.length, speed: 0, percent: 1 });
    const got = await cos.getObject({ Bucket, Region: REGION, Key: 'up/large.bin' });
    assert.ok(got.Body?.equals(data));
    assert.equal(got.headers?.['content-type'], 'application/x-large');
    assert.equal(got.headers?.['x-cos-meta-size'], 'large');
  });
  test('a missing file fails with ENOENT, reported to onFileFinish too', async () => {
    let reported = '';
    await assert.rejects(
      cos.uploadFile({ Bucket, Region: REGION, Key: 'up/none', FilePath: join(dir, 'none'), onFileFinish: (err) => (reported = err?.code ?? '') }),
      { code: 'ENOENT' },
    );
    assert.equal(reported, 'ENOENT');
  });
});

describe('sliceUploadFile', () => {
  const data = randomBytes(4 * MiB + 100);
  const parts = slices(data, MiB);
  let path = '';
  before(async () => {
    path = await file('resume.bin', data);
  });

  test('resumes an upload whose parts match the file, sending only the missing parts', async () => {
    const Key = 'slice/resume.bin';
    const { UploadId } = await cos.multipartInit({ Bucket, Region: REGION, Key });
    for (const n of [1, 3]) await cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: n, Body: parts[n - 1] });

    const { cos: recording, requests } = recordingClient();
    const progress: ProgressInfo[] = [];
    const hashed: ProgressInfo[] = [];
    const result = (await recording.sliceUploadFile({
      Bucket,
      Region: REGION,
      Key,
      FilePath: path,
      onProgress: (p) => progress.push(p),
      onHashProgress: (p) => hashed.push(p),
    })) as SliceUploadFileResult;
    assert.equal(result.UploadId, UploadId);
    assert.equal(result.ETag, multipartEtag(parts));
    const sentParts = requests.filter((r) => r.method === 'PUT').map((r) => Number(r.query.partNumber)).sort();
    assert.deepEqual(sentParts, [2, 4, 5]);
    assert.equal(progress[0].loaded, 2 * MiB, 'the parts already there count from the start');
    assert.equal(hashed.at(-1)?.loaded, 2 * MiB, 'only the parts on the server were hashed to check them');
    assert.ok((await cos.getObject({ Bucket, Region: REGION, Key })).Body?.equals(data));
  });
  test('an upload whose parts differ from the file is left alone and a new one started', async () => {
    const Key = 'slice/other.bin';
    const { UploadId: stale } = await cos.multipartInit({ Bucket, Region: REGION, Key });
    await cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId: stale, PartNumber: 1, Body: randomBytes(MiB) });
    const result = (await cos.sliceUploadFile({ Bucket, Region: REGION, Key, FilePath: path })) as SliceUploadFileResult;
    assert.notEqual(result.UploadId, stale);
    assert.equal(result.ETag, multipartEtag(parts));
    const open = await cos.multipartList({ Bucket, Region: REGION, Prefix: Key });
    assert.deepEqual(open.Upload.map((u) => u.UploadId), [stale]);
    await cos.multipartAbort({ Bucket, Region: REGION, Key, UploadId: stale });
  });
  test('aborted midway, it resumes where it stopped', async () => {
    const Key = 'slice/aborted.bin';
    const controller = new AbortController();
    // Aborted as the third part is about to be signed, one part at a time.
    let partsSigned = 0;
    const { cos: aborting } = recordingClient((o) => o.Query.partNumber && ++partsSigned === 3 && controller.abort());
    let err: { code?: string; UploadId?: string } = {};
    try {
      await aborting.sliceUploadFile({ Bucket, Region: REGION, Key, FilePath: path, AsyncLimit: 1, Signal: controller.signal });
    } catch (e) {
      err = e as typeof err;
    }
    assert.equal(err.code, 'AbortError');
    assert.match(err.UploadId ?? '', /.+/);
    const { cos: recording, requests } = recordingClient();
    const result = (await recording.sliceUploadFile({ Bucket, Region: REGION, Key, FilePath: path })) as SliceUploadFileResult;
    assert.equal(result.UploadId, err.UploadId);
    assert.deepEqual(requests.filter((r) => r.method === 'PUT').map((r) => Number(r.query.partNumber)).sort(), [3, 4, 5]);
    assert.ok((await cos.getObject({ Bucket, Region: REGION, Key })).Body?.equals(data));
  });
  test('ChunkSize sets the part size, grown to stay within MaxPartNumber', async () => {
    const result = await client({ MaxPartNumber: 1024 }).sliceUploadFile({ Bucket, Region: REGION, Key: 'slice/2mib.bin', FilePath: path, ChunkSize: 2 * MiB });
    assert.equal(result.ETag, multipartEtag(slices(data, 2 * MiB)));
  });
  test('an empty file is a putObject', async () => {
    const result = await cos.sliceUploadFile({ Bucket, Region: REGION, Key: 'slice/empty', FilePath: await file('empty', Buffer.alloc(0)) });
    assert.equal(result.ETag, `"${md5(Buffer.alloc(0))}"`);
  });
});

describe('uploadFiles', () => {
  test('files by path and by Body, FileParallelLimit at a time, each reported', async () => {
    const small = randomBytes(10_000);
    const large = randomBytes(2 * MiB + 1);
    await mkdir(join(dir, 'many'), { recursive: true });
    const finished: string[] = [];
    const progress: ProgressInfo[] = [];
    const result = await client({ FileParallelLimit: 2 }).uploadFiles({
      files: [
        { Bucket, Region: REGION, Key: 'many/body.txt', Body: 'from a body' },
        { Bucket, Region: REGION, Key: 'many/small.bin', FilePath: await file('many/small.bin', small) },
        { Bucket, Region: REGION, Key: 'many/large.bin', FilePath: await file('many/large.bin', large) },
        { Bucket, Region: REGION, Key: 'many/none', FilePath: join(dir, 'many/none') },
      ],
      onProgress: (p) => progress.push(p),
      onFileFinish: (err, _data, options) => finished.push(`${options.Index} ${err ? err.code : 'ok'}`),
    });
    assert.deepEqual(finished.sort(), ['0 ok', '1 ok', '2 ok', '3 ENOENT']);
    assert.deepEqual(
      result.files.map((f) => [f.options.Key, f.error?.code ?? null, f.data?.ETag]),
      [
        ['many/body.txt', null, `"${md5(Buffer.from('from a body'))}"`],
        ['many/small.bin', null, `"${md5(small)}"`],
        ['many/large.bin', null, multipartEtag(slices(large, MiB))],
        ['many/none', 'ENOENT', undefined],
      ],
    );
    const total = 'from a body'.length + small.length + large.length;
    assert.equal(progress.at(-1)?.total, total);
    assert.equal(progress.at(-1)?.loaded, total);
  });
});

describe('sliceCopyFile', () => {
  const data = randomBytes(3 * MiB + 10);
  const source = () => `${Bucket}.cos.${REGION}.myqcloud.com/copy/source.bin`;
  before(async () => {
    await cos.putObject({ Bucket, Region: REGION, Key: 'copy/source.bin', Body: data, ContentType: 'application/x-src', 'x-cos-meta-from': 'source' });
  });

  test('a small source is one putObjectCopy', async () => {
    const result = await cos.sliceCopyFile({ Bucket, Region: REGION, Key: 'copy/small.bin', CopySource: source() });
    assert.equal(result.ETag, `"${md5(data)}"`);
  });
  test('a large source is copied in ranges, with its metadata', async () => {
    const progress: ProgressInfo[] = [];
    const { cos: recording, requests } = recordingClient();
    const result = await recording.sliceCopyFile({ Bucket, Region: REGION, Key: 'copy/parts.bin', CopySource: source(), CopySliceSize: MiB, CopyChunkSize: MiB, onProgress: (p) => progress.push(p) });
    assert.equal(result.ETag, multipartEtag(slices(data, MiB)));
    assert.equal(requests.filter((r) => r.method === 'PUT').length, 4);
    assert.deepEqual({ ...progress.at(-1)!, speed: 0 }, { loaded: data.length, total: data.length, speed: 0, percent: 1 });
    const got = await cos.getObject({ Bucket, Region: REGION, Key: 'copy/parts.bin' });
    assert.ok(got.Body?.equals(data));
    assert.equal(got.headers?.['content-type'], 'application/x-src');
    assert.equal(got.headers?.['x-cos-meta-from'], 'source');
  });
  test('MetadataDirective Replaced gives the copy the params headers', async () => {
    await cos.sliceCopyFile({
      Bucket,
      Region: REGION,
      Key: 'copy/replaced.bin',
      CopySource: source(),
      CopySliceSize: MiB,
      MetadataDirective: 'Replaced',
      ContentType: 'text/x-replaced',
      'x-cos-meta-from': 'params',
    });
    const head = await cos.headObject({ Bucket, Region: REGION, Key: 'copy/replaced.bin' });
    assert.equal(head.headers?.['content-type'], 'text/x-replaced');
    assert.equal(head.headers?.['x-cos-meta-from'], 'params');
  });
  test('a missing source', async () => {
    await assert.rejects(
      cos.sliceCopyFile({ Bucket, Region: REGION, Key: 'copy/x', CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/copy/none` }),
      { statusCode: 404, ErrorStatus: 'copy/none Not Exist' },
    );
  });
});
