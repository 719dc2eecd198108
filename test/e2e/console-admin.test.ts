/**
 * The console's server side, over raw HTTP: the static files at /-/console/ (and `console: false`,
 * what `--no-console` sets), and the admin API at /-/admin/ that the console's access-key page uses,
 * attacked the ways an attacker would: unsigned, pre-signed, temporary keys, sub-users, another
 * root account's keys and users, bodies, bad ids.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
// @ts-expect-error: a plain .mjs build script without type declarations.
import { buildConsole } from '../../packages/console/scripts/build.mjs';
import { assertCosError, authorization, send, type RawResponse } from './raw.js';
import { temporaryCredentials } from './browser/page-server.js';
import { killServerProcesses, startServerProcess } from './process.js';
import { APPID, bucketName, REGION, SECRET_ID, startHarness, UIN, type Harness } from './harness.js';

let h: Harness;
let off: Harness;

before(async () => {
  await buildConsole();
  h = await startHarness();
  off = await startHarness({ console: false });
});

after(async () => {
  await h?.close();
  await off?.close();
});

const OTHER_ROOT = { uin: '100000000777', appid: '1257777777', secretId: 'AKIDotherRootKey00000000000000000000', secretKey: 'otherRootSecretKey0000000000000000' };
const OTHER_SUB = { uin: '100000000778', secretId: 'AKIDotherSubKey000000000000000000000', secretKey: 'otherSubSecretKey00000000000000000' };

async function addOtherRoot(): Promise<void> {
  const { meta } = h.server.services;
  const now = Date.now();
  await meta.putAccount({ uin: OTHER_ROOT.uin, appid: OTHER_ROOT.appid, rootUin: OTHER_ROOT.uin, createdAt: now });
  await meta.putAccessKey({ secretId: OTHER_ROOT.secretId, secretKey: OTHER_ROOT.secretKey, uin: OTHER_ROOT.uin, createdAt: now });
  await meta.putAccount({ uin: OTHER_SUB.uin, appid: OTHER_ROOT.appid, rootUin: OTHER_ROOT.uin, createdAt: now });
  await meta.putAccessKey({ secretId: OTHER_SUB.secretId, secretKey: OTHER_SUB.secretKey, uin: OTHER_SUB.uin, createdAt: now });
}

const json = <T>(res: RawResponse) => JSON.parse(res.text) as T;

interface KeyList {
  uin: string;
  appid: string;
  users: Array<{ uin: string; root: boolean; keys: Array<{ secretId: string; secretKey?: string }> }>;
}
interface NewKey {
  uin: string;
  secretId: string;
  secretKey: string;
}

test('the console: its page and assets with a strict CSP, nothing else under /-/console/', async () => {
  const page = await send(h, { path: '/-/console/', sign: false });
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.text, /<script src="console.js"><\/script>/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*connect-src 'self'/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');

  const script = await send(h, { path: '/-/console/console.js', sign: false });
  assert.equal(script.status, 200);
  assert.match(String(script.headers['content-type']), /^text\/javascript/);
  assert.ok(script.body.length > 10_000);
  assert.doesNotMatch(script.text, /https?:\/\/(?:cdn|unpkg|fonts)\./, 'no CDN');
  assert.equal((await send(h, { path: '/-/console/console.css', sign: false })).status, 200);

  const redirect = await send(h, { path: '/-/console', sign: false });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, '/-/console/');

  for (const path of ['/-/console/../../package.json', '/-/console/%2e%2e/%2e%2e/package.json', '/-/console/x%00.js', '/-/console/nope.js', '/-/nothing']) {
    assertCosError(await send(h, { path, sign: false }), 404, 'NoSuchKey');
  }
  assertCosError(await send(h, { method: 'PUT', path: '/-/console/index.html', sign: false, body: 'x' }), 405, 'MethodNotAllowed');
  // A virtual-hosted bucket's `-/console/` is an ordinary key, not the console.
  const bucket = bucketName('consolekey');
  await h.cos.putBucket({ Bucket: bucket, Region: REGION });
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: '-/console/index.html', Body: 'mine' });
  const own = await h.cos.getObject({ Bucket: bucket, Region: REGION, Key: '-/console/index.html' });
  assert.equal(own.Body.toString(), 'mine');
});

test('console: false (--no-console) serves no console, and buckets work as before', async () => {
  assertCosError(await send(off, { path: '/-/console/', sign: false }), 404, 'NoSuchKey');
  assertCosError(await send(off, { path: '/-/console/console.js', sign: false }), 404, 'NoSuchKey');
  const bucket = bucketName('noconsole');
  await off.cos.putBucket({ Bucket: bucket, Region: REGION });
  assert.equal((await off.cos.headBucket({ Bucket: bucket, Region: REGION })).statusCode, 200);
});

/** The status of an anonymous GET to a port. */
function statusOf(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject).end();
  });
}

test('cosbox serve serves the console; cosbox serve --no-console does not', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cosbox-console-cli-'));
  t.after(async () => {
    killServerProcesses();
    await rm(dir, { recursive: true, force: true });
  });
  const on = await startServerProcess(join(dir, 'on'));
  assert.equal(await statusOf(on.port, '/-/console/'), 200);
  on.child.kill('SIGTERM');
  await on.exited;
  const quiet = await startServerProcess(join(dir, 'off'), ['--no-console']);
  assert.equal(await statusOf(quiet.port, '/-/console/'), 404);
  assert.equal(await statusOf(quiet.port, '/-/console/console.js'), 404);
  quiet.child.kill('SIGTERM');
  await quiet.exited;
});

test('admin API: a root account lists, adds and removes its keys and sub-users; a secret is shown once', async () => {
  const list = await send(h, { path: '/-/admin/keys' });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.headers['cache-control'], 'no-store');
  const keys = json<KeyList>(list);
  assert.equal(keys.uin, UIN);
  assert.equal(keys.appid, APPID);
  assert.deepEqual(keys.users[0].keys.map((k) => k.secretId), [SECRET_ID]);
  assert.doesNotMatch(list.text, /secretKey/i, 'no secret in a listing');

  const subUser = '100000000002';
  const created = await send(h, { method: 'POST', path: `/-/admin/users/${subUser}/keys` });
  assert.equal(created.status, 201, created.text);
  const key = json<NewKey>(created);
  assert.equal(key.uin, subUser);
  assert.match(key.secretId, /^AKID[A-Za-z0-9]{32}$/);
  assert.match(key.secretKey, /^[A-Za-z0-9]{32}$/);

  const after = json<KeyList>(await send(h, { path: '/-/admin/keys' }));
  const sub = after.users.find((u) => u.uin === subUser);
  assert.ok(sub && !sub.root);
  assert.deepEqual(sub.keys.map((k) => k.secretId), [key.secretId]);
  assert.doesNotMatch(JSON.stringify(after), new RegExp(key.secretKey), 'the secret is not listed again');

  // The new key signs as the sub-user at once (which may not use the admin API).
  assertCosError(await send(h, { path: '/-/admin/keys', sign: { secretId: key.secretId, secretKey: key.secretKey } }), 403, 'AccessDenied');

  // A second key for the root account itself, then removed with the first.
  const rootKey = json<NewKey>(await send(h, { method: 'POST', path: `/-/admin/users/${UIN}/keys` }));
  assert.equal(rootKey.uin, UIN);
  assert.equal((await send(h, { path: '/-/admin/keys', sign: { secretId: rootKey.secretId, secretKey: rootKey.secretKey } })).status, 200);
  assertCosError(await send(h, { method: 'DELETE', path: `/-/admin/keys/${SECRET_ID}` }), 400, 'InvalidRequest'); // the key signing the request
  const removed = await send(h, { method: 'DELETE', path: `/-/admin/keys/${rootKey.secretId}` });
  assert.equal(removed.status, 204, removed.text);
  assertCosError(await send(h, { path: '/-/admin/keys', sign: { secretId: rootKey.secretId, secretKey: rootKey.secretKey } }), 403, 'InvalidAccessKeyId');

  const gone = await send(h, { method: 'DELETE', path: `/-/admin/users/${subUser}` });
  assert.equal(gone.status, 204, gone.text);
  assertCosError(await send(h, { path: '/', sign: { secretId: key.secretId, secretKey: key.secretKey } }), 403, 'InvalidAccessKeyId');
  assertCosError(await send(h, { method: 'DELETE', path: `/-/admin/users/${subUser}` }), 400, 'InvalidArgument');
  assertCosError(await send(h, { method: 'DELETE', path: `/-/admin/users/${UIN}` }), 400, 'InvalidRequest');
});

test('admin API: anonymous, pre-signed, temporary-key and sub-user requests are refused', async () => {
  assertCosError(await send(h, { path: '/-/admin/keys', sign: false }), 403, 'AccessDenied');
  assertCosError(await send(h, { method: 'POST', path: `/-/admin/users/100000000003/keys`, sign: false }), 403, 'AccessDenied');

  // The same signature in the query (a pre-signed URL) does not get in.
  const auth = authorization('GET', '/-/admin/keys', { host: `127.0.0.1:${h.port}` });
  const presigned = await send(h, { path: `/-/admin/keys?${auth}`, sign: false });
  assertCosError(presigned, 403, 'AccessDenied');

  const bucket = bucketName('adminsts');
  await h.cos.putBucket({ Bucket: bucket, Region: REGION });
  const temporary = await temporaryCredentials(h, bucket);
  const withToken = await send(h, { path: '/-/admin/keys', headers: { 'x-cos-security-token': temporary.SecurityToken }, sign: { secretId: temporary.TmpSecretId, secretKey: temporary.TmpSecretKey } });
  assertCosError(withToken, 403, 'AccessDenied');

  assertCosError(await send(h, { path: '/-/admin/keys', sign: { secretKey: 'wrong' } }), 403, 'SignatureDoesNotMatch');
});

test("admin API: another root account's keys and users are out of reach, and say nothing about them", async () => {
  await addOtherRoot();
  const mine = json<KeyList>(await send(h, { path: '/-/admin/keys' }));
  assert.ok(!JSON.stringify(mine).includes(OTHER_ROOT.uin) && !JSON.stringify(mine).includes(OTHER_SUB.uin));

  assertCosError(await send(h, { method: 'DELETE', path: `/-/admin/keys/${OTHER_ROOT.secretId}` }), 400, 'InvalidArgument');
  assertCosError(await send(h, { method: 'DELETE', path: `/-/admin/keys/${OTHER_SUB.secretId}` }), 400, 'InvalidArgument');
  assertCosError(await send(h, { method: 'DELETE', path: `/-/admin/users/${OTHER_SUB.uin}` }), 403, 'AccessDenied');
  assertCosError(await send(h, { method: 'POST', path: `/-/admin/users/${OTHER_SUB.uin}/keys` }), 403, 'AccessDenied');
  assertCosError(await send(h, { method: 'POST', path: `/-/admin/users/${OTHER_ROOT.uin}/keys` }), 403, 'AccessDenied');
  // Their keys are all still there.
  const theirs = json<KeyList>(await send(h, { path: '/-/admin/keys', sign: { secretId: OTHER_ROOT.secretId, secretKey: OTHER_ROOT.secretKey } }));
  assert.deepEqual(theirs.users.map((u) => u.uin), [OTHER_ROOT.uin, OTHER_SUB.uin]);
  assert.ok(!JSON.stringify(theirs).includes(UIN));
});

test('admin API: bad input is a 4xx COS error, never a crash', async () => {
  for (const uin of ['0', 'abc', '1'.repeat(21), '12%0D%0Ax', '%E4%B8%AD', '-1']) {
    assertCosError(await send(h, { method: 'POST', path: `/-/admin/users/${uin}/keys` }), 400, 'InvalidArgument');
  }
  for (const id of ['nope', 'x'.repeat(800), '%0D%0A', '%E4%B8%AD']) {
    assertCosError(await send(h, { method: 'DELETE', path: `/-/admin/keys/${id}` }), 400, 'InvalidArgument');
  }
  // Past the longest key a path may name, the address itself is refused.
  assertCosError(await send(h, { method: 'DELETE', path: `/-/admin/keys/${'x'.repeat(2000)}` }), 400, 'InvalidURI');
  assertCosError(await send(h, { method: 'POST', path: '/-/admin/users/100000000004/keys', body: '{"uin":"1"}' }), 400, 'UnexpectedContent');
  assertCosError(await send(h, { method: 'POST', path: '/-/admin/users/100000000004/keys', body: [Buffer.alloc(64 * 1024)] }), 400, 'UnexpectedContent');
  assertCosError(await send(h, { method: 'PUT', path: '/-/admin/keys' }), 405, 'MethodNotAllowed');
  assertCosError(await send(h, { method: 'GET', path: '/-/admin/users/100000000004/keys' }), 405, 'MethodNotAllowed');
  assertCosError(await send(h, { path: '/-/admin/keys/a/b/c' }), 404, 'NoSuchKey');
  // None of those made the account.
  const list = json<KeyList>(await send(h, { path: '/-/admin/keys' }));
  assert.ok(!list.users.some((u) => u.uin === '100000000004'));
});
