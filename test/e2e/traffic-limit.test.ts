/**
 * x-cos-traffic-limit (issue 6, item 7; FEATURES §1.8.6, C158-C160): bits per second, 819200 to
 * 838860800, on PUT Object, GET Object, Upload Part and the POST form; it throttles that one request.
 * Durations are only bounded below (at least 60% of the ideal time, which no unthrottled transfer on
 * loopback comes near): timing tests must not be flaky on a busy machine.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { postForm, signedFields } from './form.js';
import { assertCosError, sdkRejects } from './raw.js';

const MiB = 1024 * 1024;
const SLOWEST = 819_200; // bit/s: 100 KiB/s
const EIGHT_MBIT = 8 * MiB; // bit/s: 1 MiB/s

let h: Harness;
const Bucket = bucketName('traffic');
before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

const at = (Key: string) => ({ Bucket, Region: REGION, Key });

/** Runs `fn` and checks it took at least 60% of the time `bytes` take at `bitsPerSecond`. */
async function atLeastThrottled<T>(label: string, bytes: number, bitsPerSecond: number, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  const seconds = (performance.now() - started) / 1000;
  const ideal = (bytes * 8) / bitsPerSecond;
  assert.ok(seconds >= 0.6 * ideal, `${label}: ${bytes} bytes at ${bitsPerSecond} bit/s took ${seconds.toFixed(2)} s, ideally ${ideal.toFixed(2)} s`);
  return result;
}

test('C159 a limit outside 819200-838860800 bit/s is InvalidArgument on PUT, GET, Upload Part and POST; nothing is stored', async () => {
  await sdkRejects(h.cos.putObject({ ...at('slow.txt'), Body: 'x', Headers: { 'x-cos-traffic-limit': SLOWEST - 1 } }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.putObject({ ...at('slow.txt'), Body: 'x', Headers: { 'x-cos-traffic-limit': 'fast' } }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.headObject(at('slow.txt')), 404);

  await h.cos.putObject({ ...at('present.txt'), Body: 'here' });
  await sdkRejects(h.cos.getObject({ ...at('present.txt'), TrafficLimit: 838_860_801 }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.getObject({ ...at('present.txt'), Headers: { 'x-cos-traffic-limit': '1.5e6' } }), 400, 'InvalidArgument');

  const { UploadId } = await h.cos.multipartInit(at('parts.bin'));
  await sdkRejects(h.cos.multipartUpload({ ...at('parts.bin'), UploadId, PartNumber: 1, Body: 'x', Headers: { 'x-cos-traffic-limit': '0' } }), 400, 'InvalidArgument');
  assert.equal((await h.cos.multipartListPart({ ...at('parts.bin'), UploadId })).Part.length, 0);

  assertCosError(await postForm(h, Bucket, { key: 'form.txt', 'x-cos-traffic-limit': '100', ...signedFields([]) }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.headObject(at('form.txt')), 404);

  // The bounds themselves are fine.
  await h.cos.putObject({ ...at('bounds.txt'), Body: 'b', Headers: { 'x-cos-traffic-limit': SLOWEST } });
  assert.equal((await h.cos.getObject({ ...at('bounds.txt'), TrafficLimit: 838_860_800 })).Body.toString(), 'b');
});

test('C158 C160 a 1 MiB PUT and a 1 MiB GET at 819200 bit/s each take about 10 s, at the same time: the limit is per request', async () => {
  const down = randomBytes(MiB);
  await h.cos.putObject({ ...at('down.bin'), Body: down });
  const up = randomBytes(MiB);
  const [put, got] = await Promise.all([
    atLeastThrottled('PUT', MiB, SLOWEST, () => h.cos.putObject({ ...at('up.bin'), Body: up, Headers: { 'x-cos-traffic-limit': SLOWEST } })),
    atLeastThrottled('GET', MiB, SLOWEST, () => h.cos.getObject({ ...at('down.bin'), TrafficLimit: SLOWEST })),
  ]);
  assert.equal(put.statusCode, 200);
  assert.ok(got.Body.equals(down), 'the throttled GET delivers every byte');
  assert.ok((await h.cos.getObject(at('up.bin'))).Body.equals(up), 'the throttled PUT stored every byte');
});

test('C160 at 8 Mbit/s: Upload Part of 2 MiB, a POST form of 1 MiB and a ranged GET of 3 MiB', async () => {
  const object = randomBytes(4 * MiB);
  await h.cos.putObject({ ...at('big.bin'), Body: object });
  const part = randomBytes(2 * MiB);
  const file = randomBytes(MiB);
  const { UploadId } = await h.cos.multipartInit(at('fast-parts.bin'));
  const [uploaded, posted, ranged] = await Promise.all([
    atLeastThrottled('Upload Part', 2 * MiB, EIGHT_MBIT, () =>
      h.cos.multipartUpload({ ...at('fast-parts.bin'), UploadId, PartNumber: 1, Body: part, Headers: { 'x-cos-traffic-limit': String(EIGHT_MBIT) } }),
    ),
    atLeastThrottled('POST', MiB, EIGHT_MBIT, () =>
      postForm(h, Bucket, { key: 'posted.bin', 'x-cos-traffic-limit': String(EIGHT_MBIT), ...signedFields([]) }, [{ name: 'f.bin', content: file }]),
    ),
    atLeastThrottled('ranged GET', 3 * MiB, EIGHT_MBIT, () => h.cos.getObject({ ...at('big.bin'), Range: `bytes=${MiB}-${4 * MiB - 1}`, TrafficLimit: EIGHT_MBIT })),
  ]);
  assert.match(uploaded.ETag, /^"[0-9a-f]{32}"$/);
  await h.cos.multipartComplete({ ...at('fast-parts.bin'), UploadId, Parts: [{ PartNumber: 1, ETag: uploaded.ETag }] });
  assert.ok((await h.cos.getObject(at('fast-parts.bin'))).Body.equals(part));
  assert.equal(posted.status, 204, posted.text);
  assert.ok((await h.cos.getObject(at('posted.bin'))).Body.equals(file));
  assert.equal(ranged.statusCode, 206);
  assert.ok(ranged.Body.equals(object.subarray(MiB)));
});
