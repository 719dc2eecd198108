/**
 * Temporary keys (issue: access control, item 4): `POST /sts` issues them to a root key; requests
 * with them carry x-cos-security-token; they do only what their policy allows, and nothing after
 * they expire. Used through the official SDK's getAuthorization callback.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APPID, bucketName, REGION, startHarness, temporaryKeyClient, UIN, type Harness, type TemporaryKey } from './harness.js';
import { assertCosError, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
const Bucket = bucketName('sts');
before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
  const meta = h.server.services.meta;
  await meta.putAccount({ uin: '100000000077', appid: APPID, rootUin: UIN, createdAt: 0 });
  await meta.putAccessKey({ secretId: 'AKIDstsSubUser', secretKey: 'sub-secret', uin: '100000000077', createdAt: 0 });
});
after(() => h.close());

function issue(body: unknown, signer?: { secretId: string; secretKey: string }) {
  return send(h, { method: 'POST', path: '/sts', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), sign: signer });
}

async function temporaryKey(actions: string[], prefix: string, DurationSeconds = 600): Promise<TemporaryKey> {
  const res = await issue({ DurationSeconds, Policy: { version: '2.0', statement: [{ effect: 'allow', action: actions, resource: [`qcs::cos:${REGION}:uid/${APPID}:${Bucket}/${prefix}*`] }] } });
  assert.equal(res.status, 200, res.text);
  return JSON.parse(res.text) as TemporaryKey;
}

test('a root key gets temporary keys; they work within their policy only', async () => {
  const keys = await temporaryKey(['name/cos:PutObject', 'name/cos:GetObject', 'name/cos:HeadObject'], 'uploads/');
  assert.match(keys.Credentials.TmpSecretId, /^AKID/);
  assert.ok(keys.ExpiredTime - keys.StartTime === 600);
  assert.equal(new Date(keys.Expiration).getTime(), keys.ExpiredTime * 1000);
  const cos = temporaryKeyClient(h, keys);
  await cos.putObject({ Bucket, Region: REGION, Key: 'uploads/a.txt', Body: 'temporary' });
  assert.equal((await cos.getObject({ Bucket, Region: REGION, Key: 'uploads/a.txt' })).Body.toString(), 'temporary');
  await sdkRejects(cos.putObject({ Bucket, Region: REGION, Key: 'elsewhere/a.txt', Body: 'x' }), 403, 'AccessDenied');
  await sdkRejects(cos.deleteObject({ Bucket, Region: REGION, Key: 'uploads/a.txt' }), 403, 'AccessDenied');
  await sdkRejects(cos.getBucket({ Bucket, Region: REGION }), 403, 'AccessDenied');
  await sdkRejects(cos.getService({}), 403, 'AccessDenied');

  const wide = temporaryKeyClient(h, await temporaryKey(['name/cos:*'], ''));
  await wide.deleteObject({ Bucket, Region: REGION, Key: 'uploads/a.txt' });
  assert.equal((await wide.getBucket({ Bucket, Region: REGION })).statusCode, 200);
});

test('tampered, foreign and expired tokens are refused', async () => {
  const keys = await temporaryKey(['name/cos:*'], '');
  const sign = { secretId: keys.Credentials.TmpSecretId, secretKey: keys.Credentials.TmpSecretKey };
  const withToken = (token: string, signer = sign) => sendToBucket(h, Bucket, { path: '/', headers: { 'x-cos-security-token': token }, sign: signer });
  assert.equal((await withToken(keys.Credentials.Token)).status, 200);
  const [body, seal] = keys.Credentials.Token.split('.');
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), expires: 4102444800 })).toString('base64url');
  assertCosError(await withToken(`${forged}.${seal}`), 403, 'InvalidSecurity');
  const other = await temporaryKey(['name/cos:*'], '');
  assertCosError(await withToken(other.Credentials.Token), 403, 'InvalidSecurity');
  // Without the token the temporary SecretId is no key at all.
  assertCosError(await sendToBucket(h, Bucket, { path: '/', sign }), 403, 'InvalidAccessKeyId');

  const brief = await temporaryKey(['name/cos:*'], '', 1);
  await new Promise((r) => setTimeout(r, 2200));
  assertCosError(
    await sendToBucket(h, Bucket, { path: '/', headers: { 'x-cos-security-token': brief.Credentials.Token }, sign: { secretId: brief.Credentials.TmpSecretId, secretKey: brief.Credentials.TmpSecretKey } }),
    403,
    'ExpiredToken',
  );
});

test('only a root key may ask; the request must be a policy', async () => {
  const policy = { statement: [{ effect: 'allow', action: ['name/cos:GetObject'], resource: ['*'] }] };
  assertCosError(await issue({ Policy: policy }, { secretId: 'AKIDstsSubUser', secretKey: 'sub-secret' }), 403, 'AccessDenied');
  assertCosError(await send(h, { method: 'POST', path: '/sts', body: JSON.stringify({ Policy: policy }), sign: false }), 403, 'AccessDenied');
  const keys = await temporaryKey(['name/cos:*'], '');
  assertCosError(
    await send(h, { method: 'POST', path: '/sts', headers: { 'x-cos-security-token': keys.Credentials.Token }, body: JSON.stringify({ Policy: policy }), sign: { secretId: keys.Credentials.TmpSecretId, secretKey: keys.Credentials.TmpSecretKey } }),
    403,
    'AccessDenied',
  );
  assertCosError(await issue('not json'.split('')), 400, 'InvalidArgument');
  assertCosError(await issue({ Policy: { statement: [] } }), 400, 'InvalidArgument');
  assertCosError(await issue({ DurationSeconds: 0, Policy: policy }), 400, 'InvalidArgument');
});
