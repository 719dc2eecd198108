/**
 * Bucket policies (issue 16 item 1): PUT/GET/DELETE through the official SDK, MalformedPolicy for
 * bad documents, and the effect: evaluated with the ACLs for anonymous callers, other accounts,
 * sub-users and temporary keys; explicit deny wins; conditions on the client address (127.0.0.1
 * against 127.0.0.2), request fields, sizes and dates.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { APPID, bucketName, REGION, startHarness, UIN, type Harness } from './harness.js';
import { assertCosError, bucketHost, md5Base64, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
let other: COS;
let sub: COS;
const OTHER_UIN = '300000000011';
const SUB_UIN = '100000000055';
const Bucket = bucketName('policy');
const resource = (pattern: string) => `qcs::cos:${REGION}:uid/${APPID}:${Bucket}/${pattern}`;
const anyone = { qcs: ['qcs::cam::anyone:anyone'] };

before(async () => {
  h = await startHarness();
  const meta = h.server.services.meta;
  await meta.putAccount({ uin: OTHER_UIN, appid: '1250000011', rootUin: OTHER_UIN, createdAt: 0 });
  await meta.putAccessKey({ secretId: 'AKIDpolicyOther', secretKey: 'other-secret', uin: OTHER_UIN, createdAt: 0 });
  await meta.putAccount({ uin: SUB_UIN, appid: APPID, rootUin: UIN, createdAt: 0 });
  await meta.putAccessKey({ secretId: 'AKIDpolicySub', secretKey: 'sub-secret', uin: SUB_UIN, createdAt: 0 });
  other = h.client({ SecretId: 'AKIDpolicyOther', SecretKey: 'other-secret' });
  sub = h.client({ SecretId: 'AKIDpolicySub', SecretKey: 'sub-secret' });
  await h.cos.putBucket({ Bucket, Region: REGION });
  for (const Key of ['public/a.txt', 'private/b.txt', 'big/c.txt']) await h.cos.putObject({ Bucket, Region: REGION, Key, Body: `body of ${Key}` });
});
after(() => h.close());

async function setPolicy(statement: unknown[]): Promise<void> {
  await h.cos.putBucketPolicy({ Bucket, Region: REGION, Policy: { version: '2.0', statement } } as COS.PutBucketPolicyParams);
}

const anonymousGet = (key: string, localAddress?: string) => send(h, { path: `/${key}`, host: bucketHost(Bucket), sign: false, localAddress });

test('PUT/GET/DELETE Bucket policy round-trip through the SDK; NoSuchBucketPolicy when none', async () => {
  await sdkRejects(h.cos.getBucketPolicy({ Bucket, Region: REGION }), 404, 'NoSuchBucketPolicy');
  await setPolicy([{ Principal: anyone, Effect: 'Allow', Action: ['name/cos:GetObject'], Resource: [resource('public/*')] }]);
  const got = await h.cos.getBucketPolicy({ Bucket, Region: REGION });
  const statement = (got.Policy as { statement: Array<Record<string, unknown>> }).statement;
  assert.deepEqual(statement[0].principal, anyone);
  assert.equal(statement[0].effect, 'allow');
  assert.deepEqual(statement[0].action, ['name/cos:GetObject']);
  assert.deepEqual(statement[0].resource, [resource('public/*')]);
  await h.cos.deleteBucketPolicy({ Bucket, Region: REGION });
  await sdkRejects(h.cos.getBucketPolicy({ Bucket, Region: REGION }), 404, 'NoSuchBucketPolicy');
  // Others may not read or change it.
  await sdkRejects(other.getBucketPolicy({ Bucket, Region: REGION }), 403, 'AccessDenied');
});

test('bad policies: MalformedPolicy (not JSON, too deep, too big, wrong resource, principal, action, condition)', async () => {
  const put = (body: string) => sendToBucket(h, Bucket, { method: 'PUT', path: '/?policy', headers: { 'content-type': 'application/json', 'content-md5': md5Base64(body) }, body });
  const doc = (s: Record<string, unknown>) => JSON.stringify({ version: '2.0', statement: [{ principal: anyone, effect: 'allow', action: ['name/cos:GetObject'], resource: [resource('*')], ...s }] });
  assertCosError(await put('{not json'), 400, 'MalformedPolicy');
  assertCosError(await put(''), 400, 'MalformedPolicy');
  assertCosError(await put('[]'), 400, 'MalformedPolicy');
  assertCosError(await put('{"statement":[]}'), 400, 'MalformedPolicy');
  assertCosError(await put('['.repeat(5000) + ']'.repeat(5000)), 400, 'MalformedPolicy');
  assertCosError(await put(doc({ junk: 'x'.repeat(30 * 1024) })), 400, 'MalformedPolicy');
  assertCosError(await put(doc({ resource: ['qcs::cos:ap-guangzhou:uid/1:other-bucket-1/*'] })), 400, 'MalformedPolicy');
  assertCosError(await put(doc({ principal: { qcs: ['someone'] } })), 400, 'MalformedPolicy');
  assertCosError(await put(doc({ action: ['cos:GetObject'] })), 400, 'MalformedPolicy');
  assertCosError(await put(doc({ effect: 'maybe' })), 400, 'MalformedPolicy');
  assertCosError(await put(doc({ condition: { ip_equal: { 'qcs:ip': ['300.1.1.1/8'] } } })), 400, 'MalformedPolicy');
  assertCosError(await put(doc({ condition: { regex_match: { 'qcs:ip': ['1.1.1.1'] } } })), 400, 'MalformedPolicy');
  assertCosError(await put(doc({ condition: { numeric_less_than: { 'cos:content-length': 'ten' } } })), 400, 'MalformedPolicy');
  // A Content-MD5 that does not match the body is refused as for every other configuration.
  const bad = await sendToBucket(h, Bucket, { method: 'PUT', path: '/?policy', headers: { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' }, body: doc({}) });
  assert.equal(bad.status, 400);
  await sdkRejects(h.cos.getBucketPolicy({ Bucket, Region: REGION }), 404, 'NoSuchBucketPolicy');
});

test('a policy opens one prefix to anonymous readers; the rest stays private', async () => {
  assertCosError(await anonymousGet('public/a.txt'), 403, 'AccessDenied');
  await setPolicy([{ principal: anyone, effect: 'allow', action: ['name/cos:GetObject'], resource: [resource('public/*')] }]);
  const res = await anonymousGet('public/a.txt');
  assert.equal(res.status, 200);
  assert.equal(res.text, 'body of public/a.txt');
  assertCosError(await anonymousGet('private/b.txt'), 403, 'AccessDenied');
  assertCosError(await send(h, { method: 'PUT', path: '/public/new.txt', host: bucketHost(Bucket), sign: false, body: 'x' }), 403, 'AccessDenied');
  await h.cos.deleteBucketPolicy({ Bucket, Region: REGION });
  assertCosError(await anonymousGet('public/a.txt'), 403, 'AccessDenied');
});

test('other accounts and sub-users: allowed by the policy, and an explicit deny beats an ACL grant', async () => {
  await sdkRejects(other.getObject({ Bucket, Region: REGION, Key: 'public/a.txt' }), 403, 'AccessDenied');
  await sdkRejects(sub.putObject({ Bucket, Region: REGION, Key: 'public/s.txt', Body: 's' }), 403, 'AccessDenied');
  await setPolicy([
    { principal: { qcs: [`qcs::cam::uin/${OTHER_UIN}:uin/${OTHER_UIN}`] }, effect: 'allow', action: ['name/cos:GetObject', 'name/cos:GetBucket'], resource: [resource('*')] },
    { principal: { qcs: [`qcs::cam::uin/${UIN}:uin/${SUB_UIN}`] }, effect: 'allow', action: ['name/cos:*'], resource: [resource('public/*')] },
    { principal: { qcs: [`qcs::cam::uin/${OTHER_UIN}:uin/${OTHER_UIN}`] }, effect: 'deny', action: ['name/cos:GetObject'], resource: [resource('private/*')] },
  ]);
  assert.equal((await other.getObject({ Bucket, Region: REGION, Key: 'public/a.txt' })).Body.toString(), 'body of public/a.txt');
  assert.ok((await other.getBucket({ Bucket, Region: REGION })).Contents.length >= 3);
  await sdkRejects(other.getObject({ Bucket, Region: REGION, Key: 'private/b.txt' }), 403, 'AccessDenied');
  await sdkRejects(other.putObject({ Bucket, Region: REGION, Key: 'public/o.txt', Body: 'o' }), 403, 'AccessDenied');
  // The ACL grants READ to everyone; the deny statement still wins for the other account.
  await h.cos.putBucketAcl({ Bucket, Region: REGION, ACL: 'public-read' });
  await sdkRejects(other.getObject({ Bucket, Region: REGION, Key: 'private/b.txt' }), 403, 'AccessDenied');
  assert.equal((await anonymousGet('private/b.txt')).status, 200);
  await h.cos.putBucketAcl({ Bucket, Region: REGION, ACL: 'private' });
  // The sub-user may do anything under public/ only.
  await sub.putObject({ Bucket, Region: REGION, Key: 'public/s.txt', Body: 's' });
  await sdkRejects(sub.putObject({ Bucket, Region: REGION, Key: 'private/s.txt', Body: 's' }), 403, 'AccessDenied');
  await h.cos.deleteBucketPolicy({ Bucket, Region: REGION });
});

test('temporary keys: the bucket policy grants their issuer, the key scope still limits them', async () => {
  await setPolicy([{ principal: { qcs: [`qcs::cam::uin/${OTHER_UIN}:root`] }, effect: 'allow', action: ['name/cos:GetObject'], resource: [resource('*')] }]);
  const issue = async (pattern: string) => {
    const res = await send(h, {
      method: 'POST',
      path: '/sts',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ DurationSeconds: 600, Policy: { version: '2.0', statement: [{ effect: 'allow', action: ['name/cos:GetObject'], resource: [resource(pattern)] }] } }),
      sign: { secretId: 'AKIDpolicyOther', secretKey: 'other-secret' },
    });
    assert.equal(res.status, 200, res.text);
    const keys = JSON.parse(res.text) as { Credentials: { TmpSecretId: string; TmpSecretKey: string; Token: string }; StartTime: number; ExpiredTime: number };
    return h.client({
      SecretId: undefined,
      SecretKey: undefined,
      getAuthorization: (_o: unknown, cb: (d: unknown) => void) =>
        cb({ TmpSecretId: keys.Credentials.TmpSecretId, TmpSecretKey: keys.Credentials.TmpSecretKey, SecurityToken: keys.Credentials.Token, StartTime: keys.StartTime, ExpiredTime: keys.ExpiredTime }),
    } as Partial<COS.COSOptions>);
  };
  const scoped = await issue('public/*');
  assert.equal((await scoped.getObject({ Bucket, Region: REGION, Key: 'public/a.txt' })).Body.toString(), 'body of public/a.txt');
  await sdkRejects(scoped.getObject({ Bucket, Region: REGION, Key: 'private/b.txt' }), 403, 'AccessDenied');
  await h.cos.deleteBucketPolicy({ Bucket, Region: REGION });
  await sdkRejects(scoped.getObject({ Bucket, Region: REGION, Key: 'public/a.txt' }), 403, 'AccessDenied');
});

test('conditions: ip_equal and ip_not_equal on the client address (127.0.0.1 vs 127.0.0.2)', async () => {
  await setPolicy([{ principal: anyone, effect: 'allow', action: ['name/cos:GetObject'], resource: [resource('public/*')], condition: { ip_equal: { 'qcs:ip': ['127.0.0.1/32'] } } }]);
  assert.equal((await anonymousGet('public/a.txt')).status, 200);
  assertCosError(await anonymousGet('public/a.txt', '127.0.0.2'), 403, 'AccessDenied');
  // A deny for every address but one locks out even the owner elsewhere, not the policy itself.
  await setPolicy([
    { principal: anyone, effect: 'allow', action: ['name/cos:GetObject'], resource: [resource('public/*')] },
    { principal: anyone, effect: 'deny', action: ['name/cos:*'], resource: [resource('*')], condition: { ip_not_equal: { 'qcs:ip': ['127.0.0.2'] } } },
  ]);
  assert.equal((await anonymousGet('public/a.txt', '127.0.0.2')).status, 200);
  assertCosError(await anonymousGet('public/a.txt'), 403, 'AccessDenied');
  await sdkRejects(h.cos.getObject({ Bucket, Region: REGION, Key: 'public/a.txt' }), 403, 'AccessDenied');
  await h.cos.deleteBucketPolicy({ Bucket, Region: REGION });
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'public/a.txt' })).Body.toString(), 'body of public/a.txt');
});

test('conditions on request fields, sizes and dates: string_like on the listing prefix, numeric on Content-Length, date on the time', async () => {
  await setPolicy([
    { principal: anyone, effect: 'allow', action: ['name/cos:GetBucket'], resource: [resource('*')], condition: { string_like: { 'cos:prefix': 'public/*' } } },
    { principal: anyone, effect: 'allow', action: ['name/cos:PutObject'], resource: [resource('big/*')], condition: { numeric_less_than_equal: { 'cos:content-length': 10 } } },
    { principal: anyone, effect: 'allow', action: ['name/cos:GetObject'], resource: [resource('big/*')], condition: { date_greater_than: { 'qcs:current_time': '2100-01-01T00:00:00Z' } } },
  ]);
  const list = (query: string) => send(h, { path: `/${query}`, host: bucketHost(Bucket), sign: false });
  const listed = await list('?prefix=public/');
  assert.equal(listed.status, 200, listed.text);
  assert.match(listed.text, /public\/a\.txt/);
  assertCosError(await list('?prefix=private/'), 403, 'AccessDenied');
  assertCosError(await list(''), 403, 'AccessDenied');
  const put = (body: string) => send(h, { method: 'PUT', path: '/big/new.txt', host: bucketHost(Bucket), sign: false, body });
  assert.equal((await put('0123456789')).status, 200);
  assertCosError(await put('0123456789A'), 403, 'AccessDenied');
  assertCosError(await anonymousGet('big/c.txt'), 403, 'AccessDenied');
  await setPolicy([{ principal: anyone, effect: 'allow', action: ['name/cos:GetObject'], resource: [resource('big/*')], condition: { date_less_than: { 'qcs:current_time': '2100-01-01T00:00:00Z' } } }]);
  assert.equal((await anonymousGet('big/c.txt')).status, 200);
  await h.cos.deleteBucketPolicy({ Bucket, Region: REGION });
});
