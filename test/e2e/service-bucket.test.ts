/**
 * GET Service, PUT / HEAD / DELETE Bucket and GET Bucket location, through the official SDK, plus the
 * signature failures every API shares (the SDK with wrong keys or a skewed clock, raw requests).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APPID, bucketName, foreignBucket, REGION, SECRET_KEY, startHarness, UIN, type Harness } from './harness.js';
import { assertCosError, assertRequestId, bucketHost, nowSeconds, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const SERVICE_HOST = 'service.cos.myqcloud.com';

/** Counts the requests a client sends, retries included. */
function countSends(cos: Harness['cos']): () => number {
  let sends = 0;
  cos.on('before-send', () => sends++);
  return () => sends;
}

test('C168 C169 GET Service lists exactly the caller\'s buckets, with owner, region and creation date', async () => {
  const gz = bucketName('svc');
  const bj = bucketName('svc');
  await h.cos.putBucket({ Bucket: gz, Region: REGION });
  await h.cos.putBucket({ Bucket: bj, Region: 'ap-beijing' });
  const foreign = await foreignBucket(h);

  const data = await h.cos.getService({});
  assert.equal(data.statusCode, 200);
  assertRequestId(data.headers);
  assert.deepEqual(data.Owner, { ID: `qcs::cam::uin/${UIN}:uin/${UIN}`, DisplayName: UIN });
  const names = data.Buckets.map((b) => b.Name);
  assert.ok(names.includes(gz) && names.includes(bj));
  assert.ok(!names.includes(foreign), 'another account\'s bucket is not listed');
  const byName = new Map(data.Buckets.map((b) => [b.Name, b as unknown as Record<string, string>]));
  assert.equal(byName.get(gz)?.Location, REGION);
  assert.equal(byName.get(bj)?.Location, 'ap-beijing');
  for (const b of byName.values()) {
    assert.match(b.CreateDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/); // 004's element, ISO 8601
    // The element today's COS and the SDK typings use: the same instant, to the second.
    assert.equal(b.CreationDate, b.CreateDate.replace(/\.\d{3}Z$/, 'Z'));
  }

  // The SDK's regional service endpoint (cos.<region>.myqcloud.com) answers that region's buckets.
  const regional = await h.cos.getService({ Region: REGION });
  assert.deepEqual(regional.Buckets.map((b) => b.Name).sort(), data.Buckets.filter((b) => b.Location === REGION).map((b) => b.Name).sort());
  assert.ok(regional.Buckets.some((b) => b.Name === gz) && !regional.Buckets.some((b) => b.Name === bj));
});

test('C002 C105 GET Service on service.cos.myqcloud.com: signed 200, anonymous AccessDenied 403', async () => {
  const signed = await send(h, { path: '/', host: SERVICE_HOST });
  assert.equal(signed.status, 200);
  assert.match(signed.text, /<ListAllMyBucketsResult>/);
  assertRequestId(signed.headers);

  const anonymous = await send(h, { path: '/', host: SERVICE_HOST, sign: false });
  const err = assertCosError(anonymous, 403, 'AccessDenied');
  assert.equal(err.Resource, SERVICE_HOST + '/');
});

test('C068 C101 a client with a wrong SecretKey gets SignatureDoesNotMatch', async () => {
  const wrong = h.client({ SecretKey: SECRET_KEY.replace(/.$/, 'X') });
  await sdkRejects(wrong.getService({}), 403, 'SignatureDoesNotMatch');
  const Bucket = bucketName();
  await sdkRejects(wrong.putBucket({ Bucket, Region: REGION }), 403, 'SignatureDoesNotMatch');
  await sdkRejects(h.cos.headBucket({ Bucket, Region: REGION }), 404); // nothing was created
});

test('C064 C091 an unknown SecretId gets InvalidAccessKeyId', async () => {
  const stranger = h.client({ SecretId: 'AKIDnobodyHasThisKey0000000000000000' });
  await sdkRejects(stranger.getService({}), 403, 'InvalidAccessKeyId');
});

test('C092 an expired q-sign-time is AccessDenied "Request has expired", which the SDK corrects for', async () => {
  const now = nowSeconds();
  const expired = await send(h, { path: '/', host: SERVICE_HOST, sign: { signTime: `${now - 7200};${now - 3600}` } });
  assert.equal(assertCosError(expired, 403, 'AccessDenied').Message, 'Request has expired');

  // End not after start: expired on arrival.
  const empty = await send(h, { path: '/', host: SERVICE_HOST, sign: { signTime: `${now};${now}` } });
  assert.equal(assertCosError(empty, 403, 'AccessDenied').Message, 'Request has expired');

  // A client whose clock is an hour slow signs an expired window; it recognises the answer, takes
  // the server's Date and retries successfully.
  const slow = h.client({ SystemClockOffset: -3600_000 });
  const sends = countSends(slow);
  const data = await slow.getService({});
  assert.equal(data.statusCode, 200);
  assert.equal(sends(), 2);
});

test('C067 a signature window not yet open is RequestTimeTooSkewed, which the SDK corrects for', async () => {
  const now = nowSeconds();
  const early = await send(h, { path: '/', host: SERVICE_HOST, sign: { signTime: `${now + 3600};${now + 7200}` } });
  assertCosError(early, 403, 'RequestTimeTooSkewed');

  const fast = h.client({ SystemClockOffset: 3600_000 });
  const sends = countSends(fast);
  const data = await fast.getService({});
  assert.equal(data.statusCode, 200);
  assert.equal(sends(), 2);
});

test('C090 C088 a malformed or non-sha1 Authorization is AccessDenied', async () => {
  const garbage = await send(h, { path: '/', host: SERVICE_HOST, sign: false, headers: { authorization: 'garbage' } });
  assertCosError(garbage, 403, 'AccessDenied');
  const now = nowSeconds();
  const md5 = `q-sign-algorithm=md5&q-ak=x&q-sign-time=${now};${now + 60}&q-key-time=${now};${now + 60}&q-header-list=&q-url-param-list=&q-signature=00`;
  const wrongAlgorithm = await send(h, { path: '/', host: SERVICE_HOST, sign: false, headers: { authorization: md5 } });
  assertCosError(wrongAlgorithm, 403, 'AccessDenied');
});

test('C170 C173 PUT Bucket creates it in the region of the host; 200 with an empty body', async () => {
  const Bucket = bucketName();
  const data = await h.cos.putBucket({ Bucket, Region: 'ap-shanghai' });
  assert.equal(data.statusCode, 200);
  assert.equal(data.headers?.['content-length'], '0');
  assertRequestId(data.headers);
  const location = await h.cos.getBucketLocation({ Bucket, Region: 'ap-shanghai' });
  assert.equal(location.LocationConstraint, 'ap-shanghai');
});

test('C171 PUT Bucket takes x-cos-acl and grants; a bad x-cos-acl is InvalidArgument and creates nothing', async () => {
  const ok = bucketName();
  await h.cos.putBucket({ Bucket: ok, Region: REGION, ACL: 'public-read', GrantFullControl: `id="${UIN}"` });
  await h.cos.headBucket({ Bucket: ok, Region: REGION });

  const bad = bucketName();
  await sdkRejects(h.cos.putBucket({ Bucket: bad, Region: REGION, Headers: { 'x-cos-acl': 'everyone' } }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.headBucket({ Bucket: bad, Region: REGION }), 404);
});

test('C030 C172 invalid bucket names are InvalidBucketName', async () => {
  // Names the SDK lets through, addressed virtual-hosted.
  for (const name of [`trail--${APPID}`, `${'a'.repeat(50)}-${APPID}`]) {
    await sdkRejects(h.cos.putBucket({ Bucket: name, Region: REGION }), 400, 'InvalidBucketName');
  }
  // Names only a path-style request can carry.
  for (const name of [`UPPER-${APPID}`, `under_score-${APPID}`, `-lead-${APPID}`, `noappid`, `dot.ted-${APPID}`]) {
    const res = await send(h, { method: 'PUT', path: `/${name}` });
    assertCosError(res, 400, 'InvalidBucketName');
  }
});

test('PUT Bucket with another account\'s appid is AccessDenied, whether the name is taken or not', async () => {
  await sdkRejects(h.cos.putBucket({ Bucket: `mine-1259999998`, Region: REGION }), 403, 'AccessDenied');
  const res = await send(h, { method: 'PUT', path: '/', host: bucketHost(await foreignBucket(h)) });
  assertCosError(res, 403, 'AccessDenied');
});

test('C074 C172 PUT Bucket on an existing name is BucketAlreadyExists 409', async () => {
  const Bucket = bucketName();
  await h.cos.putBucket({ Bucket, Region: REGION });
  await sdkRejects(h.cos.putBucket({ Bucket, Region: REGION }), 409, 'BucketAlreadyExists');
  // Also from another region: names are global.
  await sdkRejects(h.cos.putBucket({ Bucket, Region: 'ap-beijing' }), 409, 'BucketAlreadyExists');
});

test('C105 anonymous PUT Bucket is AccessDenied', async () => {
  const Bucket = bucketName();
  const res = await sendToBucket(h, Bucket, { method: 'PUT', path: '/', sign: false });
  assertCosError(res, 403, 'AccessDenied');
  await sdkRejects(h.cos.headBucket({ Bucket, Region: REGION }), 404);
});

test('C175 HEAD Bucket: 200 when it exists, 404 without a body when not, 403 on another account\'s', async () => {
  const Bucket = bucketName();
  await h.cos.putBucket({ Bucket, Region: REGION });
  const data = await h.cos.headBucket({ Bucket, Region: REGION });
  assert.equal(data.statusCode, 200);
  assertRequestId(data.headers);
  assert.equal(data.headers?.['x-cos-bucket-region'], REGION);

  const missing = bucketName();
  const err = await sdkRejects(h.cos.headBucket({ Bucket: missing, Region: REGION }), 404);
  assert.equal(err.code, '404'); // nothing to parse: a HEAD error has no body (C020)
  const raw = await sendToBucket(h, missing, { method: 'HEAD', path: '/' });
  assert.equal(raw.status, 404);
  assert.equal(raw.body.length, 0);
  assertRequestId(raw.headers);

  await sdkRejects(h.cos.headBucket({ Bucket: await foreignBucket(h), Region: REGION }), 403);
});

test('C174 DELETE Bucket: BucketNotEmpty 409 while an object remains, then 204, then NoSuchBucket 404; another\'s is AccessDenied', async () => {
  const Bucket = bucketName();
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'keep.txt', Body: 'x' });
  await sdkRejects(h.cos.deleteBucket({ Bucket, Region: REGION }), 409, 'BucketNotEmpty');
  await h.cos.headBucket({ Bucket, Region: REGION });

  await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'keep.txt' });
  const raw = await sendToBucket(h, Bucket, { method: 'DELETE', path: '/' });
  assert.equal(raw.status, 204);
  assert.equal(raw.body.length, 0);
  assertRequestId(raw.headers);

  await sdkRejects(h.cos.deleteBucket({ Bucket, Region: REGION }), 404, 'NoSuchBucket');
  await sdkRejects(h.cos.headBucket({ Bucket, Region: REGION }), 404);
  await sdkRejects(h.cos.deleteBucket({ Bucket: await foreignBucket(h), Region: REGION }), 403, 'AccessDenied');
  const list = await h.cos.getService({});
  assert.ok(!list.Buckets.some((b) => b.Name === Bucket));
});

test('C174 DELETE Bucket through the SDK answers 204', async () => {
  const Bucket = bucketName();
  await h.cos.putBucket({ Bucket, Region: REGION });
  const data = await h.cos.deleteBucket({ Bucket, Region: REGION });
  assert.equal(data.statusCode, 204);
});

test('C194 GET Bucket location is the region; NoSuchBucket for a missing bucket, AccessDenied for another\'s', async () => {
  const Bucket = bucketName();
  await h.cos.putBucket({ Bucket, Region: REGION });
  const data = await h.cos.getBucketLocation({ Bucket, Region: REGION });
  assert.equal(data.LocationConstraint, REGION);

  const raw = await sendToBucket(h, Bucket, { path: '/?location' });
  assert.equal(raw.status, 200);
  assert.match(raw.text, new RegExp(`<LocationConstraint>${REGION}</LocationConstraint>`));

  await sdkRejects(h.cos.getBucketLocation({ Bucket: bucketName(), Region: REGION }), 404, 'NoSuchBucket');
  await sdkRejects(h.cos.getBucketLocation({ Bucket: await foreignBucket(h), Region: REGION }), 403, 'AccessDenied');
});
