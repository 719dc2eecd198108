/**
 * POST Object restore (issue 6 item 3; FEATURES §1.11.10, C233-C237) with the official SDK's
 * restoreObject and raw requests for the error paths. Two servers: one in real time, where a restore
 * takes hours and so is certainly under way while the test looks; one with a time scale of 17280 (a
 * day lasts five seconds, a 15-minute Expedited restore about 50 ms), where the test waits for a
 * restore to finish and its copy to expire by polling HEAD, never by timing.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, encodeKey, md5Base64, sdkRejects, sendToBucket } from './raw.js';

let real: Harness;
let fast: Harness;
const Bucket = bucketName('restore');
const FAST_SCALE = 17_280;
before(async () => {
  [real, fast] = await Promise.all([startHarness(), startHarness({ timeScale: FAST_SCALE })]);
  await Promise.all([real.cos.putBucket({ Bucket, Region: REGION }), fast.cos.putBucket({ Bucket, Region: REGION })]);
});
after(() => Promise.all([real.close(), fast.close()]));

const at = (Key: string) => ({ Bucket, Region: REGION, Key });
const restore = (h: Harness, Key: string, Days: number, Tier?: string) =>
  h.cos.restoreObject({ ...at(Key), RestoreRequest: { Days, ...(Tier ? { CASJobParameters: { Tier } } : {}) } } as COS.RestoreObjectParams);
const restoreHeader = async (h: Harness, Key: string) => (await h.cos.headObject(at(Key))).headers?.['x-cos-restore'];

/** Polls HEAD until `done` holds for the x-cos-restore header (the server's own clock decides when). */
async function waitForRestoreHeader(h: Harness, Key: string, done: (header: string | undefined) => boolean): Promise<string | undefined> {
  for (let i = 0; i < 600; i++) {
    const header = await restoreHeader(h, Key);
    if (done(header)) return header;
    await sleep(50);
  }
  throw new Error(`x-cos-restore of ${Key} never reached the expected state`);
}

test('C237 an ARCHIVE or DEEP_ARCHIVE object without a restored copy: HEAD describes it, GET is InvalidObjectState 403', async () => {
  for (const StorageClass of ['ARCHIVE', 'DEEP_ARCHIVE']) {
    await real.cos.putObject({ ...at(`cold/${StorageClass}`), Body: 'frozen', StorageClass });
    const head = await real.cos.headObject(at(`cold/${StorageClass}`));
    assert.equal(head.headers?.['x-cos-storage-class'], StorageClass);
    assert.equal(head.headers?.['content-length'], '6');
    assert.equal(head.headers?.['x-cos-restore'], undefined, 'no restore asked for');
    const err = await sdkRejects(real.cos.getObject(at(`cold/${StorageClass}`)), 403, 'InvalidObjectState');
    assert.match(err.message ?? '', /restore/);
    assertCosError(await sendToBucket(real, Bucket, { path: `/cold/${StorageClass}`, headers: { range: 'bytes=0-1' } }), 403, 'InvalidObjectState');
  }
});

test('C233 C236 a restore answers 202 and is under way (x-cos-restore ongoing-request="true"); asking again is RestoreAlreadyInProgress 409', async () => {
  await real.cos.putObject({ ...at('slow/a'), Body: 'archived bytes', StorageClass: 'ARCHIVE' });
  const started = await restore(real, 'slow/a', 3, 'Bulk');
  assert.equal(started.statusCode, 202);
  assert.equal(await restoreHeader(real, 'slow/a'), 'ongoing-request="true"');
  await sdkRejects(restore(real, 'slow/a', 3, 'Expedited'), 409, 'RestoreAlreadyInProgress');
  const get = await sdkRejects(real.cos.getObject(at('slow/a')), 403, 'InvalidObjectState');
  assert.match(get.message ?? '', /in progress/);
  const got = await sendToBucket(real, Bucket, { path: '/slow/a' });
  assertCosError(got, 403, 'InvalidObjectState');
  assert.equal(got.headers['x-cos-restore'], undefined, 'errors carry no object headers');
});

test('C234 C235 a restored copy is readable until Days pass; restoring it again answers 200 and moves the expiry; then it is gone', async () => {
  await fast.cos.putObject({ ...at('fast/a'), Body: 'archived bytes', StorageClass: 'ARCHIVE' });
  const started = await restore(fast, 'fast/a', 1, 'Expedited');
  assert.equal(started.statusCode, 202);
  const done = await waitForRestoreHeader(fast, 'fast/a', (header) => header !== 'ongoing-request="true"');
  const m = /^ongoing-request="false", expiry-date="([^"]+)"$/.exec(done ?? '');
  assert.ok(m, `restored: ${done}`);
  const expiry = Date.parse(m[1]);
  assert.match(m[1], /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/, 'RFC 1123');
  assert.equal(expiry % (86_400_000 / FAST_SCALE), 0, 'expiry falls on a (scaled) midnight, as S3 rounds it');

  const got = await fast.cos.getObject(at('fast/a'));
  assert.equal(got.Body.toString(), 'archived bytes');
  assert.equal(got.headers?.['x-cos-storage-class'], 'ARCHIVE', 'the object stays archived');
  assert.equal(got.headers?.['x-cos-restore'], done);
  const ranged = await sendToBucket(fast, Bucket, { path: '/fast/a', headers: { range: 'bytes=0-7' } });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.text, 'archived');

  const again = await restore(fast, 'fast/a', 2);
  assert.equal(again.statusCode, 200, 'a restored copy is extended, not restored anew');
  const extended = await restoreHeader(fast, 'fast/a');
  const newExpiry = Date.parse(/expiry-date="([^"]+)"/.exec(extended ?? '')?.[1] ?? '');
  assert.ok(newExpiry > expiry, `${extended} is later than ${m[1]}`);

  await waitForRestoreHeader(fast, 'fast/a', (header) => header === undefined);
  await sdkRejects(fast.cos.getObject(at('fast/a')), 403, 'InvalidObjectState');
  assert.equal((await restore(fast, 'fast/a', 1, 'Expedited')).statusCode, 202, 'an expired copy is restored anew');
});

test('C233 restoring a DEEP_ARCHIVE object: Standard and Bulk, not Expedited (InvalidArgument); the tier defaults to Standard', async () => {
  await fast.cos.putObject({ ...at('deep/a'), Body: 'deep', StorageClass: 'DEEP_ARCHIVE' });
  const err = await sdkRejects(restore(fast, 'deep/a', 1, 'Expedited'), 400, 'InvalidArgument');
  assert.match(err.message ?? '', /Standard or Bulk/);
  assert.equal(await restoreHeader(fast, 'deep/a'), undefined, 'nothing started');
  const body = '<RestoreRequest><Days>1</Days></RestoreRequest>';
  const res = await sendToBucket(fast, Bucket, { method: 'POST', path: '/deep/a?restore', body, headers: { 'content-md5': md5Base64(body) } });
  assert.equal(res.status, 202, res.text);
  assert.equal(res.body.length, 0);
  await waitForRestoreHeader(fast, 'deep/a', (header) => header?.startsWith('ongoing-request="false"') === true);
  assert.equal((await fast.cos.getObject(at('deep/a'))).Body.toString(), 'deep');
});

test('restore errors: InvalidObjectState for an object that is not archived, NoSuchKey, MalformedXML and InvalidArgument for bad bodies', async () => {
  await real.cos.putObject({ ...at('warm/a'), Body: 'warm', StorageClass: 'STANDARD_IA' });
  const err = await sdkRejects(restore(real, 'warm/a', 1, 'Standard'), 403, 'InvalidObjectState');
  assert.match(err.message ?? '', /STANDARD_IA/);
  await sdkRejects(restore(real, 'missing', 1, 'Standard'), 404, 'NoSuchKey');

  await real.cos.putObject({ ...at('bodies/a'), Body: 'x', StorageClass: 'ARCHIVE' });
  const path = `/${encodeKey('bodies/a')}?restore`;
  const post = (body: string, headers: Record<string, string> = {}) => sendToBucket(real, Bucket, { method: 'POST', path, body, headers });
  for (const body of ['', 'not xml', '<RestoreRequest/>', '<RestoreRequest><CASJobParameters><Tier>Bulk</Tier></CASJobParameters></RestoreRequest>', '<Other><Days>1</Days></Other>']) {
    assertCosError(await post(body), 400, 'MalformedXML');
  }
  for (const days of ['0', '-1', '1.5', 'one']) {
    assert.match(assertCosError(await post(`<RestoreRequest><Days>${days}</Days></RestoreRequest>`), 400, 'InvalidArgument').Message, /Days/);
  }
  assert.match(assertCosError(await post('<RestoreRequest><Days>1</Days><CASJobParameters><Tier>Fastest</Tier></CASJobParameters></RestoreRequest>'), 400, 'InvalidArgument').Message, /Tier/);
  assertCosError(await post('<RestoreRequest><Days>1</Days></RestoreRequest>', { 'content-md5': md5Base64('other') }), 400, 'BadDigest');
  assert.equal(await restoreHeader(real, 'bodies/a'), undefined, 'no refused request started a restore');
  // 004 prints the body without a root element; that is taken too.
  assert.equal((await post('<Days>2</Days>')).status, 202);
  assert.equal(await restoreHeader(real, 'bodies/a'), 'ongoing-request="true"');
});
