/** GET Bucket (List Objects) through the official SDK's getBucket (C176-C183). */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { APPID, bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, assertRequestId, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

/** A new bucket holding `keys`: each object's body is its key, a folder marker's is empty (C007). */
async function bucketWith(keys: readonly string[], parallel = 32): Promise<string> {
  const Bucket = bucketName('list');
  await h.cos.putBucket({ Bucket, Region: REGION });
  for (let i = 0; i < keys.length; i += parallel) {
    await Promise.all(keys.slice(i, i + parallel).map((Key) => h.cos.putObject({ Bucket, Region: REGION, Key, Body: Key.endsWith('/') ? '' : Key })));
  }
  return Bucket;
}

/** A ListBucketResult element the SDK's typings leave out (Delimiter, Encoding-Type). */
function element(result: COS.GetBucketResult, name: string): unknown {
  return (result as unknown as Record<string, unknown>)[name];
}

/** Keys sorted by their UTF-8 bytes, the order COS lists in. */
function utf8Sorted(keys: readonly string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

const TREE = ['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'dir/'];

test('C177 C183 the ListBucketResult: name, defaults, and every Contents field', async () => {
  const Bucket = await bucketWith(['one.txt']);
  const data = await h.cos.getBucket({ Bucket, Region: REGION });
  assert.equal(data.statusCode, 200);
  assertRequestId(data.headers);
  assert.equal(data.Name, Bucket);
  assert.equal(data.Prefix, '');
  assert.equal(data.Marker, '');
  assert.equal(data.MaxKeys, '1000'); // C176: default 1000
  assert.equal(data.IsTruncated, 'false');
  assert.equal(data.NextMarker, undefined);
  assert.equal(data.Contents.length, 1);
  const [o] = data.Contents;
  assert.equal(o.Key, 'one.txt');
  assert.match(o.LastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(o.ETag, `"${createHash('md5').update('one.txt').digest('hex')}"`);
  assert.equal(o.Size, '7');
  assert.deepEqual(o.Owner, { ID: APPID, DisplayName: APPID });
  assert.equal(o.StorageClass, 'STANDARD');
});

test('C179 delimiter groups keys into CommonPrefixes; prefix narrows; a folder marker lists as a key', async () => {
  const Bucket = await bucketWith(TREE);
  const top = await h.cos.getBucket({ Bucket, Region: REGION, Delimiter: '/' });
  assert.deepEqual(top.Contents.map((c) => c.Key), ['c']);
  assert.deepEqual(top.CommonPrefixes.map((p) => p.Prefix), ['a/', 'b/', 'dir/']);
  assert.equal(element(top, 'Delimiter'), '/');

  const inA = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: 'a/', Delimiter: '/' });
  assert.equal(inA.Prefix, 'a/');
  assert.deepEqual(inA.Contents.map((c) => c.Key), ['a/1', 'a/2']);
  assert.deepEqual(inA.CommonPrefixes.map((p) => p.Prefix), ['a/b/']);

  const folder = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: 'dir/', Delimiter: '/' });
  assert.deepEqual(folder.Contents.map((c) => [c.Key, c.Size]), [['dir/', '0']]);

  const flat = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: 'a' });
  assert.deepEqual(flat.Contents.map((c) => c.Key), ['a/1', 'a/2', 'a/b/3']);
  assert.deepEqual(flat.CommonPrefixes, []);

  const none = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: 'zzz' });
  assert.deepEqual(none.Contents, []);
  assert.equal(none.IsTruncated, 'false');
});

test('C178 marker lists strictly after the key; max-keys truncates with NextMarker, prefixes counting', async () => {
  const Bucket = await bucketWith(TREE);
  const after = await h.cos.getBucket({ Bucket, Region: REGION, Marker: 'a/2' });
  assert.equal(after.Marker, 'a/2');
  assert.deepEqual(after.Contents.map((c) => c.Key), ['a/b/3', 'b/1', 'c', 'dir/']);

  const page = await h.cos.getBucket({ Bucket, Region: REGION, MaxKeys: 2 });
  assert.equal(page.MaxKeys, '2');
  assert.equal(page.IsTruncated, 'true');
  assert.deepEqual(page.Contents.map((c) => c.Key), ['a/1', 'a/2']);
  assert.equal(page.NextMarker, 'a/2');

  // Common prefixes count toward max-keys, and NextMarker resumes after the last prefix.
  const grouped = await h.cos.getBucket({ Bucket, Region: REGION, Delimiter: '/', MaxKeys: 2 });
  assert.deepEqual(grouped.CommonPrefixes.map((p) => p.Prefix), ['a/', 'b/']);
  assert.deepEqual(grouped.Contents, []);
  assert.equal(grouped.IsTruncated, 'true');
  const rest = await h.cos.getBucket({ Bucket, Region: REGION, Delimiter: '/', Marker: grouped.NextMarker });
  assert.deepEqual(rest.Contents.map((c) => c.Key), ['c']);
  assert.deepEqual(rest.CommonPrefixes.map((p) => p.Prefix), ['dir/']);
  assert.equal(rest.IsTruncated, 'false');

  const exact = await h.cos.getBucket({ Bucket, Region: REGION, MaxKeys: TREE.length });
  assert.equal(exact.Contents.length, TREE.length);
  assert.equal(exact.IsTruncated, 'false');
});

test('C181 max-keys is capped at 1000; junk, negative or fractional max-keys is InvalidArgument', async () => {
  const Bucket = await bucketWith(['k']);
  const capped = await h.cos.getBucket({ Bucket, Region: REGION, MaxKeys: 5000 });
  assert.equal(capped.MaxKeys, '1000');
  for (const junk of ['abc', '-1', '1.5', '10x']) {
    const res = await sendToBucket(h, Bucket, { path: `/?max-keys=${junk}` });
    assertCosError(res, 400, 'InvalidArgument');
  }
  await sdkRejects(h.cos.getBucket({ Bucket, Region: REGION, MaxKeys: 'many' as unknown as number }), 400, 'InvalidArgument');
});

test('C182 paging through 2500 keys with NextMarker returns every key once, in order', async () => {
  const keys = Array.from({ length: 2500 }, (_, i) => `p/${String(i).padStart(5, '0')}`);
  const Bucket = await bucketWith(keys, 128);
  const seen: string[] = [];
  const pages: number[] = [];
  let Marker: string | undefined;
  for (;;) {
    const page: COS.GetBucketResult = await h.cos.getBucket({ Bucket, Region: REGION, Marker });
    pages.push(page.Contents.length);
    seen.push(...page.Contents.map((c) => c.Key));
    if (page.IsTruncated !== 'true') break;
    assert.equal(page.NextMarker, page.Contents[page.Contents.length - 1].Key);
    Marker = page.NextMarker;
  }
  assert.deepEqual(pages, [1000, 1000, 500]);
  assert.deepEqual(seen, keys);

  const small: string[] = [];
  Marker = undefined;
  for (let i = 0; i < 5; i++) {
    const page: COS.GetBucketResult = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: 'p/0009', MaxKeys: 30, Marker });
    small.push(...page.Contents.map((c) => c.Key));
    if (page.IsTruncated !== 'true') break;
    Marker = page.NextMarker;
  }
  assert.deepEqual(small, keys.filter((k) => k.startsWith('p/0009')));
});

test('C178 keys are listed in UTF-8 byte order, not UTF-16 order', async () => {
  const keys = ['𝄞', '\uFFFD', '中', 'é', 'b', 'a'];
  const Bucket = await bucketWith(keys);
  const data = await h.cos.getBucket({ Bucket, Region: REGION });
  // UTF-16 code units would put U+1D11E (a surrogate pair, D834) before U+FFFD.
  assert.deepEqual(data.Contents.map((c) => c.Key), ['a', 'b', 'é', '中', '\uFFFD', '𝄞']);
  assert.deepEqual(data.Contents.map((c) => c.Key), utf8Sorted(keys));
  const tail = await h.cos.getBucket({ Bucket, Region: REGION, Marker: '中' });
  assert.deepEqual(tail.Contents.map((c) => c.Key), ['\uFFFD', '𝄞']);
});

test('C180 encoding-type=url percent-encodes Key, Prefix, Marker, NextMarker and Delimiter', async () => {
  const keys = ['腾讯云/a b+c', '腾讯云/x%y?z#', '腾讯云/中/deep', 'plain'];
  const Bucket = await bucketWith(keys);
  const data = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: '腾讯云/', Delimiter: '/', EncodingType: 'url', MaxKeys: 2 });
  assert.equal(element(data, 'Encoding-Type'), 'url');
  assert.equal(element(data, 'EncodingType'), 'url', 'the element COS and S3 answer, which the Python SDK reads before decoding keys');
  assert.equal(data.Prefix, '%E8%85%BE%E8%AE%AF%E4%BA%91%2F');
  assert.equal(element(data, 'Delimiter'), '%2F');
  assert.equal(data.IsTruncated, 'true');
  assert.deepEqual(data.Contents.map((c) => decodeURIComponent(c.Key)), ['腾讯云/a b+c', '腾讯云/x%y?z#']);
  for (const c of data.Contents) assert.match(c.Key, /^[A-Za-z0-9%._~*'()!-]+$/, 'nothing left unencoded');
  assert.equal(decodeURIComponent(data.NextMarker ?? ''), '腾讯云/x%y?z#');

  const next = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: '腾讯云/', Delimiter: '/', EncodingType: 'url', Marker: '腾讯云/x%y?z#' });
  assert.equal(decodeURIComponent(next.Marker), '腾讯云/x%y?z#');
  assert.deepEqual(next.CommonPrefixes.map((p) => decodeURIComponent(p.Prefix)), ['腾讯云/中/']);

  // Without encoding-type the same names come back verbatim (XML-escaped on the wire).
  const plain = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: '腾讯云/' });
  assert.deepEqual(plain.Contents.map((c) => c.Key), keys.slice(0, 3).sort());

  const bad = await sendToBucket(h, Bucket, { path: '/?encoding-type=base64' });
  assertCosError(bad, 400, 'InvalidArgument');
});

test('keys with XML-special characters list byte-exact', async () => {
  const keys = ['a&b', '<tag>', 'quote"\'', ' lead and trail ', 'tab\tkey'];
  const Bucket = await bucketWith(keys);
  const data = await h.cos.getBucket({ Bucket, Region: REGION });
  assert.deepEqual(data.Contents.map((c) => c.Key), utf8Sorted(keys));
});

test('listing a missing bucket is NoSuchBucket; anonymous listing of a private bucket is AccessDenied', async () => {
  await sdkRejects(h.cos.getBucket({ Bucket: bucketName(), Region: REGION }), 404, 'NoSuchBucket');
  const Bucket = await bucketWith([]);
  const res = await send(h, { path: `/${Bucket}`, sign: false });
  assertCosError(res, 403, 'AccessDenied');
});
