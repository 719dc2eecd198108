/**
 * Issue 16, items 5-9 (part 2): access logs, inventory, replication, object lock, intelligent
 * tiering and back-to-origin. Each configuration round-trips through the official SDK where it has
 * the method (raw HTTP otherwise), with COS's errors, and its effect is shown: locked objects stay,
 * a missing key comes from a loopback origin, objects and delete markers replicate, access logs are
 * delivered (also after a restart). Days pass in seconds (timeScale 86400); workers run on demand.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import COS from 'cos-nodejs-sdk-v5';
import { startServer } from '../../packages/server/src/server.js';
import { APPID, bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, UIN, type Harness } from './harness.js';
import { assertCosError, sdkRejects, sendToBucket } from './raw.js';

let h: Harness;
let origin: Server;
let originPort = 0;
const originHits: string[] = [];

before(async () => {
  h = await startHarness({ timeScale: 86_400, originTimeoutMs: 2000 });
  origin = createServer((req, res) => {
    originHits.push(req.url ?? '');
    if (req.url === '/site/liar') {
      // Announces more than it sends, then hangs up.
      res.writeHead(200, { 'content-length': '100' });
      res.write('short');
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (req.url?.startsWith('/site/')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`from origin ${req.url}`);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((ok) => origin.listen(0, '127.0.0.1', ok));
  originPort = (origin.address() as { port: number }).port;
});
after(async () => {
  await h.close();
  await new Promise((ok) => origin.close(ok));
});

async function newBucket(label: string, versioning = false): Promise<string> {
  const Bucket = bucketName(label);
  await h.cos.putBucket({ Bucket, Region: REGION });
  if (versioning) await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
  return Bucket;
}

const put = (bucket: string, sub: string, body: string) => sendToBucket(h, bucket, { method: 'PUT', path: `/?${sub}`, body, headers: { 'content-type': 'application/xml' } });
const get = (bucket: string, sub: string) => sendToBucket(h, bucket, { path: `/?${sub}` });

test('logging: round-trips through the SDK; an empty status turns it off; the target must be the owner\'s', async () => {
  const Bucket = await newBucket('logsrc');
  const target = await newBucket('logdst');
  assert.deepEqual((await h.cos.getBucketLogging({ Bucket, Region: REGION })).BucketLoggingStatus, '', 'none: an empty status');
  await h.cos.putBucketLogging({ Bucket, Region: REGION, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: target, TargetPrefix: 'logs/' } } });
  const got = await h.cos.getBucketLogging({ Bucket, Region: REGION });
  assert.deepEqual(got.BucketLoggingStatus, { LoggingEnabled: { TargetBucket: target, TargetPrefix: 'logs/' } });
  await sdkRejects(h.cos.putBucketLogging({ Bucket, Region: REGION, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: `nobody-${APPID}` } } }), 400, 'InvalidTargetBucketForLogging');
  assertCosError(await put(Bucket, 'logging', '<BucketLoggingStatus><LoggingEnabled><TargetBucket>a\r\nb</TargetBucket></LoggingEnabled></BucketLoggingStatus>'), 400, 'InvalidArgument');
  assertCosError(await put(Bucket, 'logging', '<Nope/>'), 400, 'MalformedXML');
  await h.cos.putBucketLogging({ Bucket, Region: REGION, BucketLoggingStatus: '' });
  assert.deepEqual((await h.cos.getBucketLogging({ Bucket, Region: REGION })).BucketLoggingStatus, '');
});

test('logging: requests to the bucket are delivered as objects under the prefix, without signatures', async () => {
  const Bucket = await newBucket('logsrc');
  const target = await newBucket('logdst');
  await h.cos.putBucketLogging({ Bucket, Region: REGION, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: target, TargetPrefix: 'access/' } } });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'a b.txt', Body: 'x' });
  await sdkRejects(h.cos.getObject({ Bucket, Region: REGION, Key: 'missing' }), 404, 'NoSuchKey');
  await sleep(50); // the line is queued just after the response
  await h.server.flushAccessLogs();
  const listed = await h.cos.getBucket({ Bucket: target, Region: REGION, Prefix: 'access/' });
  assert.equal(listed.Contents.length, 1);
  const text = String((await h.cos.getObject({ Bucket: target, Region: REGION, Key: listed.Contents[0].Key })).Body);
  const lines = text.trim().split('\n');
  assert.ok(lines.some((l) => l.includes(' PutObject ') && l.includes(' %2Fa%20b.txt ') && l.includes(` ${Bucket} `)), text);
  assert.ok(lines.some((l) => l.includes(' GetObject ') && l.includes(' 404 NoSuchKey ')), text);
  assert.ok(lines.every((l) => !l.includes('q-signature') && l.split(' ').length === 19), text);
  await h.server.flushAccessLogs();
  assert.equal((await h.cos.getBucket({ Bucket: target, Region: REGION, Prefix: 'access/' })).Contents.length, 1, 'delivered once');
});

test('logging: lines queued before a restart are delivered after it', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-logs-'));
  const options = { dataDir, port: 0, credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY, appid: APPID, uin: UIN }, logLevel: 'silent', logFlushIntervalMs: 3_600_000 };
  try {
    let server = await startServer(options);
    let cos = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${server.port}` } as COS.COSOptions);
    const Bucket = bucketName('logrs');
    const target = bucketName('logrt');
    await cos.putBucket({ Bucket, Region: REGION });
    await cos.putBucket({ Bucket: target, Region: REGION });
    await cos.putBucketLogging({ Bucket, Region: REGION, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: target, TargetPrefix: 'r/' } } });
    await cos.putObject({ Bucket, Region: REGION, Key: 'before-restart', Body: 'x' });
    await sleep(50);
    await server.close();
    server = await startServer(options);
    cos = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${server.port}` } as COS.COSOptions);
    await server.flushAccessLogs();
    const listed = await cos.getBucket({ Bucket: target, Region: REGION, Prefix: 'r/' });
    assert.equal(listed.Contents.length, 1);
    assert.match(String((await cos.getObject({ Bucket: target, Region: REGION, Key: listed.Contents[0].Key })).Body), /before-restart/);
    await server.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

const inventory = (target: string, extra: Record<string, unknown> = {}) => ({
  Id: 'list1',
  IsEnabled: 'true',
  Destination: { COSBucketDestination: { Format: 'CSV', AccountId: UIN, Bucket: `qcs::cos:${REGION}::${target}`, Prefix: 'inv', Encryption: { SSECOS: '' } } },
  Schedule: { Frequency: 'Daily' },
  Filter: { Prefix: 'docs/' },
  IncludedObjectVersions: 'All',
  OptionalFields: ['Size', 'ETag', 'StorageClass'],
  ...extra,
});

test('inventory: put, get, list with continuation and delete by id through the SDK; errors', async () => {
  const Bucket = await newBucket('inv');
  const target = await newBucket('invdst');
  await sdkRejects(h.cos.getBucketInventory({ Bucket, Region: REGION, Id: 'list1' }), 404, 'NoSuchInventoryConfiguration');
  await h.cos.putBucketInventory({ Bucket, Region: REGION, Id: 'list1', InventoryConfiguration: inventory(target) });
  const got = (await h.cos.getBucketInventory({ Bucket, Region: REGION, Id: 'list1' })).InventoryConfiguration as Record<string, unknown>;
  assert.equal(got.Id, 'list1');
  assert.deepEqual(got.OptionalFields, ['Size', 'ETag', 'StorageClass']);
  assert.deepEqual(got.Schedule, { Frequency: 'Daily' });
  assert.deepEqual((got.Destination as { COSBucketDestination: { Encryption: unknown } }).COSBucketDestination.Encryption, { SSECOS: '' });
  for (let i = 0; i < 101; i++) {
    await h.cos.putBucketInventory({ Bucket, Region: REGION, Id: `n${String(i).padStart(3, '0')}`, InventoryConfiguration: inventory(target, { Id: `n${String(i).padStart(3, '0')}`, IsEnabled: 'false' }) });
  }
  const page1 = await h.cos.listBucketInventory({ Bucket, Region: REGION });
  assert.equal(page1.InventoryConfigurations.length, 100);
  assert.equal(String(page1.IsTruncated), 'true');
  const page2 = await h.cos.listBucketInventory({ Bucket, Region: REGION, ContinuationToken: page1.NextContinuationToken });
  assert.deepEqual(page2.InventoryConfigurations.map((c: { Id: string }) => c.Id), ['n099', 'n100'], 'list1 and n000-n098 came first, in id order');
  assert.equal(String(page2.IsTruncated), 'false');
  await h.cos.deleteBucketInventory({ Bucket, Region: REGION, Id: 'list1' });
  await sdkRejects(h.cos.deleteBucketInventory({ Bucket, Region: REGION, Id: 'list1' }), 404, 'NoSuchInventoryConfiguration');
  await sdkRejects(h.cos.putBucketInventory({ Bucket, Region: REGION, Id: 'x', InventoryConfiguration: inventory(target) }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.putBucketInventory({ Bucket, Region: REGION, Id: 'list1', InventoryConfiguration: inventory(target, { Schedule: { Frequency: 'Hourly' } }) }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.putBucketInventory({ Bucket, Region: REGION, Id: 'list1', InventoryConfiguration: inventory(target, { OptionalFields: ['Secret'] }) }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.putBucketInventory({ Bucket, Region: REGION, Id: 'list1', InventoryConfiguration: inventory(`nobody-${APPID}`) }), 400, 'InvalidArgument');
  assertCosError(await sendToBucket(h, Bucket, { method: 'PUT', path: '/?inventory&id=bad%0Aid', body: '<InventoryConfiguration/>' }), 400, 'InvalidArgument');
});

test('inventory: reports are written on the schedule as gzip\'d CSV with a manifest of MD5s', async () => {
  const Bucket = await newBucket('inv');
  const target = await newBucket('invdst');
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'docs/a,"quoted".txt', Body: 'aaa' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'docs/b.txt', Body: 'bb' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'other/c.txt', Body: 'c' });
  await h.cos.putBucketInventory({
    Bucket,
    Region: REGION,
    Id: 'daily',
    InventoryConfiguration: inventory(target, { Id: 'daily', IncludedObjectVersions: 'Current', OptionalFields: ['Size', 'ETag'] }),
  });
  await h.server.runInventory();
  const manifests = async () => (await h.cos.getBucket({ Bucket: target, Region: REGION, Prefix: `inv/${Bucket}/daily/` })).Contents.map((c) => c.Key).filter((k) => k.endsWith('manifest.json'));
  const [manifestKey] = await manifests();
  assert.ok(manifestKey, 'a manifest was written');
  const manifestBody = (await h.cos.getObject({ Bucket: target, Region: REGION, Key: manifestKey })).Body as Buffer;
  const manifest = JSON.parse(String(manifestBody)) as { sourceBucket: string; fileFormat: string; fileSchema: string; files: Array<{ key: string; size: number; MD5checksum: string }> };
  assert.equal(manifest.sourceBucket, Bucket);
  assert.equal(manifest.fileFormat, 'CSV');
  assert.equal(manifest.fileSchema, 'Bucket, Key, Size, ETag');
  const checksum = String((await h.cos.getObject({ Bucket: target, Region: REGION, Key: manifestKey.replace('manifest.json', 'manifest.checksum') })).Body).trim();
  assert.equal(checksum, createHash('md5').update(manifestBody).digest('hex'));
  assert.equal(manifest.files.length, 1);
  const data = (await h.cos.getObject({ Bucket: target, Region: REGION, Key: manifest.files[0].key })).Body as Buffer;
  assert.equal(createHash('md5').update(data).digest('hex'), manifest.files[0].MD5checksum);
  assert.equal(data.length, manifest.files[0].size);
  const rows = gunzipSync(data).toString().trim().split('\n');
  assert.deepEqual(rows, [
    `"${Bucket}","docs%2Fa%2C%22quoted%22.txt","3","${createHash('md5').update('aaa').digest('hex')}"`,
    `"${Bucket}","docs%2Fb.txt","2","${createHash('md5').update('bb').digest('hex')}"`,
  ]);
  for (let i = 0; i < 100 && (await manifests()).length < 2; i++) {
    await sleep(100);
    await h.server.runInventory();
  }
  assert.equal((await manifests()).length, 2, 'a day (a second here) later, the next report');
});

test('inventory: All lists every version and delete marker, newest first, with IsLatest and IsDeleteMarker', async () => {
  const Bucket = await newBucket('inva', true);
  const target = await newBucket('invadst');
  const v1 = await h.cos.putObject({ Bucket, Region: REGION, Key: 'docs/k', Body: 'one' });
  const v2 = await h.cos.putObject({ Bucket, Region: REGION, Key: 'docs/k', Body: 'two!' });
  const marker = await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'docs/k' });
  await h.cos.putBucketInventory({
    Bucket,
    Region: REGION,
    Id: 'all',
    InventoryConfiguration: inventory(target, { Id: 'all', Schedule: { Frequency: 'Weekly' }, OptionalFields: ['Size'] }),
  });
  await h.server.runInventory();
  const keys = (await h.cos.getBucket({ Bucket: target, Region: REGION, Prefix: `inv/${Bucket}/all/` })).Contents.map((c) => c.Key);
  const manifest = JSON.parse(String((await h.cos.getObject({ Bucket: target, Region: REGION, Key: keys.find((k) => k.endsWith('manifest.json'))! })).Body)) as { fileSchema: string; files: Array<{ key: string }> };
  assert.equal(manifest.fileSchema, 'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size');
  const data = (await h.cos.getObject({ Bucket: target, Region: REGION, Key: manifest.files[0].key })).Body as Buffer;
  assert.deepEqual(gunzipSync(data).toString().trim().split('\n'), [
    `"${Bucket}","docs%2Fk","${marker.headers?.['x-cos-version-id']}","true","true",""`,
    `"${Bucket}","docs%2Fk","${v2.headers?.['x-cos-version-id']}","false","false","4"`,
    `"${Bucket}","docs%2Fk","${v1.headers?.['x-cos-version-id']}","false","false","3"`,
  ]);
});

test('replication: versioning is required on both sides; only one destination; GET without one is COS\'s 404', async () => {
  const Bucket = await newBucket('repsrc', true);
  const plain = await newBucket('repplain');
  const Role = `qcs::cam::uin/${UIN}:uin/${UIN}`;
  const rule = (dest: string, ID = 'r1', Prefix = '', region = REGION) => ({ ID, Status: 'Enabled', Prefix, Destination: { Bucket: `qcs::cos:${region}::${dest}`, StorageClass: 'Standard' } });
  assert.deepEqual((await h.cos.getBucketReplication({ Bucket, Region: REGION })).ReplicationConfiguration, { Rules: [] }, 'the SDK maps COS\'s 404 to no rules');
  assertCosError(await get(Bucket, 'replication'), 404, 'ReplicationConfigurationnotFoundError');
  await sdkRejects(h.cos.putBucketReplication({ Bucket, Region: REGION, ReplicationConfiguration: { Role, Rules: [rule(plain)] } }), 400, 'InvalidRequest');
  const other = await newBucket('repdst', true);
  const third = await newBucket('repdst', true);
  await sdkRejects(h.cos.putBucketReplication({ Bucket, Region: REGION, ReplicationConfiguration: { Role, Rules: [rule(other), rule(third, 'r2', 'x/')] } }), 400, 'MultiBucketNotSupport');
  await sdkRejects(h.cos.putBucketReplication({ Bucket, Region: REGION, ReplicationConfiguration: { Role: 'admin', Rules: [rule(other)] } }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.putBucketReplication({ Bucket, Region: REGION, ReplicationConfiguration: { Role, Rules: [rule(other, 'r1', '', 'ap-beijing')] } }), 400, 'InvalidArgument');
  // A destination in another region: a bucket made on this server's ap-beijing endpoint.
  const beijing = bucketName('repbj');
  await h.cos.putBucket({ Bucket: beijing, Region: 'ap-beijing' });
  await h.cos.putBucketVersioning({ Bucket: beijing, Region: 'ap-beijing', VersioningConfiguration: { Status: 'Enabled' } });
  await h.cos.putBucketReplication({ Bucket, Region: REGION, ReplicationConfiguration: { Role, Rules: [rule(beijing, 'r1', '', 'ap-beijing')] } });
  await h.cos.putBucketReplication({ Bucket, Region: REGION, ReplicationConfiguration: { Role, Rules: [rule(other)] } });
  const got = await h.cos.getBucketReplication({ Bucket, Region: REGION });
  assert.equal(got.ReplicationConfiguration.Rules[0].Destination.Bucket, `qcs::cos:${REGION}::${other}`);
  await h.cos.deleteBucketReplication({ Bucket, Region: REGION });
  assertCosError(await get(Bucket, 'replication'), 404, 'ReplicationConfigurationnotFoundError');
});

test('replication: new objects, overwrites and delete markers reach the destination; PENDING, COMPLETED, REPLICA', async () => {
  const Bucket = await newBucket('repsrc', true);
  const dest = await newBucket('repdst', true);
  const Role = `qcs::cam::uin/${UIN}:uin/${UIN}`;
  await h.cos.putBucketReplication({ Bucket, Region: REGION, ReplicationConfiguration: { Role, Rules: [{ ID: 'docs', Status: 'Enabled', Prefix: 'docs/', Destination: { Bucket: `qcs::cos:${REGION}::${dest}` } }] } });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'docs/a.txt', Body: 'one', ContentType: 'text/plain' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'other/b.txt', Body: 'not replicated' });
  const pending = await h.cos.headObject({ Bucket, Region: REGION, Key: 'docs/a.txt' });
  assert.ok(['PENDING', 'COMPLETED'].includes(pending.headers?.['x-cos-replication-status'] ?? ''), 'PENDING until the worker ran');
  await h.server.runReplication();
  assert.equal((await h.cos.headObject({ Bucket, Region: REGION, Key: 'docs/a.txt' })).headers?.['x-cos-replication-status'], 'COMPLETED');
  const replica = await h.cos.getObject({ Bucket: dest, Region: REGION, Key: 'docs/a.txt' });
  assert.equal(String(replica.Body), 'one');
  assert.equal(replica.headers?.['x-cos-replication-status'], 'REPLICA');
  assert.equal(replica.headers?.['content-type'], 'text/plain');
  const plain = await newBucket('repplain');
  await h.cos.putObjectCopy({ Bucket: plain, Region: REGION, Key: 'copied', CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/docs/a.txt` });
  assert.equal((await h.cos.headObject({ Bucket: plain, Region: REGION, Key: 'copied' })).headers?.['x-cos-replication-status'], undefined, 'a copy is no replica');
  await sdkRejects(h.cos.headObject({ Bucket: dest, Region: REGION, Key: 'other/b.txt' }), 404);

  await h.cos.putObject({ Bucket, Region: REGION, Key: 'docs/a.txt', Body: 'two' });
  await h.server.runReplication();
  assert.equal(String((await h.cos.getObject({ Bucket: dest, Region: REGION, Key: 'docs/a.txt' })).Body), 'two');

  await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'docs/a.txt' });
  await h.server.runReplication();
  await sdkRejects(h.cos.headObject({ Bucket: dest, Region: REGION, Key: 'docs/a.txt' }), 404);
  const versions = await h.cos.listObjectVersions({ Bucket: dest, Region: REGION, Prefix: 'docs/' });
  assert.equal(versions.DeleteMarkers.length, 1, 'the delete marker replicated');
  assert.equal(versions.Versions.length, 2, 'both versions kept');

  // The destination stops versioning: the next copy fails, and the source says so.
  await h.cos.putBucketVersioning({ Bucket: dest, Region: REGION, VersioningConfiguration: { Status: 'Suspended' } });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'docs/c.txt', Body: 'three' });
  await h.server.runReplication();
  assert.equal((await h.cos.headObject({ Bucket, Region: REGION, Key: 'docs/c.txt' })).headers?.['x-cos-replication-status'], 'FAILED');
});

const lockXml = (days: number | string, enabled = 'Enabled') =>
  `<ObjectLockConfiguration><ObjectLockEnabled>${enabled}</ObjectLockEnabled><Rule><DefaultRetention><Days>${days}</Days></DefaultRetention></Rule></ObjectLockConfiguration>`;

test('object lock: configuration, errors, and objects that cannot be overwritten or deleted until retention ends', async () => {
  const Bucket = await newBucket('lock');
  assertCosError(await get(Bucket, 'object-lock'), 404, 'ObjectLockConfigurationNotFoundError');
  assertCosError(await put(Bucket, 'object-lock', lockXml(0)), 400, 'InvalidArgument');
  assertCosError(await put(Bucket, 'object-lock', lockXml(1, 'Disabled')), 400, 'InvalidArgument');
  assertCosError(await put(Bucket, 'object-lock', '<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>'), 400, 'MalformedXML');
  assert.equal((await put(Bucket, 'object-lock', lockXml(2))).status, 200);
  assertCosError(await put(Bucket, 'object-lock', lockXml(1)), 400, 'InvalidArgument');
  assert.match((await get(Bucket, 'object-lock')).text, /<Days>2<\/Days>/);
  assertCosError(await sendToBucket(h, Bucket, { method: 'DELETE', path: '/?object-lock' }), 501, 'NotImplemented');

  await h.cos.putObject({ Bucket, Region: REGION, Key: 'worm', Body: 'keep' });
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'worm' });
  const until = Date.parse(head.headers?.['x-cos-object-lock-retain-until-date'] ?? '');
  assert.ok(until > Date.now(), 'retention reported in HEAD');
  await sdkRejects(h.cos.putObject({ Bucket, Region: REGION, Key: 'worm', Body: 'replace' }), 403, 'AccessDenied');
  await sdkRejects(h.cos.deleteObject({ Bucket, Region: REGION, Key: 'worm' }), 403, 'AccessDenied');
  const multi = await h.cos.deleteMultipleObject({ Bucket, Region: REGION, Objects: [{ Key: 'worm' }] });
  assert.equal(multi.Error[0].Code, 'AccessDenied');
  await sdkRejects(h.cos.deleteBucket({ Bucket, Region: REGION }), 409, 'BucketNotEmpty');
  // Tags of a locked object may change; its bytes may not, by append either.
  await h.cos.putObjectTagging({ Bucket, Region: REGION, Key: 'worm', Tagging: { Tags: [{ Key: 'k', Value: 'v' }] } });
  assert.equal((await sendToBucket(h, Bucket, { method: 'POST', path: '/log?append&position=0', body: 'ab' })).status, 200);
  assertCosError(await sendToBucket(h, Bucket, { method: 'POST', path: '/log?append&position=2', body: 'cd' }), 403, 'AccessDenied');
  assert.equal(String((await h.cos.getObject({ Bucket, Region: REGION, Key: 'worm' })).Body), 'keep');
  // Two days are two seconds here: afterwards the object can go.
  const logUntil = Date.parse((await h.cos.headObject({ Bucket, Region: REGION, Key: 'log' })).headers?.['x-cos-object-lock-retain-until-date'] ?? '');
  while (Date.now() < Math.max(until, logUntil)) await sleep(100);
  await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'worm' });
  await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'log' });
  await h.cos.deleteBucket({ Bucket, Region: REGION });
});

test('intelligent tiering: COS\'s configuration document, Suspended when none, strict values', async () => {
  const Bucket = await newBucket('tier');
  assert.match((await get(Bucket, 'intelligenttiering')).text, /<Status>Suspended<\/Status>/);
  const doc = (days: number, status = 'Enabled') => `<IntelligentTieringConfiguration><Status>${status}</Status><Transition><Days>${days}</Days><RequestFrequent>1</RequestFrequent></Transition></IntelligentTieringConfiguration>`;
  assertCosError(await put(Bucket, 'intelligenttiering', doc(45)), 400, 'InvalidArgument');
  assertCosError(await put(Bucket, 'intelligenttiering', doc(30, 'On')), 400, 'InvalidArgument');
  assertCosError(await put(Bucket, 'intelligenttiering', '<IntelligentTieringConfiguration><Status>Enabled</Status></IntelligentTieringConfiguration>'), 400, 'MalformedXML');
  assert.equal((await put(Bucket, 'intelligenttiering', doc(60))).status, 200);
  const got = (await get(Bucket, 'intelligenttiering')).text;
  assert.match(got, /<Status>Enabled<\/Status><Transition><Days>60<\/Days><RequestFrequent>1<\/RequestFrequent><\/Transition>/);
});

const originRule = (host: string, type = 'Mirror', prefix = 'site/', priority = 1) => ({
  RulePriority: priority,
  OriginType: type,
  OriginCondition: { HTTPStatusCode: 404, Prefix: prefix },
  OriginParameter: { Protocol: 'HTTP', FollowQueryString: 'false', CopyOriginData: 'true' },
  OriginInfo: { HostInfo: { HostName: host } },
});

test('origin: round-trips through the SDK with COS\'s errors', async () => {
  const Bucket = await newBucket('orig');
  await sdkRejects(h.cos.getBucketOrigin({ Bucket, Region: REGION }), 404, 'NoSuchOriginConfiguration');
  await h.cos.putBucketOrigin({ Bucket, Region: REGION, OriginRule: [originRule(`127.0.0.1:${originPort}`)] });
  const got = await h.cos.getBucketOrigin({ Bucket, Region: REGION });
  assert.equal(got.OriginRule[0].OriginInfo.HostInfo.HostName, `127.0.0.1:${originPort}`);
  assert.equal(got.OriginRule[0].OriginType, 'Mirror');
  await sdkRejects(h.cos.putBucketOrigin({ Bucket, Region: REGION, OriginRule: [originRule('bad host/')] }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.putBucketOrigin({ Bucket, Region: REGION, OriginRule: [originRule('a', 'Teleport')] }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.putBucketOrigin({ Bucket, Region: REGION, OriginRule: [originRule('a', 'Mirror', '', 1), originRule('b', 'Mirror', '', 1)] }), 400, 'InvalidArgument');
  await h.cos.deleteBucketOrigin({ Bucket, Region: REGION });
  await sdkRejects(h.cos.getBucketOrigin({ Bucket, Region: REGION }), 404, 'NoSuchOriginConfiguration');
});

test('origin: a missing key under a Mirror rule is fetched from the loopback origin, served and stored', async () => {
  const Bucket = await newBucket('orig');
  await h.cos.putBucketOrigin({ Bucket, Region: REGION, OriginRule: [originRule(`127.0.0.1:${originPort}`)] });
  const first = await h.cos.getObject({ Bucket, Region: REGION, Key: 'site/index.html' });
  assert.equal(String(first.Body), 'from origin /site/index.html');
  assert.equal(first.headers?.['content-type'], 'text/html');
  const hits = originHits.length;
  assert.equal(String((await h.cos.getObject({ Bucket, Region: REGION, Key: 'site/index.html' })).Body), 'from origin /site/index.html');
  assert.equal(originHits.length, hits, 'stored: the second read does not go to the origin');
  await sdkRejects(h.cos.getObject({ Bucket, Region: REGION, Key: 'site-less/x' }), 404, 'NoSuchKey');
  await sdkRejects(h.cos.getObject({ Bucket, Region: REGION, Key: 'site/liar' }), 404, 'NoSuchKey');
  await sdkRejects(h.cos.headObject({ Bucket, Region: REGION, Key: 'site/liar' }), 404);
  await h.cos.putBucketOrigin({ Bucket, Region: REGION, OriginRule: [originRule(`127.0.0.1:${originPort}`, 'Mirror', '')] });
  await sdkRejects(h.cos.getObject({ Bucket, Region: REGION, Key: 'nothing-there' }), 404, 'NoSuchKey');
});

test('origin: a Proxy rule serves without storing; a host outside --origin-allow is never contacted', async () => {
  const Bucket = await newBucket('orig');
  await h.cos.putBucketOrigin({ Bucket, Region: REGION, OriginRule: [originRule(`127.0.0.1:${originPort}`, 'Proxy')] });
  assert.equal(String((await h.cos.getObject({ Bucket, Region: REGION, Key: 'site/p.html' })).Body), 'from origin /site/p.html');
  const hits = originHits.length;
  await h.cos.getObject({ Bucket, Region: REGION, Key: 'site/p.html' });
  assert.equal(originHits.length, hits + 1, 'not stored: asked again');
  await sdkRejects(h.cos.headObject({ Bucket, Region: REGION, Key: 'other' }), 404);

  // Configured (COS accepts any host), but the server only fetches from loopback by default.
  await h.cos.putBucketOrigin({ Bucket, Region: REGION, OriginRule: [originRule('origin.example.com', 'Mirror', 'site/')] });
  await sdkRejects(h.cos.getObject({ Bucket, Region: REGION, Key: 'site/q.html' }), 404, 'NoSuchKey');
});

test('intelligent tiering: objects start FREQUENT, move to INFREQUENT after Days unread, and back when read', async () => {
  // 30 days last two seconds here.
  const fast = await startHarness({ timeScale: 86_400 * 15, lifecycleIntervalMs: 3_600_000 });
  try {
    const Bucket = bucketName('tierfx');
    await fast.cos.putBucket({ Bucket, Region: REGION });
    await fast.cos.putObject({ Bucket, Region: REGION, Key: 'cold', Body: 'zzz', StorageClass: 'INTELLIGENT_TIERING' });
    await fast.cos.putObject({ Bucket, Region: REGION, Key: 'plain', Body: 'p' });
    const tier = async (Key: string) => (await fast.cos.headObject({ Bucket, Region: REGION, Key })).headers?.['x-cos-storage-tier'];
    assert.equal(await tier('cold'), 'FREQUENT');
    assert.equal(await tier('plain'), undefined, 'only the INTELLIGENT_TIERING class has tiers');
    const xml = '<IntelligentTieringConfiguration><Status>Enabled</Status><Transition><Days>30</Days><RequestFrequent>1</RequestFrequent></Transition></IntelligentTieringConfiguration>';
    assert.equal((await sendToBucket(fast, Bucket, { method: 'PUT', path: '/?intelligenttiering', body: xml })).status, 200);
    for (let i = 0; i < 100 && (await tier('cold')) !== 'INFREQUENT'; i++) {
      await sleep(100);
      await fast.server.runTiering();
    }
    assert.equal(await tier('cold'), 'INFREQUENT');
    const read = await fast.cos.getObject({ Bucket, Region: REGION, Key: 'cold' });
    assert.equal(String(read.Body), 'zzz');
    assert.equal(read.headers?.['x-cos-storage-class'], 'INTELLIGENT_TIERING');
    await fast.server.runTiering();
    assert.equal(await tier('cold'), 'FREQUENT', 'a read brings it back');
    assert.ok((await fast.server.services.meta.lastAccess(Bucket, 'cold'))! > 0, 'the read was recorded, in a batch');
  } finally {
    await fast.close();
  }
});
