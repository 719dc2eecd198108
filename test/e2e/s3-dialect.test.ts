/**
 * The S3 dialect on the COS endpoint (issue 13, items 2 and 3), by raw HTTP: anonymous requests that
 * carry S3's marks (x-amz-* headers, `list-type`) on a public-read-write bucket made with the
 * official COS SDK are answered in S3's words (namespace, x-amz-* headers, S3 error codes), their
 * x-amz-* headers land on the same model as x-cos-* ones, and COS requests are answered as before.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { amzDate, parseXml, postPolicySignatureV4, xmlChild, xmlList, xmlText } from '@cosbox/protocol';
import { nodeCrypto } from '../../packages/server/src/auth/node-crypto.js';
import { postForm } from './form.js';
import { APPID, bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';
import { md5Base64, send, type RawRequest } from './raw.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
let h: Harness;
let Bucket: string;

before(async () => {
  h = await startHarness();
  Bucket = bucketName('s3d');
  await h.cos.putBucket({ Bucket, Region: REGION, ACL: 'public-read-write' });
});
after(() => h.close());

/** An anonymous S3-style request, path style on 127.0.0.1 (every request carries an x-amz-* mark). */
function s3(req: Omit<RawRequest, 'sign'>) {
  return send(h, { ...req, sign: false, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...req.headers } });
}

function rootOf(text: string, root: string) {
  const doc = xmlChild(parseXml(text)[root]);
  assert.ok(doc, `no <${root}> in ${text}`);
  return doc;
}

test('S3 requests get x-amz-request-id and x-amz-id-2; COS requests keep x-cos-request-id', async () => {
  const res = await s3({ method: 'HEAD', path: `/${Bucket}` });
  assert.equal(res.status, 200);
  assert.ok(res.headers['x-amz-request-id']);
  assert.ok(res.headers['x-amz-id-2']);
  assert.equal(res.headers['x-cos-request-id'], undefined);
  assert.equal(res.headers['x-amz-bucket-region'], REGION);
  const cos = await send(h, { method: 'HEAD', path: `/${Bucket}`, sign: false });
  assert.ok(cos.headers['x-cos-request-id']);
  assert.equal(cos.headers['x-amz-request-id'], undefined);
  assert.equal(cos.headers['x-cos-bucket-region'], REGION);
});

test('object round trip: x-amz-meta-*, storage class GLACIER as ARCHIVE, tagging, in S3 words both ways', async () => {
  const put = await s3({
    method: 'PUT',
    path: `/${Bucket}/dir/a.txt`,
    body: 'hello s3',
    headers: { 'x-amz-meta-color': 'blue', 'x-amz-storage-class': 'GLACIER', 'x-amz-tagging': 'k1=v1&k2=v2', 'content-type': 'text/plain' },
  });
  assert.equal(put.status, 200, put.text);
  // The same object through COS's words: the S3 headers reached the one model.
  const cos = await h.cos.headObject({ Bucket, Region: REGION, Key: 'dir/a.txt' });
  assert.equal(cos.headers['x-cos-meta-color'], 'blue');
  assert.equal(cos.headers['x-cos-storage-class'], 'ARCHIVE');
  assert.equal(cos.headers['x-cos-tagging-count'], '2');

  const head = await s3({ method: 'HEAD', path: `/${Bucket}/dir/a.txt` });
  assert.equal(head.headers['x-amz-meta-color'], 'blue');
  assert.equal(head.headers['x-amz-storage-class'], 'GLACIER');
  assert.equal(head.headers['x-amz-tagging-count'], '2');
  assert.equal(head.headers['x-cos-meta-color'], undefined);
  assert.equal(head.headers['x-cos-hash-crc64ecma'] !== undefined, true, 'COS-only headers stay as they are');
});

test('ListObjectsV2: namespace, KeyCount, continuation tokens, start-after, fetch-owner', async () => {
  for (const key of ['v2/a', 'v2/b', 'v2/c', 'v2/d/e']) await h.cos.putObject({ Bucket, Region: REGION, Key: key, Body: key });
  const keys: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const q = `list-type=2&prefix=v2%2F&max-keys=2${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`;
    const res = await s3({ path: `/${Bucket}?${q}` });
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, new RegExp(`<ListBucketResult xmlns="${NS}">`));
    const doc = rootOf(res.text, 'ListBucketResult');
    assert.equal(xmlText(doc.KeyCount), String(xmlList(doc.Contents).length));
    assert.equal(xmlText(doc.ContinuationToken), token);
    for (const c of xmlList(doc.Contents)) {
      keys.push(xmlText(xmlChild(c)?.Key) ?? '');
      assert.equal(xmlChild(c)?.Owner, undefined, 'no Owner without fetch-owner');
    }
    token = xmlText(doc.NextContinuationToken);
    assert.equal(xmlText(doc.IsTruncated), token ? 'true' : 'false');
    pages++;
  } while (token && pages < 10);
  assert.deepEqual(keys, ['v2/a', 'v2/b', 'v2/c', 'v2/d/e']);
  assert.equal(pages, 2);

  const after = rootOf((await s3({ path: `/${Bucket}?list-type=2&prefix=v2/&start-after=v2/b&delimiter=/&fetch-owner=true` })).text, 'ListBucketResult');
  assert.deepEqual(xmlList(after.Contents).map((c) => xmlText(xmlChild(c)?.Key)), ['v2/c']);
  assert.deepEqual(xmlList(after.CommonPrefixes).map((c) => xmlText(xmlChild(c)?.Prefix)), ['v2/d/']);
  assert.equal(xmlText(after.KeyCount), '2');
  assert.equal(xmlText(after.StartAfter), 'v2/b');
  assert.ok(xmlChild(xmlChild(xmlList(after.Contents)[0])?.Owner), 'fetch-owner=true gives owners');

  const bad = await s3({ path: `/${Bucket}?list-type=2&continuation-token=%21%21` });
  assert.equal(bad.status, 400);
  assert.equal(xmlText(rootOf(bad.text, 'Error').Code), 'InvalidArgument');
});

test('errors in S3 words: S3 code and status from the one table, HostId, x-amz-request-id', async () => {
  const missing = await s3({ path: `/${Bucket}/nope` });
  assert.equal(missing.status, 404);
  const err = rootOf(missing.text, 'Error');
  assert.equal(xmlText(err.Code), 'NoSuchKey');
  assert.ok(xmlText(err.HostId));
  assert.equal(err.TraceId, undefined);
  assert.ok(missing.headers['x-amz-request-id']);

  // COS answers NoLifecycle? No: GET lifecycle without one is NoSuchLifecycleConfiguration in both.
  // A version that does not exist: COS says 400 NoSuchVersion, S3 404.
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'ver', Body: 'x' });
  const noVersion = await s3({ path: `/${Bucket}/ver?versionId=MTg0NDUxNjQ0NjIyOTk1NjU4MDA` });
  const cosNoVersion = await send(h, { path: `/${Bucket}/ver?versionId=MTg0NDUxNjQ0NjIyOTk1NjU4MDA`, sign: false });
  assert.equal(xmlText(rootOf(noVersion.text, 'Error').Code), xmlText(rootOf(cosNoVersion.text, 'Error').Code));
  if (cosNoVersion.status === 400) assert.equal(noVersion.status, 404);
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Suspended' } });

  const directive = await s3({ method: 'PUT', path: `/${Bucket}/dd`, headers: { 'x-amz-copy-source': `/${Bucket}/ver`, 'x-amz-metadata-directive': 'MOVE' } });
  assert.equal(directive.status, 400);
  assert.match(xmlText(rootOf(directive.text, 'Error').Message) ?? '', /x-amz-metadata-directive/, 'messages name the header the client sent');
  const storage = await s3({ method: 'PUT', path: `/${Bucket}/sc`, body: 'x', headers: { 'x-amz-storage-class': 'REDUCED_REDUNDANCY' } });
  assert.equal(storage.status, 400);
  assert.equal(xmlText(rootOf(storage.text, 'Error').Code), 'InvalidStorageClass');
  const cosStorage = await send(h, { method: 'PUT', path: `/${Bucket}/sc`, body: 'x', sign: false, headers: { 'x-cos-storage-class': 'REDUCED_REDUNDANCY' } });
  assert.equal(xmlText(rootOf(cosStorage.text, 'Error').Code), 'NotSupportedStorageClass');
});

test('copy with x-amz-copy-source, its conditions and the metadata directive', async () => {
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'src', Body: 'copy me', Headers: { 'x-cos-meta-old': '1' } });
  const etag = (await h.cos.headObject({ Bucket, Region: REGION, Key: 'src' })).headers.etag;
  const failed = await s3({ method: 'PUT', path: `/${Bucket}/dst`, headers: { 'x-amz-copy-source': `/${Bucket}/src`, 'x-amz-copy-source-if-match': '"0000"' } });
  assert.equal(failed.status, 412);
  assert.equal(xmlText(rootOf(failed.text, 'Error').Code), 'PreconditionFailed');
  const copy = await s3({
    method: 'PUT',
    path: `/${Bucket}/dst`,
    headers: { 'x-amz-copy-source': `${Bucket}/src`, 'x-amz-copy-source-if-match': etag ?? '', 'x-amz-metadata-directive': 'REPLACE', 'x-amz-meta-new': '2' },
  });
  assert.equal(copy.status, 200, copy.text);
  assert.match(copy.text, new RegExp(`<CopyObjectResult xmlns="${NS}">`));
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'dst' });
  assert.equal(head.headers['x-cos-meta-new'], '2');
  assert.equal(head.headers['x-cos-meta-old'], undefined);
});

test('DeleteObjects (POST ?delete) answers a DeleteResult in S3 namespace', async () => {
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'd1', Body: '1' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'd2', Body: '2' });
  const body = `<Delete xmlns="${NS}"><Object><Key>d1</Key></Object><Object><Key>d2</Key></Object></Delete>`;
  const res = await s3({ method: 'POST', path: `/${Bucket}?delete`, body, headers: { 'content-md5': md5Base64(body) } });
  assert.equal(res.status, 200, res.text);
  assert.match(res.text, new RegExp(`<DeleteResult xmlns="${NS}">`));
  assert.deepEqual(xmlList(rootOf(res.text, 'DeleteResult').Deleted).map((d) => xmlText(xmlChild(d)?.Key)).sort(), ['d1', 'd2']);
});

test('S3 virtual hosts: <bucket>.s3.<region>.<domain> and <bucket>.s3.<domain> address the bucket', async () => {
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'vh.txt', Body: 'virtual' });
  for (const host of [`${Bucket}.s3.${REGION}.amazonaws.com`, `${Bucket}.s3.localhost`, `${Bucket}.s3.${REGION}.example.internal`]) {
    const res = await send(h, { host, path: '/vh.txt', sign: false });
    assert.equal(res.status, 200, host);
    assert.equal(res.text, 'virtual');
    assert.ok(res.headers['x-amz-request-id'], 'an anonymous request on an S3 host speaks S3');
  }
  const wrongRegion = await send(h, { host: `${Bucket}.s3.ap-beijing.amazonaws.com`, path: '/vh.txt', sign: false });
  assert.equal(wrongRegion.status, 404);
  assert.equal(xmlText(rootOf(wrongRegion.text, 'Error').Code), 'NoSuchBucket');
  const pathStyle = await send(h, { host: `s3.${REGION}.amazonaws.com`, path: `/${Bucket}/vh.txt`, sign: false });
  assert.equal(pathStyle.text, 'virtual');
});

test('GetBucketLocation, versioning, tagging and ACL documents carry the S3 namespace and S3 names', async () => {
  const location = await s3({ path: `/${Bucket}?location` });
  // Owner-only: an anonymous caller is refused, in S3 words.
  assert.equal(location.status, 403);
  assert.equal(xmlText(rootOf(location.text, 'Error').Code), 'AccessDenied');

  const tags = `<Tagging xmlns="${NS}"><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`;
  assert.equal((await s3({ method: 'PUT', path: `/${Bucket}/dir/a.txt?tagging`, body: tags, headers: { 'content-md5': md5Base64(tags) } })).status, 200);
  const got = await s3({ path: `/${Bucket}/dir/a.txt?tagging` });
  assert.match(got.text, new RegExp(`<Tagging xmlns="${NS}">`));
  assert.equal(xmlText(xmlChild(xmlChild(rootOf(got.text, 'Tagging').TagSet)?.Tag)?.Key), 'a');
});

test('restore with S3 GlacierJobParameters; x-amz-restore on HEAD', async () => {
  const body = '<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Expedited</Tier></GlacierJobParameters></RestoreRequest>';
  const res = await s3({ method: 'POST', path: `/${Bucket}/dir/a.txt?restore`, body, headers: { 'content-md5': md5Base64(body) } });
  assert.ok(res.status === 202 || res.status === 200, res.text);
  const head = await s3({ method: 'HEAD', path: `/${Bucket}/dir/a.txt` });
  assert.match(String(head.headers['x-amz-restore']), /ongoing-request/);
});

test('CreateBucket: a name without -<appid> is refused with the name to use; the LocationConstraint must agree with the endpoint', async () => {
  const noAppid = await h.cos.putBucket({ Bucket: 'plainname', Region: REGION }).then(
    () => undefined,
    (e: { code?: string; message?: string; error?: { Message?: string } }) => e,
  );
  assert.ok(noAppid, 'refused');
  const named = await send(h, { method: 'PUT', path: '/plainname', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  assert.ok(named.status === 403 || named.status === 400);
  const region = `<CreateBucketConfiguration xmlns="${NS}"><LocationConstraint>ap-beijing</LocationConstraint></CreateBucketConfiguration>`;
  const mismatch = await send(h, { method: 'PUT', host: `cos.${REGION}.myqcloud.com`, path: `/rg-${Date.now().toString(36)}-${APPID}`, body: region });
  assert.equal(mismatch.status, 400);
  const name = `rg2-${Date.now().toString(36)}-${APPID}`;
  const ok = await send(h, { method: 'PUT', path: `/${name}`, body: region });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await h.server.services.meta.getBucket(name))?.region, 'ap-beijing');
  const plain = await send(h, { method: 'PUT', path: '/plainname' });
  assert.equal(plain.status, 400);
  assert.match(plain.text, new RegExp(`plainname-${APPID}`));
});

test('hostile S3 input: UTF-8 metadata bytes, foreign copy sources, huge tokens and bodies answer 4xx, never 5xx', async () => {
  const utf8 = Buffer.from('中文 ✓', 'utf8').toString('latin1');
  const put = await s3({ method: 'PUT', path: `/${Bucket}/meta-utf8`, body: 'x', headers: { 'x-amz-meta-note': utf8 } });
  assert.equal(put.status, 200, put.text);
  await send(h, { method: 'PUT', path: `/${Bucket}/meta-utf8-cos`, body: 'x', sign: false, headers: { 'x-cos-meta-note': utf8 } });
  // The same bytes as through COS's header: one model.
  const head = await s3({ method: 'HEAD', path: `/${Bucket}/meta-utf8` });
  const cosHead = await send(h, { method: 'HEAD', path: `/${Bucket}/meta-utf8-cos`, sign: false });
  assert.ok(cosHead.headers['x-cos-meta-note']);
  assert.equal(head.headers['x-amz-meta-note'], cosHead.headers['x-cos-meta-note']);

  // A private bucket's object is no copy source for an anonymous caller.
  const secret = bucketName('s3private');
  await h.cos.putBucket({ Bucket: secret, Region: REGION });
  await h.cos.putObject({ Bucket: secret, Region: REGION, Key: 'secret', Body: 'secret' });
  const stolen = await s3({ method: 'PUT', path: `/${Bucket}/stolen`, headers: { 'x-amz-copy-source': `/${secret}/secret` } });
  assert.equal(stolen.status, 403);
  assert.equal(xmlText(rootOf(stolen.text, 'Error').Code), 'AccessDenied');

  for (const query of [`list-type=2&continuation-token=${'A'.repeat(4000)}%21`, 'list-type=3', 'list-type=2&max-keys=-1', 'list-type=2&encoding-type=base64']) {
    const res = await s3({ path: `/${Bucket}?${query}` });
    assert.equal(res.status, 400, query.slice(0, 60));
    assert.equal(xmlText(rootOf(res.text, 'Error').Code), 'InvalidArgument', query.slice(0, 60));
  }
  const attributes = await s3({ path: `/${Bucket}/meta-utf8?attributes`, headers: { 'x-amz-object-attributes': 'ETag,Nope' } });
  assert.equal(attributes.status, 400);
  const noAttributes = await s3({ path: `/${Bucket}/meta-utf8?attributes` });
  assert.equal(noAttributes.status, 400);

  // CreateBucket bodies: malformed XML, a region that is no region (echoed only escaped).
  for (const body of ['<CreateBucketConfiguration><LocationConstraint>', '<CreateBucketConfiguration><LocationConstraint>&lt;x&gt;</LocationConstraint></CreateBucketConfiguration>']) {
    const res = await send(h, { method: 'PUT', path: `/bad-${Date.now().toString(36)}-${APPID}`, body });
    assert.equal(res.status, 400, body);
  }
});

test('a POST form signed with a V4 policy: x-amz-* fields land on the model, the answer is in S3 words', async () => {
  const date = amzDate(Date.now());
  const own = { 'x-amz-algorithm': 'AWS4-HMAC-SHA256', 'x-amz-credential': `${SECRET_ID}/${date.slice(0, 8)}/${REGION}/s3/aws4_request`, 'x-amz-date': date };
  const extra = { 'x-amz-meta-color': 'green', 'x-amz-storage-class': 'GLACIER', success_action_status: '201' };
  const conditions = [{ bucket: Bucket }, ['starts-with', '$key', 'form/'], ...Object.entries({ ...own, ...extra }).map(([k, v]) => ({ [k]: v }))];
  const policy = Buffer.from(JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions })).toString('base64');
  const signature = postPolicySignatureV4(nodeCrypto, SECRET_KEY, { accessKey: SECRET_ID, date: date.slice(0, 8), region: REGION, service: 's3' }, policy);
  const res = await postForm(h, Bucket, { key: 'form/s3.txt', ...own, ...extra, policy, 'x-amz-signature': signature }, [{ name: 's3.txt', content: 'form' }]);
  assert.equal(res.status, 201, res.text);
  assert.ok(res.headers['x-amz-request-id']);
  assert.match(res.text, new RegExp(`<PostResponse xmlns="${NS}">`));
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'form/s3.txt' });
  assert.equal(head.headers['x-cos-meta-color'], 'green');
  assert.equal(head.headers['x-cos-storage-class'], 'ARCHIVE');
  // A COS form is answered as before.
  const cos = await postForm(h, Bucket, { key: 'form/cos.txt', 'x-cos-meta-color': 'red' });
  assert.equal(cos.status, 204, cos.text);
  assert.ok(cos.headers['x-cos-request-id']);
  assert.equal(cos.headers['x-amz-request-id'], undefined);
});
