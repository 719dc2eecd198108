/**
 * Temporary keys, hardened (hardening items 2 and 5): removing the key pair or the account that
 * issued a temporary key (with `cosbox keys remove`) ends it at once; malformed `POST /sts` bodies
 * and security tokens of any length, charset or payload are 4xx, never 500.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, temporaryKeyClient, type Harness, type TemporaryKey } from './harness.js';
import { assertCosError, sdkRejects, send, sendToBucket } from './raw.js';

const root = new URL('../..', import.meta.url).pathname;
let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

/** `cosbox keys ...` on the harness's data directory, beside the running server. */
function keys(...args: string[]): string {
  const r = spawnSync(process.execPath, ['--conditions=cosbox-source', '--import', 'tsx', 'packages/cli/src/cli.ts', 'keys', ...args, '--data', h.dataDir], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function pair(out: string) {
  return { secretId: /SecretId\s+(\S+)/.exec(out)![1], secretKey: /SecretKey\s+(\S+)/.exec(out)![1] };
}

async function issue(signer: { secretId: string; secretKey: string }, appid: string, bucket: string): Promise<TemporaryKey> {
  const Policy = { statement: [{ effect: 'allow', action: ['name/cos:*'], resource: [`qcs::cos:${REGION}:uid/${appid}:${bucket}/*`] }] };
  const res = await send(h, { method: 'POST', path: '/sts', body: JSON.stringify({ DurationSeconds: 600, Policy }), sign: signer });
  assert.equal(res.status, 200, res.text);
  return JSON.parse(res.text) as TemporaryKey;
}

test('removing the issuing key pair, or its account, ends its temporary keys at once', async () => {
  const account = pair(keys('add', '--uin', '300000000001', '--appid', '1250000031'));
  const second = pair(keys('add', '--uin', '300000000001', '--appid', '1250000031'));
  const Bucket = `rev-${Date.now().toString(36)}-1250000031`;
  await h.client({ SecretId: account.secretId, SecretKey: account.secretKey }).putBucket({ Bucket, Region: REGION });

  const byFirst = temporaryKeyClient(h, await issue(account, '1250000031', Bucket));
  const bySecond = temporaryKeyClient(h, await issue(second, '1250000031', Bucket));
  await byFirst.putObject({ Bucket, Region: REGION, Key: 'a.txt', Body: 'first' });
  await bySecond.putObject({ Bucket, Region: REGION, Key: 'b.txt', Body: 'second' });

  keys('remove', account.secretId);
  await sdkRejects(byFirst.getObject({ Bucket, Region: REGION, Key: 'a.txt' }), 403, 'InvalidSecurity');
  assert.equal((await bySecond.getObject({ Bucket, Region: REGION, Key: 'a.txt' })).Body.toString(), 'first', "the account's other key pair still issues valid keys");

  // Emptied first: an account that owns buckets cannot be removed.
  await h.client({ SecretId: second.secretId, SecretKey: second.secretKey }).deleteMultipleObject({ Bucket, Region: REGION, Objects: [{ Key: 'a.txt' }, { Key: 'b.txt' }] });
  await h.client({ SecretId: second.secretId, SecretKey: second.secretKey }).deleteBucket({ Bucket, Region: REGION });
  keys('remove', '--account', '300000000001');
  await sdkRejects(bySecond.getBucket({ Bucket, Region: REGION }), 403, 'InvalidSecurity');
});

test('a key pair removed and added again does not bring back the keys it issued', async () => {
  const added = pair(keys('add', '--uin', '300000000002', '--appid', '1250000032'));
  const Bucket = `readd-${Date.now().toString(36)}-1250000032`;
  await h.client({ SecretId: added.secretId, SecretKey: added.secretKey }).putBucket({ Bucket, Region: REGION });
  const temporary = temporaryKeyClient(h, await issue(added, '1250000032', Bucket));
  await temporary.headBucket({ Bucket, Region: REGION });
  keys('remove', added.secretId);
  keys('add', '--uin', '300000000002', '--secret-id', added.secretId, '--secret-key', added.secretKey);
  await sdkRejects(temporary.getBucket({ Bucket, Region: REGION }), 403, 'InvalidSecurity');
});

test('malformed POST /sts bodies are 400, never 500', async () => {
  const bodies = [
    '{not json',
    'null',
    '42',
    '[]',
    JSON.stringify({ Policy: '{"statement": [' }),
    JSON.stringify({ Policy: 'null' }),
    JSON.stringify({ Policy: { statement: [null] } }),
    JSON.stringify({ Policy: { statement: [7] } }),
    JSON.stringify({ Policy: { statement: [{}] } }),
    JSON.stringify({ Policy: { statement: [{ effect: { x: 1 }, action: 'name/cos:*', resource: '*' }] } }),
    JSON.stringify({ Policy: { statement: [{ action: [], resource: '*' }] } }),
    JSON.stringify({ Policy: { statement: [{ action: [null], resource: [{}] }] } }),
    JSON.stringify({ Policy: { statement: 'all' } }),
  ];
  for (const body of bodies) {
    const res = await send(h, { method: 'POST', path: '/sts', body });
    assertCosError(res, 400, 'InvalidArgument');
  }
  const huge = await send(h, { method: 'POST', path: '/sts', body: JSON.stringify({ Policy: { statement: [{ action: 'x'.repeat(200_000), resource: '*' }] } }) });
  assertCosError(huge, 400, 'MaxMessageLengthExceeded');
});

test('security tokens of any length, charset or payload are InvalidSecurity, never 500', async () => {
  const Bucket = bucketName('tok');
  await h.cos.putBucket({ Bucket, Region: REGION });
  const sign = { secretId: 'AKIDtmpwhatever', secretKey: 'whatever' };
  const viaHeader = (token: string) => sendToBucket(h, Bucket, { path: '/', headers: { 'x-cos-security-token': token }, sign });
  const viaQuery = (token: string) => sendToBucket(h, Bucket, { path: `/?x-cos-security-token=${encodeURIComponent(token)}`, sign });
  for (const token of ['é'.repeat(43), 'x.' + 'é'.repeat(43), '.', 'a.', '.b', 'x'.repeat(8000), 'a.b.c']) {
    assertCosError(await viaHeader(token), 403, 'InvalidSecurity');
  }
  for (const token of ['x.' + '你'.repeat(43), '你'.repeat(43), '\u0000.\u0001', 'x.' + '😀'.repeat(22)]) {
    assertCosError(await viaQuery(token), 403, 'InvalidSecurity');
  }
  // Sealed with the server's own secret, yet not a token: a payload that is not JSON, or JSON of another shape.
  const secret = await readFile(join(h.dataDir, 'sts.secret'));
  const sealed = (payload: string) => {
    const body = Buffer.from(payload).toString('base64url');
    return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
  };
  for (const payload of ['not json', 'null', '[]', JSON.stringify({ id: 'AKIDtmpwhatever', issuer: null, statements: 'x', expires: 'later' })]) {
    assertCosError(await viaHeader(sealed(payload)), 403, 'InvalidSecurity');
  }
});
