/**
 * GET Service as today's COS documents it, through the official SDK's getService parameters
 * (TagKey, TagValue, Region, CreateTime + CreateRange, Marker, MaxKeys) and raw HTTP for the paging
 * elements the SDK does not hand back (IsTruncated, NextMarker).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseXml, xmlChild, xmlList, xmlText } from '@cosbox/protocol';
import { APPID, REGION, startHarness, UIN, type Harness } from './harness.js';
import { assertCosError, send } from './raw.js';

let h: Harness;
/** Creation instants, seconds: a bucket per second from T. */
const T = 1_700_000_000;
const names = ['svc-a', 'svc-b', 'svc-c', 'svc-d', 'svc-e'].map((n) => `${n}-${APPID}`);
before(async () => {
  h = await startHarness();
  // Written to the store directly so that creation times are known to the second.
  const regions = [REGION, 'ap-beijing', REGION, 'ap-shanghai', REGION];
  for (const [i, name] of names.entries()) {
    await h.server.services.meta.createBucket({ name, appid: APPID, ownerUin: UIN, region: regions[i], createdAt: (T + i) * 1000 + 123 }, 200);
  }
  await h.cos.putBucketTagging({ Bucket: names[1], Region: 'ap-beijing', Tags: [{ Key: 'team', Value: 'red' }, { Key: 'env', Value: 'prod' }] });
  await h.cos.putBucketTagging({ Bucket: names[3], Region: 'ap-shanghai', Tags: [{ Key: 'team', Value: 'blue' }] });
});
after(() => h.close());

const listed = (data: { Buckets: Array<{ Name: string }> }) => data.Buckets.map((b) => b.Name);

test('CreationDate to the second (the Python SDK parses %Y-%m-%dT%H:%M:%SZ), CreateDate as 004 writes it', async () => {
  const data = await h.cos.getService({});
  const b = data.Buckets.find((x) => x.Name === names[0]) as unknown as Record<string, string>;
  assert.equal(b.CreationDate, new Date(T * 1000).toISOString().replace('.000Z', 'Z'));
  assert.match(b.CreationDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(b.CreateDate, new Date(T * 1000 + 123).toISOString());
  assert.equal(b.Location, REGION);
});

test('tagkey and tagvalue filter by bucket tags', async () => {
  assert.deepEqual(listed(await h.cos.getService({ TagKey: 'team' })), [names[1], names[3]]);
  assert.deepEqual(listed(await h.cos.getService({ TagKey: 'team', TagValue: 'blue' })), [names[3]]);
  assert.deepEqual(listed(await h.cos.getService({ TagKey: 'env', TagValue: 'dev' })), []);
  assertCosError(await send(h, { host: 'service.cos.myqcloud.com', path: '/?tagvalue=red' }), 400, 'InvalidArgument');
});

test('region: the parameter and the regional endpoint', async () => {
  assert.deepEqual(listed(await h.cos.getService({ Region: 'ap-beijing' })), [names[1]]);
  const byParam = await send(h, { host: 'service.cos.myqcloud.com', path: '/?region=ap-shanghai' });
  const doc = xmlChild(parseXml(byParam.text).ListAllMyBucketsResult) ?? {};
  const buckets = xmlList(xmlChild(doc.Buckets)?.Bucket).map((b) => xmlText(xmlChild(b)?.Name));
  assert.deepEqual(buckets, [names[3]]);
});

test('create-time with range lt, gt, lte, gte', async () => {
  const at = String(T + 2);
  const by = async (range: string) => listed(await h.cos.getService({ CreateTime: at, CreateRange: range } as Parameters<Harness['cos']['getService']>[0]));
  assert.deepEqual(await by('lt'), names.slice(0, 2));
  assert.deepEqual(await by('lte'), names.slice(0, 3));
  assert.deepEqual(await by('gt'), names.slice(3));
  assert.deepEqual(await by('gte'), names.slice(2));
  const service = (path: string) => send(h, { host: 'service.cos.myqcloud.com', path });
  assertCosError(await service(`/?create-time=${at}&range=eq`), 400, 'InvalidArgument');
  assertCosError(await service(`/?create-time=${at}`), 400, 'InvalidArgument');
  assertCosError(await service('/?create-time=yesterday&range=lt'), 400, 'InvalidArgument');
});

test('paging: marker and max-keys, with IsTruncated and NextMarker', async () => {
  const page = async (query: string) => {
    const res = await send(h, { host: 'service.cos.myqcloud.com', path: `/?${query}` });
    assert.equal(res.status, 200, res.text);
    const doc = xmlChild(parseXml(res.text).ListAllMyBucketsResult) ?? {};
    return {
      names: xmlList(xmlChild(doc.Buckets)?.Bucket).map((b) => xmlText(xmlChild(b)?.Name)),
      truncated: xmlText(doc.IsTruncated),
      next: xmlText(doc.NextMarker),
      maxKeys: xmlText(doc.MaxKeys),
    };
  };
  const first = await page('max-keys=2');
  assert.deepEqual(first, { names: names.slice(0, 2), truncated: 'true', next: names[1], maxKeys: '2' });
  const second = await page(`max-keys=2&marker=${first.next}`);
  assert.deepEqual(second, { names: names.slice(2, 4), truncated: 'true', next: names[3], maxKeys: '2' });
  const last = await page(`max-keys=2&marker=${second.next}`);
  assert.deepEqual(last, { names: names.slice(4), truncated: 'false', next: undefined, maxKeys: '2' });
  assert.deepEqual((await page('')).maxKeys, '2000');

  // The SDK's Marker and MaxKeys reach the server the same way.
  assert.deepEqual(listed(await h.cos.getService({ Marker: names[2], MaxKeys: '1' } as Parameters<Harness['cos']['getService']>[0])), [names[3]]);
  assertCosError(await send(h, { host: 'service.cos.myqcloud.com', path: '/?max-keys=0' }), 400, 'InvalidArgument');
  assertCosError(await send(h, { host: 'service.cos.myqcloud.com', path: '/?max-keys=-1' }), 400, 'InvalidArgument');
});
