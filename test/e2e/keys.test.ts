/**
 * `cosbox keys` (issue: access control, item 1): accounts and sub-users with key pairs in the
 * metadata store, usable by a running server at once, driven with the official SDK.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { REGION, startHarness, type Harness } from './harness.js';
import { sdkRejects } from './raw.js';

const root = new URL('../..', import.meta.url).pathname;
let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

/** Runs `cosbox keys ...` on the harness's data directory, as a user would beside the server. */
function keys(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--conditions=cosbox-source', '--import', 'tsx', 'packages/cli/src/cli.ts', 'keys', ...args, '--data', h.dataDir], {
    cwd: root,
    encoding: 'utf8',
    // On PostgreSQL (postgres-e2e.test.ts) the keys go to the server's database.
    env: h.metadataUrl ? { ...process.env, COSBOX_METADATA_URL: h.metadataUrl } : process.env,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function pair(out: string): { SecretId: string; SecretKey: string } {
  return { SecretId: /SecretId\s+(\S+)/.exec(out)![1], SecretKey: /SecretKey\s+(\S+)/.exec(out)![1] };
}

test('a second root account and a sub-user get keys; each signs as itself; removed keys stop working', async () => {
  const ownBucket = `first-${Date.now().toString(36)}-1250000000`;
  await h.cos.putBucket({ Bucket: ownBucket, Region: REGION });

  const added = keys('add', '--uin', '200000000001', '--appid', '1250000001');
  assert.equal(added.status, 0, added.stderr);
  const second = h.client(pair(added.stdout));
  const theirBucket = `second-${Date.now().toString(36)}-1250000001`;
  await second.putBucket({ Bucket: theirBucket, Region: REGION });
  assert.deepEqual((await second.getService({})).Buckets.map((b) => b.Name), [theirBucket], 'GET Service: only its own buckets');
  assert.ok(!(await h.cos.getService({})).Buckets.some((b) => b.Name === theirBucket));
  await sdkRejects(second.headBucket({ Bucket: ownBucket, Region: REGION }), 403);
  await sdkRejects(second.putBucket({ Bucket: `x-${Date.now().toString(36)}-1250000000`, Region: REGION }), 403, 'AccessDenied');

  const sub = keys('add', '--uin', '200000000002', '--parent', '200000000001');
  assert.equal(sub.status, 0, sub.stderr);
  assert.match(sub.stdout, /sub-user of 200000000001/);
  const subUser = h.client(pair(sub.stdout));
  const subBucket = `sub-${Date.now().toString(36)}-1250000001`;
  await sdkRejects(subUser.putBucket({ Bucket: subBucket, Region: REGION }), 403, 'AccessDenied');
  const granted = keys('grant', '--uin', '200000000002', '--action', 'name/cos:PutBucket');
  assert.equal(granted.status, 0, granted.stderr);
  await subUser.putBucket({ Bucket: subBucket, Region: REGION });
  assert.ok((await second.getService({})).Buckets.some((b) => b.Name === subBucket), "a sub-user's bucket belongs to its root account");

  const listed = keys('list');
  assert.equal(listed.status, 0);
  assert.match(listed.stdout, /200000000002\s+200000000001\s+1250000001/);
  const removed = keys('remove', pair(added.stdout).SecretId);
  assert.equal(removed.status, 0, removed.stderr);
  await sdkRejects(second.getService({}), 403, 'InvalidAccessKeyId');

  const bad = keys('add', '--uin', '300', '--parent', '999');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /no root account 999/);
  assert.equal(keys('add', '--uin', '301').status, 1, 'a new root account needs an appid');
});
