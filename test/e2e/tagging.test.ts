/**
 * Object tagging (issue 6, item 5) and bucket tagging, end to end with the official SDK: PUT/GET/DELETE Object tagging,
 * the x-cos-tagging header on PUT Object, PUT Object - Copy (x-cos-tagging-directive), Initiate
 * Multipart Upload, Append Object and the POST form, x-cos-tagging-count on HEAD and GET, and COS's limits.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { postForm, signedFields } from './form.js';
import { assertCosError, encodeKey, md5Base64, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
const Bucket = bucketName('tags');
before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

const at = (Key: string) => ({ Bucket, Region: REGION, Key });
const tagsOf = async (Key: string) => (await h.cos.getObjectTagging(at(Key))).Tags;
const tagCount = async (Key: string) => (await h.cos.headObject(at(Key))).headers?.['x-cos-tagging-count'];
const tagging = (Key: string, header: string) => h.cos.putObject({ ...at(Key), Body: 'x', Headers: { 'x-cos-tagging': header } });

test('PUT, GET and DELETE Object tagging: tags in order, a PUT replaces them all, DELETE answers 204', async () => {
  await h.cos.putObject({ ...at('doc.txt'), Body: 'tagged' });
  assert.deepEqual(await tagsOf('doc.txt'), [], 'no tags yet');
  assert.equal(await tagCount('doc.txt'), undefined);

  const Tags = [{ Key: 'project', Value: 'cosbox' }, { Key: 'owner', Value: 'ops team' }, { Key: 'empty', Value: '' }];
  const put = await h.cos.putObjectTagging({ ...at('doc.txt'), Tags });
  assert.equal(put.statusCode, 200);
  assert.deepEqual(await tagsOf('doc.txt'), Tags);
  assert.equal(await tagCount('doc.txt'), '3');
  const got = await h.cos.getObject(at('doc.txt'));
  assert.equal(got.headers?.['x-cos-tagging-count'], '3');
  assert.equal(got.Body.toString(), 'tagged', 'tagging leaves the content alone');

  await h.cos.putObjectTagging({ ...at('doc.txt'), Tags: [{ Key: 'only', Value: '1' }] });
  assert.deepEqual(await tagsOf('doc.txt'), [{ Key: 'only', Value: '1' }]);

  const removed = await h.cos.deleteObjectTagging(at('doc.txt'));
  assert.equal(removed.statusCode, 204);
  assert.deepEqual(await tagsOf('doc.txt'), []);
  assert.equal(await tagCount('doc.txt'), undefined);
  assert.equal((await h.cos.getObject(at('doc.txt'))).Body.toString(), 'tagged');
});

test('the Tagging document over the wire: its XML, Content-MD5 optional but checked, MalformedXML', async () => {
  await h.cos.putObject({ ...at('raw.txt'), Body: 'r' });
  const body = '<Tagging><TagSet><Tag><Key>a:b/c@d</Key><Value>x+y=z</Value></Tag></TagSet></Tagging>';
  const path = `/${encodeKey('raw.txt')}?tagging`;
  assert.equal((await sendToBucket(h, Bucket, { method: 'PUT', path, body })).status, 200, 'without Content-MD5');
  const got = await sendToBucket(h, Bucket, { path });
  assert.equal(got.status, 200);
  assert.match(String(got.headers['content-type']), /^application\/xml/);
  assert.equal(got.text, `<?xml version="1.0" encoding="UTF-8"?>\n${body}`);

  const wrongMd5 = await sendToBucket(h, Bucket, { method: 'PUT', path, body, headers: { 'content-md5': md5Base64('other') } });
  assertCosError(wrongMd5, 400, 'BadDigest');
  assert.equal((await sendToBucket(h, Bucket, { method: 'PUT', path, body, headers: { 'content-md5': md5Base64(body) } })).status, 200);

  for (const bad of ['not xml', '<Tagging/>', '<Other><TagSet/></Other>', '<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>']) {
    assertCosError(await sendToBucket(h, Bucket, { method: 'PUT', path, body: bad }), 400, 'MalformedXML');
  }
  assert.deepEqual(await tagsOf('raw.txt'), [{ Key: 'a:b/c@d', Value: 'x+y=z' }], 'a refused PUT changes nothing');
});

test('InvalidTag: more than 10 tags, keys of 0 or 129 characters, values of 257, other characters, a key twice', async () => {
  await h.cos.putObject({ ...at('limits.txt'), Body: 'l' });
  const ten = Array.from({ length: 10 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
  await h.cos.putObjectTagging({ ...at('limits.txt'), Tags: ten });
  assert.equal(await tagCount('limits.txt'), '10');
  const longest = [{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }, { Key: '中文标签', Value: 'Ünïcödé letters' }];
  await h.cos.putObjectTagging({ ...at('limits.txt'), Tags: longest });
  assert.deepEqual(await tagsOf('limits.txt'), longest);

  const refused: Array<Array<{ Key: string; Value: string }>> = [
    [...ten, { Key: 'k10', Value: '' }],
    [{ Key: '', Value: 'v' }],
    [{ Key: 'k'.repeat(129), Value: '' }],
    [{ Key: 'k', Value: 'v'.repeat(257) }],
    [{ Key: 'star*', Value: '' }],
    [{ Key: 'k', Value: 'comma,' }],
    [{ Key: 'k', Value: 'a&b' }],
    [{ Key: 'dup', Value: '1' }, { Key: 'dup', Value: '2' }],
  ];
  for (const Tags of refused) await sdkRejects(h.cos.putObjectTagging({ ...at('limits.txt'), Tags }), 400, 'InvalidTag');
  assert.deepEqual(await tagsOf('limits.txt'), longest, 'refused tags change nothing');

  await sdkRejects(tagging('limits-header.txt', Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&')), 400, 'InvalidTag');
  await sdkRejects(tagging('limits-header.txt', 'a=1&a=2'), 400, 'InvalidTag');
  await sdkRejects(tagging('limits-header.txt', 'k=%E4'), 400, 'InvalidTag');
  await sdkRejects(tagging('limits-header.txt', 'k=a%2Cb'), 400, 'InvalidTag');
  await sdkRejects(h.cos.headObject(at('limits-header.txt')), 404);
});

test('NoSuchKey: tagging a missing object, reading or deleting its tags', async () => {
  await sdkRejects(h.cos.putObjectTagging({ ...at('missing'), Tags: [{ Key: 'a', Value: 'b' }] }), 404, 'NoSuchKey');
  await sdkRejects(h.cos.getObjectTagging(at('missing')), 404, 'NoSuchKey');
  await sdkRejects(h.cos.deleteObjectTagging(at('missing')), 404, 'NoSuchKey');
});

test('x-cos-tagging on PUT Object: URL-query form; an overwrite without it has no tags', async () => {
  await tagging('hdr.txt', 'team=storage&note=hello%20world&plus=a+b&flag');
  assert.deepEqual(await tagsOf('hdr.txt'), [
    { Key: 'team', Value: 'storage' },
    { Key: 'note', Value: 'hello world' },
    { Key: 'plus', Value: 'a b' },
    { Key: 'flag', Value: '' },
  ]);
  assert.equal(await tagCount('hdr.txt'), '4');
  await h.cos.putObject({ ...at('hdr.txt'), Body: 'new content' });
  assert.deepEqual(await tagsOf('hdr.txt'), [], 'a new object, new (no) tags');
});

test('PUT Object - Copy: x-cos-tagging-directive Copy (the default) keeps the source tags, Replaced takes the request\'s', async () => {
  await tagging('src.txt', 'origin=src&n=1');
  const CopySource = `${Bucket}.cos.${REGION}.myqcloud.com/src.txt`;
  await h.cos.putObjectCopy({ ...at('copy-default.txt'), CopySource, Headers: { 'x-cos-tagging': 'ignored=1' } });
  assert.deepEqual(await tagsOf('copy-default.txt'), [{ Key: 'origin', Value: 'src' }, { Key: 'n', Value: '1' }]);
  await h.cos.putObjectCopy({ ...at('copy-copy.txt'), CopySource, Headers: { 'x-cos-tagging-directive': 'Copy' } });
  assert.equal(await tagCount('copy-copy.txt'), '2');

  await h.cos.putObjectCopy({ ...at('copy-replaced.txt'), CopySource, Headers: { 'x-cos-tagging-directive': 'Replaced', 'x-cos-tagging': 'fresh=yes' } });
  assert.deepEqual(await tagsOf('copy-replaced.txt'), [{ Key: 'fresh', Value: 'yes' }]);
  await h.cos.putObjectCopy({ ...at('copy-none.txt'), CopySource, Headers: { 'x-cos-tagging-directive': 'Replaced' } });
  assert.deepEqual(await tagsOf('copy-none.txt'), []);

  // The two directives are independent: new metadata, the source's tags.
  await h.cos.putObjectCopy({ ...at('copy-meta.txt'), CopySource, MetadataDirective: 'Replaced', Headers: { 'x-cos-meta-m': '1' } } as COS.PutObjectCopyParams);
  assert.equal(await tagCount('copy-meta.txt'), '2');
  assert.equal((await h.cos.headObject(at('copy-meta.txt'))).headers?.['x-cos-meta-m'], '1');

  await sdkRejects(h.cos.putObjectCopy({ ...at('copy-bad.txt'), CopySource, Headers: { 'x-cos-tagging-directive': 'Merge' } }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.putObjectCopy({ ...at('copy-bad.txt'), CopySource, Headers: { 'x-cos-tagging-directive': 'Replaced', 'x-cos-tagging': 'a=1&a=2' } }), 400, 'InvalidTag');
});

test('Initiate Multipart Upload with x-cos-tagging: the completed object has the tags', async () => {
  const Key = 'multi.bin';
  const { UploadId } = await h.cos.multipartInit({ ...at(Key), Headers: { 'x-cos-tagging': 'kind=multipart&parts=2' } } as COS.MultipartInitParams);
  const parts = [Buffer.alloc(1024 * 1024, 1), Buffer.from('tail')];
  const Parts = [];
  for (const [i, Body] of parts.entries()) {
    const { ETag } = await h.cos.multipartUpload({ ...at(Key), UploadId, PartNumber: i + 1, Body });
    Parts.push({ PartNumber: i + 1, ETag });
  }
  await h.cos.multipartComplete({ ...at(Key), UploadId, Parts });
  assert.deepEqual(await tagsOf(Key), [{ Key: 'kind', Value: 'multipart' }, { Key: 'parts', Value: '2' }]);
  assert.equal(await tagCount(Key), '2');

  await sdkRejects(h.cos.multipartInit({ ...at(Key), Headers: { 'x-cos-tagging': 'bad*key=1' } } as COS.MultipartInitParams), 400, 'InvalidTag');
});

test('Append Object: the first append\'s x-cos-tagging tags the object, later appends keep them', async () => {
  const Key = 'appended.log';
  await h.cos.appendObject({ ...at(Key), Position: 0, Body: 'one', Headers: { 'x-cos-tagging': 'log=yes' } } as COS.AppendObjectParams);
  await h.cos.appendObject({ ...at(Key), Position: 3, Body: 'two' } as COS.AppendObjectParams);
  assert.deepEqual(await tagsOf(Key), [{ Key: 'log', Value: 'yes' }]);
});

test('POST Object: the x-cos-tagging form field tags the uploaded object', async () => {
  const res = await postForm(h, Bucket, { key: 'form.txt', 'x-cos-tagging': 'via=form&n=%31', ...signedFields([]) });
  assert.equal(res.status, 204, res.text);
  assert.deepEqual(await tagsOf('form.txt'), [{ Key: 'via', Value: 'form' }, { Key: 'n', Value: '1' }]);
  assert.equal(await tagCount('form.txt'), '2');

  assertCosError(await postForm(h, Bucket, { key: 'form-bad.txt', 'x-cos-tagging': 'a=1&a=2', ...signedFields([]) }), 400, 'InvalidTag');
  await sdkRejects(h.cos.headObject(at('form-bad.txt')), 404);
});

test('PUT, GET and DELETE Bucket tagging with the SDK: NoSuchTagSet 404 without tags, a PUT replaces them, DELETE 204', async () => {
  const Tagged = bucketName('btags');
  await h.cos.putBucket({ Bucket: Tagged, Region: REGION });
  const bucket = { Bucket: Tagged, Region: REGION };
  assert.deepEqual((await h.cos.getBucketTagging(bucket)).Tags, [], 'the SDK reads NoSuchTagSet as no tags');
  assertCosError(await sendToBucket(h, Tagged, { path: '/?tagging' }), 404, 'NoSuchTagSet');

  const Tags = [{ Key: 'project', Value: 'cosbox' }, { Key: 'cost center', Value: '' }, { Key: '部门', Value: 'ops/infra' }];
  assert.equal((await h.cos.putBucketTagging({ ...bucket, Tags })).statusCode, 200);
  assert.deepEqual((await h.cos.getBucketTagging(bucket)).Tags, Tags);
  const raw = await sendToBucket(h, Tagged, { path: '/?tagging' });
  assert.equal(raw.text, '<?xml version="1.0" encoding="UTF-8"?>\n<Tagging><TagSet><Tag><Key>project</Key><Value>cosbox</Value></Tag><Tag><Key>cost center</Key><Value/></Tag><Tag><Key>部门</Key><Value>ops/infra</Value></Tag></TagSet></Tagging>');
  await h.cos.putBucketTagging({ ...bucket, Tags: [{ Key: 'only', Value: '1' }] });
  assert.deepEqual((await h.cos.getBucketTagging(bucket)).Tags, [{ Key: 'only', Value: '1' }]);
  await sdkRejects(h.cos.getObjectTagging({ ...bucket, Key: 'x' }), 404, 'NoSuchKey');

  assert.equal((await h.cos.deleteBucketTagging(bucket)).statusCode, 204);
  assert.deepEqual((await h.cos.getBucketTagging(bucket)).Tags, []);
  assert.equal((await sendToBucket(h, Tagged, { method: 'DELETE', path: '/?tagging' })).status, 204, 'DELETE without tags');
  await h.cos.deleteBucket(bucket);
});

test('Bucket tagging limits: up to 50 tags, InvalidTag beyond and for bad keys, MalformedXML, BadDigest; owner only', async () => {
  const Tagged = bucketName('btags');
  await h.cos.putBucket({ Bucket: Tagged, Region: REGION });
  const bucket = { Bucket: Tagged, Region: REGION };
  const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
  await h.cos.putBucketTagging({ ...bucket, Tags: fifty });
  assert.equal((await h.cos.getBucketTagging(bucket)).Tags.length, 50);
  await sdkRejects(h.cos.putBucketTagging({ ...bucket, Tags: [...fifty, { Key: 'k50', Value: '' }] }), 400, 'InvalidTag');
  await sdkRejects(h.cos.putBucketTagging({ ...bucket, Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] }), 400, 'InvalidTag');
  await sdkRejects(h.cos.putBucketTagging({ ...bucket, Tags: [{ Key: 'a#b', Value: '1' }] }), 400, 'InvalidTag');
  await sdkRejects(h.cos.putBucketTagging({ ...bucket, Tags: [{ Key: '', Value: '1' }] }), 400, 'InvalidTag');
  const path = '/?tagging';
  assertCosError(await sendToBucket(h, Tagged, { method: 'PUT', path, body: '<Tagging/>' }), 400, 'MalformedXML');
  const body = '<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>';
  assertCosError(await sendToBucket(h, Tagged, { method: 'PUT', path, body, headers: { 'content-md5': md5Base64('other') } }), 400, 'BadDigest');
  assert.equal((await h.cos.getBucketTagging(bucket)).Tags.length, 50, 'refused PUTs change nothing');
  assertCosError(await send(h, { path: `/${Tagged}/?tagging`, sign: false }), 403, 'AccessDenied');
});
