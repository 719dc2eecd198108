/**
 * Bucket lifecycle (issue 6 item 4; FEATURES §1.10.11-13, §1.14, C195-C197, C287-C299) with the
 * official SDK's putBucketLifecycle / getBucketLifecycle / deleteBucketLifecycle, raw requests for
 * the error paths, and rules carried out on a server whose days last one second (timeScale 86400).
 * Rounds run through `runLifecycle()` or the worker's own timer; the tests wait for outcomes by
 * polling, never by timing. Rules meant not to fire yet are given days that cannot pass meanwhile.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, md5Base64, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
before(async () => {
  h = await startHarness({ timeScale: 86_400 });
});
after(() => h.close());

async function newBucket(label: string): Promise<string> {
  const Bucket = bucketName(label);
  await h.cos.putBucket({ Bucket, Region: REGION });
  return Bucket;
}

/** Runs lifecycle rounds until `check` holds. */
async function eventually(check: () => Promise<boolean>, what: string, run = () => h.server.runLifecycle()): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await run();
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`never happened: ${what}`);
}

const EXAMPLE_RULES = [
  { ID: 'id1', Filter: { Prefix: 'documents/' }, Status: 'Enabled', Transition: { Days: '100', StorageClass: 'ARCHIVE' } },
  { ID: 'id2', Filter: { Prefix: 'logs/' }, Status: 'Enabled', Expiration: { Days: '10' } },
];

test('C195 C196 C197 PUT, GET and DELETE Bucket lifecycle with the SDK: the rules come back as put; none is NoSuchLifecycleConfiguration', async () => {
  const Bucket = await newBucket('lc-api');
  const none = await h.cos.getBucketLifecycle({ Bucket, Region: REGION });
  assert.deepEqual(none.Rules, [], 'the SDK reads NoSuchLifecycleConfiguration as no rules');
  assertCosError(await sendToBucket(h, Bucket, { path: '/?lifecycle' }), 404, 'NoSuchLifecycleConfiguration');

  const put = await h.cos.putBucketLifecycle({ Bucket, Region: REGION, Rules: EXAMPLE_RULES } as COS.PutBucketLifecycleParams);
  assert.equal(put.statusCode, 200);
  assert.deepEqual((await h.cos.getBucketLifecycle({ Bucket, Region: REGION })).Rules, EXAMPLE_RULES);

  const every = [
    {
      ID: 'everything',
      Filter: { And: { Prefix: 'a/', Tag: [{ Key: 'k', Value: 'v' }, { Key: 'team', Value: 'ops' }] } },
      Status: 'Disabled',
      Transition: [{ Days: '30', StorageClass: 'STANDARD_IA' }, { Days: '60', StorageClass: 'DEEP_ARCHIVE' }],
      Expiration: { Days: '365' },
      NoncurrentVersionExpiration: { NoncurrentDays: '90' },
      NoncurrentVersionTransition: { NoncurrentDays: '0', StorageClass: 'ARCHIVE' },
    },
    { ID: 'tagged', Filter: { Tag: { Key: 'tmp', Value: 'yes' } }, Status: 'Enabled', Expiration: { Date: '2030-01-01T00:00:00+08:00' } },
    {
      ID: 'cleanup',
      Filter: '',
      Status: 'Enabled',
      Expiration: { ExpiredObjectDeleteMarker: 'true' },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: '7' },
    },
  ];
  await h.cos.putBucketLifecycle({ Bucket, Region: REGION, Rules: every } as COS.PutBucketLifecycleParams);
  assert.deepEqual((await h.cos.getBucketLifecycle({ Bucket, Region: REGION })).Rules, every, 'a PUT replaces the rules');
  const raw = await sendToBucket(h, Bucket, { path: '/?lifecycle' });
  assert.match(String(raw.headers['content-type']), /^application\/xml/);
  assert.ok(raw.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration><Rule><ID>everything</ID><Filter><And>'), raw.text);

  const removed = await h.cos.deleteBucketLifecycle({ Bucket, Region: REGION });
  assert.equal(removed.statusCode, 204);
  assert.deepEqual((await h.cos.getBucketLifecycle({ Bucket, Region: REGION })).Rules, []);
  assertCosError(await sendToBucket(h, Bucket, { method: 'DELETE', path: '/?lifecycle' }), 404, 'NoSuchLifecycleConfiguration');
});

test('C288-C296 invalid configurations: MissingContentMD5, BadDigest, MalformedXML, InvalidArgument, InvalidRequest; a refused PUT keeps the rules', async () => {
  const Bucket = await newBucket('lc-bad');
  await h.cos.putBucketLifecycle({ Bucket, Region: REGION, Rules: EXAMPLE_RULES } as COS.PutBucketLifecycleParams);
  const put = (body: string, headers: Record<string, string> = { 'content-md5': md5Base64(body) }) => sendToBucket(h, Bucket, { method: 'PUT', path: '/?lifecycle', body, headers });
  const config = (...rules: string[]) => `<LifecycleConfiguration>${rules.map((r) => `<Rule>${r}</Rule>`).join('')}</LifecycleConfiguration>`;
  const expire = (prefix: string, id = prefix) => `<ID>${id}</ID><Filter><Prefix>${prefix}</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>`;

  assertCosError(await put(config(expire('a/')), {}), 400, 'MissingContentMD5');
  assertCosError(await put(config(expire('a/')), { 'content-md5': md5Base64('other') }), 400, 'BadDigest');
  assertCosError(await put('<LifecycleConfiguration>'), 400, 'MalformedXML');
  assertCosError(await put('<LifecycleConfiguration/>'), 400, 'MalformedXML');
  assert.match(assertCosError(await put(config('<Filter/><Expiration><Days>1</Days></Expiration>')), 400, 'MalformedXML').Message, /Status/);
  assert.match(assertCosError(await put(config(expire('a/', 'same'), expire('b/', 'same'))), 400, 'InvalidArgument').Message, /Rule ID must be unique/);
  assert.match(assertCosError(await put(config(expire('logs/'), expire('logs/2024/'))), 400, 'InvalidRequest').Message, /Conflict lifecycle rule/);
  assert.match(
    assertCosError(await put(config('<Filter/><Status>Enabled</Status><Expiration><Days>1</Days><Date>2030-01-01T00:00:00.000Z</Date></Expiration>')), 400, 'InvalidRequest').Message,
    /exactly one of Days, Date/,
  );
  assert.match(
    assertCosError(await put(config('<Filter/><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>STANDARD</StorageClass></Transition>')), 400, 'InvalidArgument').Message,
    /STANDARD/,
  );
  const many = config(...Array.from({ length: 1001 }, (_, i) => expire(`p${i}/`)));
  assert.match(assertCosError(await put(many), 400, 'InvalidArgument').Message, /at most 1000/);
  assert.deepEqual((await h.cos.getBucketLifecycle({ Bucket, Region: REGION })).Rules, EXAMPLE_RULES, 'the rules are unchanged');

  // Owner-only (C127): an anonymous caller may not read or change them.
  assertCosError(await send(h, { path: `/${Bucket}/?lifecycle`, sign: false }), 403, 'AccessDenied');
  await sdkRejects(h.cos.getBucketLifecycle({ Bucket: bucketName('lc-none'), Region: REGION }), 404, 'NoSuchBucket');
});

test('C297 C298 rules carried out: Expiration and Transition by Days and by Date, tag and prefix filters, disabled rules do nothing', async () => {
  const Bucket = await newBucket('lc-run');
  const at = (Key: string) => ({ Bucket, Region: REGION, Key });
  const exists = async (Key: string) => (await h.cos.headObject(at(Key)).then(() => true, () => false));
  const classOf = async (Key: string) => (await h.cos.headObject(at(Key))).headers?.['x-cos-storage-class'];
  await h.cos.putBucketLifecycle({
    Bucket,
    Region: REGION,
    Rules: [
      { ID: 'tmp', Filter: { Prefix: 'tmp/' }, Status: 'Enabled', Expiration: { Days: '1' } },
      { ID: 'logs', Filter: { Prefix: 'logs/' }, Status: 'Enabled', Transition: [{ Days: '1', StorageClass: 'STANDARD_IA' }, { Days: '600', StorageClass: 'ARCHIVE' }] },
      { ID: 'keep', Filter: { Prefix: 'keep/' }, Status: 'Enabled', Expiration: { Days: '600' } },
      { ID: 'tagged', Filter: { Tag: { Key: 'expire', Value: 'yes' } }, Status: 'Enabled', Expiration: { Date: '2020-01-01T00:00:00.000Z' } },
      { ID: 'old', Filter: { Prefix: 'old/' }, Status: 'Enabled', Transition: { Date: '2020-01-01T00:00:00.000Z', StorageClass: 'DEEP_ARCHIVE' } },
      { ID: 'off', Filter: { Prefix: 'off/' }, Status: 'Disabled', Expiration: { Date: '2020-01-01T00:00:00.000Z' } },
    ],
  } as COS.PutBucketLifecycleParams);
  for (const Key of ['tmp/a', 'logs/a', 'keep/a', 'old/a', 'off/a', 'other/a']) await h.cos.putObject({ ...at(Key), Body: Key });
  await h.cos.putObject({ ...at('other/tagged'), Body: 't', Headers: { 'x-cos-tagging': 'expire=yes&team=ops' } });
  await h.cos.putObject({ ...at('other/tagged-no'), Body: 't', Headers: { 'x-cos-tagging': 'expire=no' } });
  const before = await h.cos.headObject(at('logs/a'));

  // Dates in the past apply at the first round.
  await h.server.runLifecycle();
  assert.equal(await exists('other/tagged'), false, 'Expiration Date with a tag filter');
  assert.equal(await exists('other/tagged-no'), true, 'the tag value must match');
  assert.equal(await classOf('old/a'), 'DEEP_ARCHIVE', 'Transition Date');
  assert.equal(await exists('off/a'), true, 'a disabled rule does nothing');

  // Days count from the last modification: one (scaled) day later.
  await eventually(async () => !(await exists('tmp/a')), 'tmp/a expires');
  await eventually(async () => (await classOf('logs/a')) === 'STANDARD_IA', 'logs/a moves to STANDARD_IA');
  const after = await h.cos.headObject(at('logs/a'));
  assert.equal(after.headers?.etag, before.headers?.etag);
  assert.equal(after.headers?.['last-modified'], before.headers?.['last-modified'], 'a transition keeps Last-Modified');
  assert.equal((await h.cos.getObject(at('logs/a'))).Body.toString(), 'logs/a');
  assert.equal(await classOf('keep/a'), undefined, 'still STANDARD, which COS does not name');
  assert.equal(await exists('keep/a'), true, '600 days have not passed');
  assert.equal(await exists('other/a'), true, 'no rule matches');
  const listed = await h.cos.getBucket({ Bucket, Region: REGION });
  assert.deepEqual(listed.Contents.map((c) => c.Key), ['keep/a', 'logs/a', 'off/a', 'old/a', 'other/a', 'other/tagged-no']);

  // A rewritten object starts its days again: the new one is not expired with the old one's age.
  await h.cos.putObject({ ...at('tmp/b'), Body: 'again' });
  await eventually(async () => !(await exists('tmp/b')), 'tmp/b expires too');
});

test('C299 AbortIncompleteMultipartUpload aborts uploads DaysAfterInitiation days old under the prefix, parts and all', async () => {
  const Bucket = await newBucket('lc-mpu');
  const at = (Key: string) => ({ Bucket, Region: REGION, Key });
  await h.cos.putBucketLifecycle({
    Bucket,
    Region: REGION,
    Rules: [
      { ID: 'stale', Filter: { Prefix: 'big/' }, Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: '1' } },
      { ID: 'patient', Filter: { Prefix: 'slow/' }, Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: '600' } },
    ],
  } as COS.PutBucketLifecycleParams);
  const stale = await h.cos.multipartInit(at('big/x'));
  await h.cos.multipartUpload({ ...at('big/x'), UploadId: stale.UploadId, PartNumber: 1, Body: 'part one' });
  const patient = await h.cos.multipartInit(at('slow/y'));
  const other = await h.cos.multipartInit(at('small/z'));
  const uploads = async () => ((await h.cos.multipartList({ Bucket, Region: REGION })).Upload ?? []).map((u) => u.Key);

  await eventually(async () => !(await uploads()).includes('big/x'), 'big/x is aborted');
  assert.deepEqual(await uploads(), ['slow/y', 'small/z']);
  await sdkRejects(h.cos.multipartListPart({ ...at('big/x'), UploadId: stale.UploadId }), 404, 'NoSuchUpload');
  assert.equal((await h.cos.multipartListPart({ ...at('slow/y'), UploadId: patient.UploadId })).UploadId, patient.UploadId);
  await h.cos.multipartAbort({ ...at('slow/y'), UploadId: patient.UploadId });
  await h.cos.multipartAbort({ ...at('small/z'), UploadId: other.UploadId });
  await h.cos.deleteBucket({ Bucket, Region: REGION });
});

test('the worker runs on its own every lifecycleIntervalMs, and stops with the server', async () => {
  const timed = await startHarness({ timeScale: 86_400, lifecycleIntervalMs: 100 });
  try {
    const Bucket = bucketName('lc-timer');
    await timed.cos.putBucket({ Bucket, Region: REGION });
    await timed.cos.putBucketLifecycle({ Bucket, Region: REGION, Rules: [{ ID: 'all', Filter: '', Status: 'Enabled', Expiration: { Days: '1' } }] } as COS.PutBucketLifecycleParams);
    await timed.cos.putObject({ Bucket, Region: REGION, Key: 'soon-gone', Body: 'x' });
    await eventually(
      () => timed.cos.headObject({ Bucket, Region: REGION, Key: 'soon-gone' }).then(() => false, () => true),
      'the timer expires the object',
      async () => undefined,
    );
  } finally {
    await timed.close();
  }
});

test('C300 in a bucket with versioning: Expiration adds a delete marker, noncurrent versions transition and expire, expired delete markers go', async () => {
  const Bucket = await newBucket('lc-ver');
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
  const put = async (Key: string, Body: string) => (await h.cos.putObject({ Bucket, Region: REGION, Key, Body })).headers?.['x-cos-version-id'];
  const versions = async (Prefix: string) => {
    const listed = await h.cos.listObjectVersions({ Bucket, Region: REGION, Prefix });
    return [
      ...listed.Versions.map((v) => `${v.Key}:${v.IsLatest === 'true' ? 'current' : 'noncurrent'}:${v.StorageClass}`),
      ...listed.DeleteMarkers.map((m) => `${m.Key}:marker${m.IsLatest === 'true' ? ':latest' : ''}`),
    ];
  };

  // exp/: the current object expires after a day (a marker is added, the object stays noncurrent).
  await put('exp/a', 'expiring');
  // nc/: noncurrent versions go to ARCHIVE at once and are removed after 2 days; the current one stays.
  const old = await put('nc/b', 'old');
  await put('nc/b', 'new');
  // dm/: a lone delete marker (its only version already removed) is an expired one.
  const lone = await put('dm/c', 'gone');
  await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'dm/c' });
  await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'dm/c', VersionId: lone });
  assert.deepEqual(await versions('dm/'), ['dm/c:marker:latest']);

  await h.cos.putBucketLifecycle({
    Bucket,
    Region: REGION,
    Rules: [
      { ID: 'expire', Filter: { Prefix: 'exp/' }, Status: 'Enabled', Expiration: { Days: '1' } },
      { ID: 'noncurrent', Filter: { Prefix: 'nc/' }, Status: 'Enabled', NoncurrentVersionTransition: { NoncurrentDays: '0', StorageClass: 'ARCHIVE' }, NoncurrentVersionExpiration: { NoncurrentDays: '2' } },
      { ID: 'markers', Filter: { Prefix: 'dm/' }, Status: 'Enabled', Expiration: { ExpiredObjectDeleteMarker: 'true' } },
    ],
  } as COS.PutBucketLifecycleParams);

  await eventually(async () => (await versions('nc/')).includes('nc/b:noncurrent:ARCHIVE'), 'the noncurrent version moved to ARCHIVE');
  assert.ok((await versions('nc/')).includes('nc/b:current:STANDARD'), 'the current version keeps its class');
  await eventually(async () => (await versions('dm/')).length === 0, 'the expired delete marker was removed');
  await eventually(async () => (await versions('exp/')).join() === 'exp/a:noncurrent:STANDARD,exp/a:marker:latest', 'the expired object became noncurrent under a delete marker');
  await sdkRejects(h.cos.headObject({ Bucket, Region: REGION, Key: 'exp/a' }), 404);
  await eventually(async () => !(await versions('nc/')).some((v) => v.includes('noncurrent')), 'the noncurrent version expired');
  await sdkRejects(h.cos.getObject({ Bucket, Region: REGION, Key: 'nc/b', VersionId: old }), 400, 'NoSuchVersion');
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'nc/b' })).Body.toString(), 'new');
});
