/**
 * CORS (issue: access control, item 5; C187-C193, C221-C223, C281-C286) with the official SDK and raw
 * preflights.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, bucketHost, md5Base64, send, sendToBucket } from './raw.js';

let h: Harness;
const Bucket = bucketName('cors');
before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'k', Body: 'v' });
});
after(() => h.close());

const preflight = (origin: string, method: string, headers?: string) =>
  send(h, {
    method: 'OPTIONS',
    host: bucketHost(Bucket),
    path: '/k',
    sign: false,
    headers: { origin, 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
  });

test('C222 without CORS rules a preflight is refused and GET Bucket cors is NoSuchCORSConfiguration', async () => {
  assertCosError(await preflight('http://app.example', 'GET'), 403, 'AccessDenied');
  // The official SDK turns 404 NoSuchCORSConfiguration into an empty rule list, and a 403 preflight
  // into OptionsForbidden: both are what it expects of COS.
  const none = await h.cos.getBucketCors({ Bucket, Region: REGION });
  assert.deepEqual([none.statusCode, none.CORSRules], [404, []]);
  const options = await h.cos.optionsObject({ Bucket, Region: REGION, Key: 'k', Origin: 'http://app.example', AccessControlRequestMethod: 'GET' });
  assert.deepEqual([options.statusCode, (options as unknown as { OptionsForbidden: boolean }).OptionsForbidden], [403, true]);
  const raw = await sendToBucket(h, Bucket, { path: '/?cors' });
  assertCosError(raw, 404, 'NoSuchCORSConfiguration');
});

test('C187-C191 C281-C285 rules: put, get, preflights by origin glob, method and headers; replace; delete', async () => {
  const CORSRules = [
    {
      ID: 'app',
      AllowedOrigin: ['http://*.example', 'https://exact.test:8443'],
      AllowedMethod: ['GET', 'PUT'],
      AllowedHeader: ['x-cos-meta-*', 'Content-Type'],
      ExposeHeader: ['ETag', 'x-cos-request-id'],
      MaxAgeSeconds: '600',
    },
  ];
  await h.cos.putBucketCors({ Bucket, Region: REGION, CORSRules } as COS.PutBucketCorsParams);
  const got = await h.cos.getBucketCors({ Bucket, Region: REGION });
  const rule = got.CORSRules[0] as unknown as Record<string, unknown>;
  assert.deepEqual(rule.AllowedOrigins, ['http://*.example', 'https://exact.test:8443']);
  assert.deepEqual(rule.AllowedMethods, ['GET', 'PUT']);
  assert.deepEqual(rule.ExposeHeaders, ['ETag', 'x-cos-request-id']);
  assert.deepEqual([rule.ID, rule.MaxAgeSeconds], ['app', '600']);

  const ok = await preflight('http://app.example', 'PUT', 'Content-Type, x-cos-meta-color');
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['access-control-allow-origin'], 'http://app.example');
  assert.equal(ok.headers['access-control-allow-methods'], 'GET,PUT');
  assert.equal(ok.headers['access-control-allow-headers'], 'content-type,x-cos-meta-color');
  assert.equal(ok.headers['access-control-expose-headers'], 'ETag,x-cos-request-id');
  assert.equal(ok.headers['access-control-max-age'], '600');
  assert.equal((await preflight('https://exact.test:8443', 'GET')).status, 200);

  assertCosError(await preflight('http://evil.test', 'GET'), 403, 'AccessDenied');
  assertCosError(await preflight('http://app.example', 'DELETE'), 403, 'AccessDenied');
  assertCosError(await preflight('http://app.example', 'PUT', 'x-other'), 403, 'AccessDenied');
  const viaSdk = await h.cos.optionsObject({ Bucket, Region: REGION, Key: 'k', Origin: 'http://app.example', AccessControlRequestMethod: 'GET' });
  assert.equal(viaSdk.statusCode, 200);
  assert.equal((viaSdk as unknown as Record<string, string>).AccessControlAllowOrigin, 'http://app.example');

  // C286: actual responses to a matching Origin carry the rule's headers, errors included.
  const get = await sendToBucket(h, Bucket, { path: '/k', headers: { origin: 'http://app.example' } });
  assert.equal(get.headers['access-control-allow-origin'], 'http://app.example');
  assert.equal(get.headers['access-control-expose-headers'], 'ETag,x-cos-request-id');
  const missing = await sendToBucket(h, Bucket, { path: '/missing', headers: { origin: 'http://app.example' } });
  assert.equal(missing.status, 404);
  assert.equal(missing.headers['access-control-allow-origin'], 'http://app.example');
  const foreign = await sendToBucket(h, Bucket, { path: '/k', headers: { origin: 'http://evil.test' } });
  assert.equal(foreign.headers['access-control-allow-origin'], undefined);

  // C188: PUT replaces the rules.
  await h.cos.putBucketCors({ Bucket, Region: REGION, CORSRules: [{ AllowedOrigin: ['*'], AllowedMethod: ['DELETE'] }] } as COS.PutBucketCorsParams);
  assertCosError(await preflight('http://app.example', 'GET'), 403, 'AccessDenied');
  assert.equal((await preflight('http://anything', 'DELETE')).status, 200);

  const deleted = await h.cos.deleteBucketCors({ Bucket, Region: REGION });
  assert.equal(deleted.statusCode, 204);
  assert.equal((await h.cos.getBucketCors({ Bucket, Region: REGION })).statusCode, 404);
});

test('C189 PUT Bucket cors errors: Content-MD5 missing or wrong, malformed rules, too many rules, owner only', async () => {
  const body = '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>';
  const put = (xml: string, headers: Record<string, string> = { 'content-md5': md5Base64(xml) }) => sendToBucket(h, Bucket, { method: 'PUT', path: '/?cors', headers, body: xml });
  assertCosError(await put(body, {}), 400, 'MissingContentMD5');
  assertCosError(await put(body, { 'content-md5': md5Base64('other') }), 400, 'BadDigest');
  assertCosError(await put('<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>'), 400, 'MalformedXML');
  assertCosError(await put('<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>'), 400, 'InvalidArgument');
  const many = `<CORSConfiguration>${'<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>'.repeat(101)}</CORSConfiguration>`;
  assertCosError(await put(many), 400, 'InvalidArgument');
  assert.equal((await put(body)).status, 200);
  assertCosError(await send(h, { method: 'PUT', host: bucketHost(Bucket), path: '/?cors', sign: false, headers: { 'content-md5': md5Base64(body) }, body }), 403, 'AccessDenied');
});
