/**
 * POST Object, the HTML form upload (issue: access control, item 6; FEATURES §1.12, C260-C280), with
 * forms sent by Node's fetch (the browser proof drives it from Chromium).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bucketName, REGION, SECRET_ID, startHarness, type Harness } from './harness.js';
import { postForm, signedFields, type FormFile } from './form.js';
import { assertCosError } from './raw.js';

let h: Harness;
const Bucket = bucketName('post');
before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

/** POSTs a form path-style to a bucket of this suite's server. */
const post = (bucket: string, fields: Record<string, string>, files?: FormFile[]) => postForm(h, bucket, fields, files);

const get = async (key: string) => (await h.cos.getObject({ Bucket, Region: REGION, Key: key })).Body.toString();
const absent = async (key: string) => assert.equal(await h.cos.headObject({ Bucket, Region: REGION, Key: key }).then(() => 'present', (e: { statusCode: number }) => e.statusCode), 404);

test('C262 C265 C267 C271-C275 C277 C278 a signed form with a policy uploads; ${filename}; 201 PostResponse', async () => {
  const res = await post(Bucket, {
    key: 'uploads/${filename}',
    success_action_status: '201',
    'Content-Type': 'text/x-form',
    'x-Cos-meta-bb': '124',
    ...signedFields([{ bucket: Bucket }, ['starts-with', '$key', 'uploads/'], ['content-length-range', 0, 1000], ['starts-with', 'x-cos-meta-bb', '12']]),
  });
  assert.equal(res.status, 201, res.text);
  assert.match(res.text, /<PostResponse><Location>http:\/\/127\.0\.0\.1:\d+\/uploads\/hello\.txt<\/Location><Bucket>.+<\/Bucket><Key>uploads\/hello\.txt<\/Key><ETag>[0-9a-f]{32}<\/ETag><\/PostResponse>/);
  assert.match(res.headers.etag, /^"[0-9a-f]{32}"$/);
  assert.equal(await get('uploads/hello.txt'), 'hello form');
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'uploads/hello.txt' });
  assert.equal(head.headers['content-type'], 'text/x-form');
  assert.equal(head.headers['x-cos-meta-bb'], '124');
});

test('C266 C267 success_action_redirect answers 303 with bucket, key and etag; the default status is 204', async () => {
  const redirected = await post(Bucket, { key: 'r.txt', success_action_redirect: 'https://app.example/done?x=1', ...signedFields([]) });
  assert.equal(redirected.status, 303);
  const location = new URL(redirected.headers.location);
  assert.equal(location.origin + location.pathname, 'https://app.example/done');
  assert.equal(location.searchParams.get('x'), '1');
  assert.equal(location.searchParams.get('bucket'), Bucket);
  assert.equal(location.searchParams.get('key'), 'r.txt');
  assert.match(location.searchParams.get('etag') ?? '', /^"[0-9a-f]{32}"$/);
  const plain = await post(Bucket, { key: 'plain.txt', ...signedFields([]) });
  assert.equal(plain.status, 204);
  assert.equal(await get('plain.txt'), 'hello form');
});

test('C276 policy breaches are AccessDenied and store nothing: key prefix, size range, expiry, bucket', async () => {
  assertCosError(await post(Bucket, { key: 'elsewhere/a', ...signedFields([['starts-with', '$key', 'uploads/']]) }), 403, 'AccessDenied');
  assertCosError(await post(Bucket, { key: 'big.txt', ...signedFields([['content-length-range', 0, 3]]) }), 403, 'AccessDenied');
  assertCosError(await post(Bucket, { key: 'late.txt', ...signedFields([], { expiresIn: -5 }) }), 403, 'AccessDenied');
  assertCosError(await post(Bucket, { key: 'other.txt', ...signedFields([{ bucket: 'another-1250000000' }]) }), 403, 'AccessDenied');
  for (const key of ['elsewhere/a', 'big.txt', 'late.txt', 'other.txt']) await absent(key);
  assertCosError(await post(Bucket, { key: 'x', policy: 'not base64 json!', 'q-sign-algorithm': 'sha1', 'q-ak': SECRET_ID, 'q-key-time': '1;2', 'q-signature': 'x' }), 400, 'InvalidPolicyDocument');
});

test('signatures: a wrong key is SignatureDoesNotMatch; anonymous forms need a public-read-write bucket', async () => {
  assertCosError(await post(Bucket, { key: 'bad-sig', ...signedFields([], { secretKey: 'not the key' }) }), 403, 'SignatureDoesNotMatch');
  assertCosError(await post(Bucket, { key: 'anon.txt' }), 403, 'AccessDenied');
  const open = bucketName('postopen');
  await h.cos.putBucket({ Bucket: open, Region: REGION, ACL: 'public-read-write' });
  assert.equal((await post(open, { key: 'anon.txt', acl: 'public-read' })).status, 204);
  assert.equal((await h.cos.getObjectAcl({ Bucket: open, Region: REGION, Key: 'anon.txt' })).ACL, 'public-read');
});

test('C263 C280 form errors: not multipart, no key, two files, a huge field before the file', async () => {
  const notForm = await fetch(`http://127.0.0.1:${h.port}/${Bucket}/`, { method: 'POST', body: 'plain', headers: { 'content-type': 'text/plain' } });
  assertCosError({ status: notForm.status, headers: Object.fromEntries(notForm.headers), text: await notForm.text() }, 400, 'RequestIsNotMultiPartContent');
  assertCosError(await post(Bucket, { ...signedFields([]) }), 400, 'UserKeyMustBeSpecified');
  const two = await post(Bucket, { key: 'two.txt', ...signedFields([]) }, [{ name: 'a.txt', content: 'a' }, { name: 'b.txt', content: 'b' }]);
  assertCosError(two, 400, 'IncorrectNumberOfFilesInPostRequest');
  await absent('two.txt');
  assertCosError(await post(Bucket, { key: 'k', padding: 'x'.repeat(70 * 1024), ...signedFields([]) }), 400, 'MaxPostPreDataLengthExceededError');
});
