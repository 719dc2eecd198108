/**
 * Behaviours of issue 17 item 3, each through both SDKs against cosbox: the task list right after
 * putObject() returns, cancelation without unhandled rejections, keys with leading slashes under
 * ObjectKeySimplifyCheck: false, getService with CreateRange/CreateTime/MaxKeys.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OfficialCOS from 'cos-nodejs-sdk-v5';
import COS from '@cosbox/sdk';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
let h: Harness;
const Bucket = bucketName('sdkround');
const options = () => ({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:' as const, Ip: `127.0.0.1:${h.port}` });
const both = (extra: Record<string, unknown> = {}): [string, Any][] => [
  ['official', new OfficialCOS({ ...options(), ...extra } as Any)],
  ['ours', new COS({ ...options(), ...extra })],
];

before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

test('right after putObject() returns, the task is listed and isUploadRunning() is 1, as in the official SDK', async () => {
  const seen: Record<string, unknown> = {};
  for (const [name, cos] of both()) {
    const done = cos.putObject({ Bucket, Region: REGION, Key: `running-${name}.txt`, Body: Buffer.from('hello') });
    const list = cos.getTaskList();
    seen[name] = { running: cos.isUploadRunning(), tasks: list.length, state: list[0]?.state, key: list[0]?.Key.replace(name, '*'), size: list[0]?.size };
    await done;
    seen[`${name} after`] = cos.isUploadRunning();
  }
  assert.deepEqual(seen.ours, seen.official);
  assert.deepEqual(seen.ours, { running: 1, tasks: 1, state: 'uploading', key: 'running-*.txt', size: 5 });
  assert.equal(seen['ours after'], seen['official after']);
  assert.equal(seen['ours after'], false);
});

test('ObjectKeySimplifyCheck: false: a key with leading slashes is written and read back under the same key by both SDKs', async () => {
  const results: Record<string, unknown> = {};
  for (const [name, cos] of both({ ObjectKeySimplifyCheck: false })) {
    const Key = `//slashes-${name}/a.txt`;
    await cos.putObject({ Bucket, Region: REGION, Key, Body: 'slashes' });
    const got = await cos.getObject({ Bucket, Region: REGION, Key });
    const listed = await cos.getBucket({ Bucket, Region: REGION, Prefix: `/slashes-${name}` });
    results[name] = { body: got.Body.toString(), keys: listed.Contents.map((c: Any) => c.Key.replace(name, '*')) };
  }
  assert.deepEqual(results.ours, results.official);
  assert.deepEqual(results.ours, { body: 'slashes', keys: ['/slashes-*/a.txt'] });
});

test('getService with CreateRange, CreateTime and MaxKeys: the same answer from both SDKs', async () => {
  const results: Record<string, unknown> = {};
  for (const [name, cos] of both()) {
    const data = await cos.getService({ CreateRange: 'gt', CreateTime: 1000000000, MaxKeys: 100 }).then(
      (d: Any) => ({ statusCode: d.statusCode, hasBucket: d.Buckets.some((b: Any) => b.Name === Bucket) }),
      (e: Any) => ({ code: e.code, statusCode: e.statusCode }),
    );
    results[name] = data;
  }
  assert.deepEqual(results.ours, results.official);
  assert.deepEqual(results.ours, { statusCode: 200, hasBucket: true });
});

test('canceling tasks never leaves an unhandled rejection (callback form, uploadFile, uploadFiles, a held Promise, a Promise nobody holds)', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const cos = new COS({ ...options(), FileParallelLimit: 1 });
    const ended: string[] = [];
    const body = Buffer.alloc(64 * 1024, 1);
    // A running task keeps the others waiting, so each is canceled before it starts.
    const first = cos.putObject({ Bucket, Region: REGION, Key: 'cancel-0.bin', Body: body });
    cos.putObject({ Bucket, Region: REGION, Key: 'cancel-1.bin', Body: body }, (err) => ended.push(`callback ${err?.code}`));
    void cos.uploadFile({ Bucket, Region: REGION, Key: 'cancel-2.bin', Body: body } as Any, () => ended.push('uploadFile'));
    void cos.uploadFiles({ files: [{ Bucket, Region: REGION, Key: 'cancel-3.bin', Body: body }] } as Any, () => ended.push('uploadFiles'));
    const held = cos.putObject({ Bucket, Region: REGION, Key: 'cancel-4.bin', Body: body });
    // Called as the official SDK's users do, without a callback and without awaiting.
    void cos.putObject({ Bucket, Region: REGION, Key: 'cancel-5.bin', Body: body });
    void cos.sliceUploadFile({ Bucket, Region: REGION, Key: 'cancel-6.bin', Body: new Blob([body]) } as Any);
    const heldOutcome = held.then(() => 'resolved', (e: Any) => e.code);
    for (const task of cos.getTaskList().slice(1)) cos.cancelTask(task.id);
    await first;
    assert.equal(await heldOutcome, 'AbortError');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(ended.includes('callback AbortError'), ended.join());
    // A Signal aborted before the call cancels inside the call itself: rejected for whoever holds
    // the Promise, and nothing unhandled for a call nobody holds.
    const early = await cos.putObject({ Bucket, Region: REGION, Key: 'cancel-7.bin', Body: body, Signal: AbortSignal.abort() } as Any).then(() => 'resolved', (e: Any) => e.code);
    assert.equal(early, 'AbortError');
    void cos.putObject({ Bucket, Region: REGION, Key: 'cancel-8.bin', Body: body, Signal: AbortSignal.abort() } as Any);
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
});
