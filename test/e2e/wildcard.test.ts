/**
 * Wildcards from user input never freeze the server (hardening item 6): CORS origins and headers and
 * temporary-key resources are matched in linear time, and PUT Bucket cors refuses an AllowedOrigin
 * with more than one `*`. A pattern like `*a*a*...*b` against a long run of `a` would take a
 * backtracking regular expression longer than any test run; here it is answered at once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { APPID, bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, bucketHost, encodeKey, sdkRejects, send } from './raw.js';

let h: Harness;
const Bucket = bucketName('wild');
const pathological = `${'*a'.repeat(40)}*b`;
before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

const corsRule = (origin: string, header = '*'): COS.CORSRule => ({ AllowedOrigin: [origin], AllowedMethod: ['GET', 'PUT'], AllowedHeader: [header] });

test('PUT Bucket cors refuses an AllowedOrigin with more than one wildcard', async () => {
  await sdkRejects(h.cos.putBucketCors({ Bucket, Region: REGION, CORSRules: [corsRule('http://*.*.example')] }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.putBucketCors({ Bucket, Region: REGION, CORSRules: [corsRule('*', '*'), corsRule(pathological)] }), 400, 'InvalidArgument');
  await h.cos.putBucketCors({ Bucket, Region: REGION, CORSRules: [corsRule('https://*.example.com')] });
  const rules = (await h.cos.getBucketCors({ Bucket, Region: REGION })).CORSRules;
  assert.deepEqual(rules.map((r) => (r as unknown as { AllowedOrigins: string[] }).AllowedOrigins), [['https://*.example.com']]);
});

test('a CORS header pattern full of wildcards is matched at once, in preflights and in responses', async () => {
  await h.cos.putBucketCors({ Bucket, Region: REGION, CORSRules: [corsRule('http://*', pathological)] });
  const long = 'a'.repeat(6000);
  const preflight = (headers: string) =>
    send(h, {
      method: 'OPTIONS',
      host: bucketHost(Bucket),
      path: '/k',
      sign: false,
      headers: { origin: 'http://app.test', 'access-control-request-method': 'PUT', 'access-control-request-headers': headers },
    });
  assertCosError(await preflight(long), 403, 'AccessDenied');
  const allowed = await preflight(`${long}b`);
  assert.equal(allowed.status, 200);
  assert.equal(allowed.headers['access-control-allow-origin'], 'http://app.test');

  // The server still answers others: a plain GET with an origin gets its CORS headers.
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'k', Body: 'v' });
  const got = await send(h, { host: bucketHost(Bucket), path: '/k', headers: { origin: 'http://app.test' } });
  assert.equal(got.status, 200);
  assert.equal(got.headers['access-control-allow-origin'], 'http://app.test');
});

test('a temporary key whose resource pattern is full of wildcards is checked at once', async () => {
  const policy = { statement: [{ effect: 'allow', action: ['name/cos:*'], resource: [`qcs::cos:${REGION}:uid/${APPID}:${Bucket}/${pathological}`] }] };
  const issued = await send(h, { method: 'POST', path: '/sts', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ DurationSeconds: 600, Policy: policy }) });
  assert.equal(issued.status, 200, issued.text);
  const { Credentials } = JSON.parse(issued.text) as { Credentials: { TmpSecretId: string; TmpSecretKey: string; Token: string } };
  const sign = { secretId: Credentials.TmpSecretId, secretKey: Credentials.TmpSecretKey };
  const get = (key: string) => send(h, { host: bucketHost(Bucket), path: `/${encodeKey(key)}`, headers: { 'x-cos-security-token': Credentials.Token }, sign });
  const long = 'a'.repeat(800);
  assertCosError(await get(long), 403, 'AccessDenied');
  await h.cos.putObject({ Bucket, Region: REGION, Key: `${long}b`, Body: 'matched' });
  const ok = await get(`${long}b`);
  assert.equal(ok.status, 200);
  assert.equal(ok.text, 'matched');
});
