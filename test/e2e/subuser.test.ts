/**
 * Sub-users act with their root account's rights only as far as the root grants them (hardening
 * item 5): CAM-style policy statements attached with `cosbox keys grant` / `revoke`, needed for PUT
 * Bucket and GET Service, widening (allow) or narrowing (deny) what the ACLs give a sub-user on its
 * root's buckets. Driven through the CLI and the official SDK.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { APPID, bucketName, REGION, startHarness, UIN, type Harness } from './harness.js';
import { postForm, signedFields } from './form.js';
import { sdkRejects } from './raw.js';

const root = new URL('../..', import.meta.url).pathname;
const SUB = '100000000031';
let h: Harness;
let sub: COS;
let subKeys: { SecretId: string; SecretKey: string };

/** Runs `cosbox keys ...` on the harness's data directory, as a user would beside the server. */
function keys(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--conditions=cosbox-source', '--import', 'tsx', 'packages/cli/src/cli.ts', 'keys', ...args, '--data', h.dataDir], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: ReturnType<typeof keys>): string {
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

before(async () => {
  h = await startHarness();
  const out = ok(keys('add', '--uin', SUB, '--parent', UIN));
  subKeys = { SecretId: /SecretId\s+(\S+)/.exec(out)![1], SecretKey: /SecretKey\s+(\S+)/.exec(out)![1] };
  sub = h.client(subKeys);
});
after(() => h.close());

const resource = (bucket: string, key = '*') => `qcs::cos:${REGION}:uid/${APPID}:${bucket}/${key}`;

test('a sub-user without grants creates no bucket, public-read-write included, and lists none', async () => {
  await sdkRejects(sub.putBucket({ Bucket: bucketName('nogrant'), Region: REGION }), 403, 'AccessDenied');
  await sdkRejects(sub.putBucket({ Bucket: bucketName('nogrant'), Region: REGION, ACL: 'public-read-write' }), 403, 'AccessDenied');
  await sdkRejects(sub.getService({}), 403, 'AccessDenied');
  assert.match(ok(keys('grants', '--uin', SUB)), /no grants/);
});

test('with a PutBucket grant it creates buckets owned by its root account; revoking takes the right away', async () => {
  assert.match(ok(keys('grant', '--uin', SUB, '--action', 'name/cos:PutBucket', 'name/cos:GetService')), /allow\s+name\/cos:PutBucket\s+\*/);
  const Bucket = bucketName('granted');
  await sub.putBucket({ Bucket, Region: REGION, ACL: 'public-read-write' });
  assert.ok((await sub.getService({})).Buckets.some((b) => b.Name === Bucket));
  const acl = await h.cos.getBucketAcl({ Bucket, Region: REGION });
  assert.equal(acl.Owner.ID, `qcs::cam::uin/${UIN}:uin/${UIN}`, 'the root account owns it');
  await sdkRejects(sub.deleteBucket({ Bucket, Region: REGION }), 403, 'AccessDenied');
  await h.cos.deleteBucket({ Bucket, Region: REGION });

  ok(keys('revoke', '--uin', SUB, '--action', 'name/cos:PutBucket'));
  await sdkRejects(sub.putBucket({ Bucket: bucketName('revoked'), Region: REGION }), 403, 'AccessDenied');
  assert.equal((await sub.getService({})).statusCode, 200, 'GetService is still granted');
  ok(keys('revoke', '--uin', SUB, '--action', 'name/cos:GetService'));
  await sdkRejects(sub.getService({}), 403, 'AccessDenied');
});

test('a grant names the buckets it covers', async () => {
  ok(keys('grant', '--uin', SUB, '--action', 'name/cos:PutBucket', '--resource', `qcs::cos:${REGION}:uid/${APPID}:team-*`));
  const team = `team-${Date.now().toString(36)}-${APPID}`;
  await sub.putBucket({ Bucket: team, Region: REGION });
  await sdkRejects(sub.putBucket({ Bucket: bucketName('elsewhere'), Region: REGION }), 403, 'AccessDenied');
  await sdkRejects(sub.putBucket({ Bucket: `team-${Date.now().toString(36)}-${APPID}`, Region: 'ap-beijing' }), 403, 'AccessDenied');
  ok(keys('revoke', '--uin', SUB, '--action', 'name/cos:PutBucket', '--resource', `qcs::cos:${REGION}:uid/${APPID}:team-*`));
});

test("allow statements widen and deny statements narrow what the ACLs give on the root's buckets", async () => {
  const Bucket = bucketName('widen');
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'shared/a.txt', Body: 'a' });
  await sdkRejects(sub.getObject({ Bucket, Region: REGION, Key: 'shared/a.txt' }), 403, 'AccessDenied');

  ok(keys('grant', '--uin', SUB, '--action', 'name/cos:GetObject', 'name/cos:PutObject', '--resource', resource(Bucket, 'shared/*')));
  assert.equal((await sub.getObject({ Bucket, Region: REGION, Key: 'shared/a.txt' })).Body.toString(), 'a');
  await sub.putObject({ Bucket, Region: REGION, Key: 'shared/b.txt', Body: 'b' });
  await sdkRejects(sub.putObject({ Bucket, Region: REGION, Key: 'private/b.txt', Body: 'b' }), 403, 'AccessDenied');
  await sdkRejects(sub.deleteObject({ Bucket, Region: REGION, Key: 'shared/a.txt' }), 403, 'AccessDenied');

  // A form signed by the sub-user is held to the same statements.
  const form = (key: string) => postForm(h, Bucket, { key, ...signedFields([{ bucket: Bucket }], { secretKey: subKeys.SecretKey }), 'q-ak': subKeys.SecretId });
  assert.equal((await form('shared/form.txt')).status, 403);
  ok(keys('grant', '--uin', SUB, '--action', 'name/cos:PostObject', '--resource', resource(Bucket, 'shared/*')));
  assert.equal((await form('shared/form.txt')).status, 204);
  assert.equal((await form('private/form.txt')).status, 403);

  // The bucket ACL lets the sub-user read everything; a deny statement takes a prefix back.
  await h.cos.putBucketAcl({ Bucket, Region: REGION, GrantRead: `id="qcs::cam::uin/${UIN}:uin/${SUB}"` });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'secret/x.txt', Body: 'x' });
  assert.equal((await sub.getObject({ Bucket, Region: REGION, Key: 'secret/x.txt' })).Body.toString(), 'x');
  ok(keys('grant', '--uin', SUB, '--deny', '--action', 'name/cos:GetObject', '--resource', resource(Bucket, 'secret/*')));
  await sdkRejects(sub.getObject({ Bucket, Region: REGION, Key: 'secret/x.txt' }), 403, 'AccessDenied');
  assert.equal((await sub.getObject({ Bucket, Region: REGION, Key: 'shared/b.txt' })).Body.toString(), 'b');
  assert.match(ok(keys('grants', '--uin', SUB)), /deny\s+name\/cos:GetObject\s+\S+secret\/\*/);
});

test("a root account's statements do not reach another root account's buckets", async () => {
  ok(keys('add', '--uin', '300000000031', '--appid', '1250000031', '--secret-id', 'AKIDsubOther', '--secret-key', 'other-secret'));
  const other = h.client({ SecretId: 'AKIDsubOther', SecretKey: 'other-secret' });
  const Bucket = `theirs-${Date.now().toString(36)}-1250000031`;
  await other.putBucket({ Bucket, Region: REGION });
  await other.putObject({ Bucket, Region: REGION, Key: 'k', Body: 'v' });
  ok(keys('grant', '--uin', SUB, '--action', 'name/cos:*', '--resource', '*'));
  await sdkRejects(sub.getObject({ Bucket, Region: REGION, Key: 'k' }), 403, 'AccessDenied');
  await sdkRejects(sub.putBucket({ Bucket: `mine-${Date.now().toString(36)}-1250000031`, Region: REGION }), 403, 'AccessDenied');
  ok(keys('revoke', '--uin', SUB, '--action', 'name/cos:*', '--resource', '*'));
});

test('cosbox keys grant refuses root accounts, unknown users, and malformed actions and resources', () => {
  const refused = (args: string[], message: RegExp) => {
    const r = keys(...args);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, message);
  };
  refused(['grant', '--uin', UIN, '--action', 'name/cos:PutBucket'], /no sub-user/);
  refused(['grant', '--uin', '999', '--action', 'name/cos:PutBucket'], /no sub-user/);
  refused(['grant', '--uin', SUB, '--action', 'PutBucket'], /--action PutBucket/);
  refused(['grant', '--uin', SUB, '--action', 'name/cos:Put Bucket'], /--action/);
  refused(['grant', '--uin', SUB, '--action', 'name/cos:PutBucket', '--resource', 'a b'], /--resource/);
  refused(['revoke', '--uin', SUB, '--action', 'name/cos:DeleteBucket'], /no such grant/);
});
