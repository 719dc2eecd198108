/** The configuration documents of logging, inventory, replication, object lock, tiering and origin, and the inventory schedule. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError } from '@cosbox/protocol';
import { inventoryDue } from '../workers/inventory.js';
import { inventoryFromXml, inventoryRow } from './inventory.js';
import { logLine } from './logging.js';
import { checkObjectLockChange, objectLockFromXml, retainUntil } from './object-lock.js';
import { originAllowed, originFromXml } from './origin.js';
import { replicationFromXml, replicationRuleFor } from './replication.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof CosError ? error.code : 'not a CosError';
  }
  return 'no error';
};

test('inventory schedule: due when never run, then after a day (Daily) or seven (Weekly) under the time scale', () => {
  assert.equal(inventoryDue(undefined, 5, 'Daily', 1), true);
  assert.equal(inventoryDue(0, 86_399_999, 'Daily', 1), false);
  assert.equal(inventoryDue(0, 86_400_000, 'Daily', 1), true);
  assert.equal(inventoryDue(0, 6 * 86_400_000, 'Weekly', 1), false);
  assert.equal(inventoryDue(0, 7 * 86_400_000, 'Weekly', 1), true);
  assert.equal(inventoryDue(0, 1000, 'Daily', 86_400), true, 'a day is a second at 86400');
});

const inv = (fields = '<Field>Size</Field>', versions = 'Current') =>
  `<InventoryConfiguration><Id>x</Id><IsEnabled>true</IsEnabled><Destination><COSBucketDestination><Format>CSV</Format><Bucket>qcs::cos:ap-guangzhou::d-1250000000</Bucket></COSBucketDestination></Destination><Schedule><Frequency>Weekly</Frequency></Schedule><IncludedObjectVersions>${versions}</IncludedObjectVersions><OptionalFields>${fields}</OptionalFields></InventoryConfiguration>`;

test('inventory documents: strict; CSV rows quote and encode what could break a row', () => {
  const config = inventoryFromXml(inv(), 'x');
  assert.equal(config.destinationBucket, 'd-1250000000');
  assert.equal(code(() => inventoryFromXml(inv(), 'y')), 'InvalidArgument', 'the id must match the query');
  assert.equal(code(() => inventoryFromXml(inv('<Field>Owner</Field>'), 'x')), 'InvalidArgument');
  assert.equal(code(() => inventoryFromXml(inv('', 'Some'), 'x')), 'InvalidArgument');
  assert.equal(code(() => inventoryFromXml('<InventoryConfiguration><Id>x</Id></InventoryConfiguration>', 'x')), 'MalformedXML');
  const row = inventoryRow(config, 'b', { bucket: 'b', key: 'a\n"b",c', size: 1, etag: '"e"', crc64: '1', lastModified: 0, storageClass: 'STANDARD', objectType: 'normal', contentHeaders: {}, meta: {}, ownerUin: '1', blobs: [] }, true);
  assert.equal(row, '"b","a%0A%22b%22%2Cc","1"');
});

test('replication documents: role, unique ids, one destination; the longest enabled prefix wins', () => {
  const doc = (rules: string) => `<ReplicationConfiguration><Role>qcs::cam::uin/1:uin/1</Role>${rules}</ReplicationConfiguration>`;
  const rule = (id: string, prefix: string, status = 'Enabled', dest = 'd-1') => `<Rule><ID>${id}</ID><Status>${status}</Status><Prefix>${prefix}</Prefix><Destination><Bucket>qcs::cos:ap-beijing::${dest}</Bucket></Destination></Rule>`;
  const config = replicationFromXml(doc(rule('a', 'x/') + rule('b', 'x/y/') + rule('c', 'x/y/z/', 'Disabled')));
  assert.equal(replicationRuleFor(config, 'x/y/z/k')?.id, 'b');
  assert.equal(replicationRuleFor(config, 'q'), undefined);
  assert.equal(code(() => replicationFromXml(doc(''))), 'MalformedXML');
  assert.equal(code(() => replicationFromXml(doc(rule('a', '') + rule('a', 'p')))), 'InvalidArgument');
  assert.equal(code(() => replicationFromXml(doc(rule('a', '') + rule('b', 'p', 'Enabled', 'e-1')))), 'MultiBucketNotSupport');
  assert.equal(code(() => replicationFromXml(doc(rule('a', '', 'On')))), 'InvalidArgument');
  assert.equal(code(() => replicationFromXml(doc(rule('a', '', 'Enabled', 'nope')))), 'InvalidArgument');
});

test('object lock: days 1-36500, only lengthened; retention follows the write time and the time scale', () => {
  const xml = (days: string) => `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Days>${days}</Days></DefaultRetention></Rule></ObjectLockConfiguration>`;
  assert.deepEqual(objectLockFromXml(xml('3')), { days: 3 });
  for (const bad of ['0', '36501', '-1', '1.5', 'x']) assert.equal(code(() => objectLockFromXml(xml(bad))), 'InvalidArgument', bad);
  assert.equal(code(() => checkObjectLockChange({ days: 3 }, { days: 2 })), 'InvalidArgument');
  assert.equal(code(() => checkObjectLockChange({ days: 3 }, { days: 4 })), 'no error');
  const bucket = { name: 'b', appid: '1', ownerUin: '1', region: 'r', createdAt: 0, configs: { 'object-lock': { days: 2 } } };
  const version = { bucket: 'b', key: 'k', size: 0, etag: '', crc64: '', lastModified: 1000, storageClass: 'STANDARD', objectType: 'normal' as const, contentHeaders: {}, meta: {}, ownerUin: '1', blobs: [] };
  assert.equal(retainUntil(bucket, version, 86_400), 3000);
  assert.equal(retainUntil({ ...bucket, configs: {} }, version, 1), undefined);
});

test('origin: strict rules sorted by priority; only allowed hosts are fetched from (loopback by default)', () => {
  const rule = (host: string, priority: number, prefix = '') =>
    `<OriginRule><RulePriority>${priority}</RulePriority><OriginType>Mirror</OriginType><OriginCondition><HTTPStatusCode>404</HTTPStatusCode><Prefix>${prefix}</Prefix></OriginCondition><OriginInfo><HostInfo><HostName>${host}</HostName></HostInfo></OriginInfo></OriginRule>`;
  const rules = originFromXml(`<OriginConfiguration>${rule('b.example.com', 2)}${rule('127.0.0.1:8080', 1, 'p/')}</OriginConfiguration>`);
  assert.deepEqual(rules.map((r) => r.hostName), ['127.0.0.1:8080', 'b.example.com']);
  for (const bad of ['http://x', 'x/y', 'a b', 'x:99999', '']) {
    assert.notEqual(code(() => originFromXml(`<OriginConfiguration>${rule(bad, 1)}</OriginConfiguration>`)), 'no error', bad);
  }
  assert.equal(originAllowed('127.0.0.1:8080', []), true);
  assert.equal(originAllowed('localhost', []), true);
  assert.equal(originAllowed('[::1]:80', []), true);
  assert.equal(originAllowed('10.0.0.1', []), false);
  assert.equal(originAllowed('169.254.169.254', []), false, 'the cloud metadata address above all');
  assert.equal(originAllowed('B.example.com:443', ['b.example.com']), true);
  assert.equal(originAllowed('127.0.0.1', ['b.example.com']), false, 'a list replaces the loopback default');
  assert.equal(originAllowed('anything', ['*']), true);
});

test('access log lines: one line, fixed field count, whatever the request carried', () => {
  const line = logLine({
    time: 0, bucket: 'b', region: 'r', operation: 'GetObject', method: 'GET', path: '/a b\r\nc', query: '', status: 200, errorCode: '',
    requestBytes: 0, responseBytes: 5, totalMs: 1, requester: 'AKID', requestId: 'id', remoteIp: '127.0.0.1', userAgent: 'ua \n x', referer: '',
  });
  assert.equal(line.includes('\n'), false);
  assert.equal(line.split(' ').length, 19);
  assert.ok(line.includes(' %2Fa%20b%0D%0Ac '));
});
