/**
 * POST Object forms, hardened and as real applications sign them: a field that widens access or
 * changes how the object is protected must be named by a policy condition (hardening item 5); an
 * Authorization-style `Signature` field signs the policy; the conditions COS documents on the
 * signature's own fields (`q-sign-algorithm`, `q-ak`, `q-sign-time`) and forms signed by temporary
 * keys with `x-cos-security-token` (real clients item 12).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { formatAuthorization, postPolicySignature, sign } from '@cosbox/protocol';
import { nodeCrypto } from '../../packages/server/src/auth/node-crypto.js';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';
import { postForm, signedFields } from './form.js';
import { assertCosError, nowSeconds, send } from './raw.js';

let h: Harness;
const Bucket = bucketName('pp');
before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

const post = (fields: Record<string, string>) => postForm(h, Bucket, fields, [{ name: 'page.html', content: '<script>alert(1)</script>', type: 'text/html' }]);
const at = (Key: string) => ({ Bucket, Region: REGION, Key });
const absent = async (Key: string) => assert.equal(await h.cos.headObject(at(Key)).then(() => 200, (e: { statusCode: number }) => e.statusCode), 404);

test('acl, x-cos-grant-* and x-cos-server-side-encryption* fields the policy does not name are refused', async () => {
  const policy = signedFields([{ bucket: Bucket }, ['starts-with', '$key', 'user/']]);
  const html = await post({ key: 'user/page.html', acl: 'public-read', 'Content-Type': 'text/html', ...policy });
  assert.match(assertCosError(html, 403, 'AccessDenied').Message, /Extra input fields: acl/);
  await absent('user/page.html');
  for (const [name, value] of [
    ['x-cos-acl', 'public-read'],
    ['x-cos-grant-read', 'id="qcs::cam::anyone:anyone"'],
    ['x-cos-server-side-encryption', 'AES256'],
    ['x-cos-server-side-encryption-customer-algorithm', 'AES256'],
  ]) {
    assertCosError(await post({ key: 'user/other.html', [name]: value, ...policy }), 403, 'AccessDenied');
  }
  await absent('user/other.html');
});

test('named by a condition, they work; content fields need no condition', async () => {
  const res = await post({
    key: 'user/public.html',
    acl: 'public-read',
    'Content-Type': 'text/html',
    'Cache-Control': 'no-cache',
    'x-cos-meta-from': 'form',
    success_action_status: '201',
    ...signedFields([{ bucket: Bucket }, { acl: 'public-read' }]),
  });
  assert.equal(res.status, 201, res.text);
  assert.equal((await h.cos.getObjectAcl(at('user/public.html'))).ACL, 'public-read');
  const head = await h.cos.headObject(at('user/public.html'));
  assert.equal(head.headers?.['x-cos-meta-from'], 'form');
  assert.equal(head.headers?.['cache-control'], 'no-cache');
  // A condition pins the value: another ACL breaks it.
  assertCosError(await post({ key: 'user/wide.html', acl: 'public-read-write', ...signedFields([{ acl: 'public-read' }]) }), 403, 'AccessDenied');
});

/** The fields of a form signed with one Authorization-style `Signature` field over `policy`. */
function signatureField(policy: string, q: (keyTime: string) => string): Record<string, string> {
  const keyTime = `${nowSeconds() - 60};${nowSeconds() + 600}`;
  return { policy: Buffer.from(policy).toString('base64'), Signature: q(keyTime) };
}

test('an Authorization-style Signature field signs the policy', async () => {
  const policy = JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [{ bucket: Bucket }, ['starts-with', '$key', 'sig/']] });
  const overPolicy = (keyTime: string) =>
    formatAuthorization({ algorithm: 'sha1', secretId: SECRET_ID, signTime: keyTime, keyTime, headerList: [], paramList: [], signature: postPolicySignature(nodeCrypto, SECRET_KEY, keyTime, policy) });
  const ok = await post({ key: 'sig/ok.txt', ...signatureField(policy, overPolicy) });
  assert.equal(ok.status, 204, ok.text);

  // A request signature over `post /` and the host signs nothing the form carries: refused.
  const overRequest = (keyTime: string) =>
    sign(nodeCrypto, { secretId: SECRET_ID, secretKey: SECRET_KEY, method: 'POST', pathname: '/', headers: { host: `127.0.0.1:${h.port}` }, signTime: keyTime }).authorization;
  assertCosError(await post({ key: 'sig/old.txt', ...signatureField(policy, overRequest) }), 403, 'SignatureDoesNotMatch');
  // The policy changed after signing.
  const widened = { ...signatureField(policy, overPolicy), policy: Buffer.from(policy.replace('sig/', '')).toString('base64') };
  assertCosError(await post({ key: 'elsewhere.txt', ...widened }), 403, 'SignatureDoesNotMatch');
  // Without a policy there is nothing signed.
  const noPolicy = signatureField(policy, overPolicy);
  assertCosError(await post({ key: 'sig/none.txt', Signature: noPolicy.Signature }), 400, 'InvalidPolicyDocument');
  await absent('sig/old.txt');
  await absent('elsewhere.txt');
  await absent('sig/none.txt');
});

/** A form as COS documents it: the policy names the signature's fields; the form sends q-key-time. */
function documentedForm(key: string, secretId: string, secretKey: string, extraConditions: unknown[] = [], token?: string): Record<string, string> {
  const keyTime = `${nowSeconds() - 60};${nowSeconds() + 600}`;
  const conditions = [{ 'q-sign-algorithm': 'sha1' }, { 'q-ak': secretId }, { 'q-sign-time': keyTime }, { bucket: Bucket }, { key }, ...extraConditions];
  const policy = JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions });
  return {
    key,
    policy: Buffer.from(policy).toString('base64'),
    'q-sign-algorithm': 'sha1',
    'q-ak': secretId,
    'q-key-time': keyTime,
    'q-signature': postPolicySignature(nodeCrypto, secretKey, keyTime, policy),
    ...(token ? { 'x-cos-security-token': token } : {}),
  };
}

test('COS\'s documented policy conditions on q-sign-algorithm, q-ak and q-sign-time hold', async () => {
  const res = await post(documentedForm('doc/a.txt', SECRET_ID, SECRET_KEY));
  assert.equal(res.status, 204, res.text);
  // A condition that does not hold still fails.
  const wrongAk = { ...documentedForm('doc/b.txt', SECRET_ID, SECRET_KEY, [{ 'q-ak': 'AKIDsomeoneelse' }]) };
  assertCosError(await post(wrongAk), 403, 'AccessDenied');
  await absent('doc/b.txt');
});

test('forms signed by a temporary key from POST /sts carry x-cos-security-token', async () => {
  const Policy = { statement: [{ effect: 'allow', action: ['name/cos:PostObject'], resource: [`qcs::cos:${REGION}:uid/1250000000:${Bucket}/tmp/*`] }] };
  const issued = await send(h, { method: 'POST', path: '/sts', body: JSON.stringify({ Policy }) });
  assert.equal(issued.status, 200, issued.text);
  const { TmpSecretId, TmpSecretKey, Token } = (JSON.parse(issued.text) as { Credentials: { TmpSecretId: string; TmpSecretKey: string; Token: string } }).Credentials;

  const res = await post(documentedForm('tmp/a.txt', TmpSecretId, TmpSecretKey, [{ 'x-cos-security-token': Token }], Token));
  assert.equal(res.status, 204, res.text);
  assert.equal((await h.cos.getObject(at('tmp/a.txt'))).Body.toString(), '<script>alert(1)</script>');
  // The key's policy still limits it; without the token the temporary SecretId is no key.
  assertCosError(await post(documentedForm('other/a.txt', TmpSecretId, TmpSecretKey, [], Token)), 403, 'AccessDenied');
  const { 'x-cos-security-token': _dropped, ...noToken } = documentedForm('tmp/b.txt', TmpSecretId, TmpSecretKey, [], Token);
  assertCosError(await post(noToken), 403, 'InvalidAccessKeyId');
});
