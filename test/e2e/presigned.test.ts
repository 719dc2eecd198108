/**
 * Pre-signed URLs for every method (issue: access control, item 3; FEATURES §1.6.3, §1.15.4): the
 * query-string signature from the official SDK's getObjectUrl, sent without credentials.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, send } from './raw.js';

let h: Harness;
const Bucket = bucketName('presign');
before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

/** A URL the official SDK signed, sent as it is, with no Authorization header. */
function url(Method: string, Key: string, Expires = 60, Query?: Record<string, string>): URL {
  return new URL(h.cos.getObjectUrl({ Bucket, Region: REGION, Key, Method, Expires, Sign: true, Query } as Parameters<typeof h.cos.getObjectUrl>[0], () => undefined));
}
const fetchSigned = (u: URL, method: string, body?: string) => send(h, { method, host: u.host, path: u.pathname + u.search, sign: false, body });

test('C107 pre-signed PUT, GET, HEAD, POST (?uploads) and DELETE work without credentials', async () => {
  assert.equal((await fetchSigned(url('PUT', 'signed.txt'), 'PUT', 'via a signed URL')).status, 200);
  const got = await fetchSigned(url('GET', 'signed.txt'), 'GET');
  assert.equal(got.text, 'via a signed URL');
  assert.equal((await fetchSigned(url('HEAD', 'signed.txt'), 'HEAD')).headers['content-length'], '16');
  const initiated = await fetchSigned(url('POST', 'signed-mp', 60, { uploads: '' }), 'POST');
  assert.equal(initiated.status, 200, initiated.text);
  assert.match(initiated.text, /<UploadId>\d{10}[0-9a-f]{64}<\/UploadId>/);
  assert.equal((await fetchSigned(url('DELETE', 'signed.txt'), 'DELETE')).status, 204);
  assert.equal(await h.cos.headObject({ Bucket, Region: REGION, Key: 'signed.txt' }).then(() => 200, (e: { statusCode: number }) => e.statusCode), 404);
});

test('a pre-signed URL is good for its method and key only, and only until it expires', async () => {
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'kept.txt', Body: 'kept' });
  assertCosError(await fetchSigned(url('GET', 'kept.txt'), 'DELETE'), 403, 'SignatureDoesNotMatch');
  const forGet = url('GET', 'kept.txt');
  assertCosError(await send(h, { method: 'GET', host: forGet.host, path: '/other.txt' + forGet.search, sign: false }), 403, 'SignatureDoesNotMatch');
  const brief = url('PUT', 'late.txt', 1);
  await new Promise((r) => setTimeout(r, 2200));
  const late = await fetchSigned(brief, 'PUT', 'too late');
  assertCosError(late, 403, 'AccessDenied');
  assert.match(late.text, /Request has expired/);
});
