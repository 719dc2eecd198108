/**
 * A full disk: the data directory on a small tmpfs, filled to the last byte. Writes fail with a
 * COS error and leave nothing behind; reads go on; DELETE still works (it writes no blob and only
 * a little metadata, into WAL pages SQLite already has), and the space it frees takes writes again.
 * Mounting needs root (CAP_SYS_ADMIN): without it the test says so and skips.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '@cosbox/server';
import COS from 'cos-nodejs-sdk-v5';
import { APPID, REGION, SECRET_ID, SECRET_KEY, UIN } from '../e2e/harness.js';

const Bucket = `full-${APPID}`;
const Versioned = `fullv-${APPID}`;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** Mounts a tmpfs of `size` at a fresh directory; undefined (with the reason) when that is not allowed here. */
function mountTmpfs(size: string): { dir: string; unmount(): void } | string {
  const dir = execFileSync('mktemp', ['-d', join(tmpdir(), 'cosbox-full-XXXXXX')]).toString().trim();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    execFileSync('rmdir', [dir]);
    return `cannot mount a tmpfs here (needs root): ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir]);
      execFileSync('rmdir', [dir]);
    },
  };
}

/** Writes a file until the disk is full, to the last byte. */
async function fillDisk(path: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 9, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          await file.write(chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          break;
        }
      }
    }
  } finally {
    await file.close().catch(() => undefined);
  }
}

test('on a full disk writes fail cleanly, reads go on, and DELETE works and frees space', async (t) => {
  const mount = mountTmpfs('24m');
  if (typeof mount === 'string') return t.skip(mount);
  try {
    const dataDir = join(mount.dir, 'data');
    const server = await startServer({ dataDir, port: 0, credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY, appid: APPID, uin: UIN }, logLevel: process.env.COSBOX_TEST_LOG ?? 'silent' });
    try {
      const cos = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${server.port}` } as COS.COSOptions);
      await cos.putBucket({ Bucket, Region: REGION });
      await cos.putBucket({ Bucket: Versioned, Region: REGION });
      await cos.putBucketVersioning({ Bucket: Versioned, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
      for (let i = 0; i < 5; i++) await cos.putObject({ Bucket: Versioned, Region: REGION, Key: `v/${i}`, Body: randomBytes(100_000) });
      const stored = new Map<string, Buffer>();
      for (let i = 0; i < 8; i++) {
        const body = randomBytes(1024 * 1024);
        await cos.putObject({ Bucket, Region: REGION, Key: `big/${i}`, Body: body });
        stored.set(`big/${i}`, body);
      }
      for (let i = 0; i < 20; i++) {
        const body = randomBytes(1000);
        await cos.putObject({ Bucket, Region: REGION, Key: `small/${i}`, Body: body });
        stored.set(`small/${i}`, body);
      }
      await fillDisk(join(mount.dir, 'filler'));

      // Full: a write fails with a COS error (not a hang, not a crash) and leaves no temporary file.
      const refused = await cos.putObject({ Bucket, Region: REGION, Key: 'no-room', Body: randomBytes(256 * 1024) }).then(
        () => undefined,
        (e: { statusCode?: number; code?: string }) => e,
      );
      assert.ok(refused, 'a write to a full disk fails');
      assert.ok(refused.statusCode !== undefined && refused.statusCode >= 400, `a COS error answers it: ${JSON.stringify(refused)}`);
      assert.deepEqual(await readdir(join(dataDir, 'tmp')), [], 'no temporary file is left');

      // Reads go on.
      const got = await cos.getObject({ Bucket, Region: REGION, Key: 'big/0' });
      assert.equal(md5(got.Body as Buffer), md5(stored.get('big/0')!));

      // DELETE works on the full disk, one by one and many at once.
      await cos.deleteObject({ Bucket, Region: REGION, Key: 'big/0' });
      stored.delete('big/0');
      // Uploads take what the delete freed, but leave the reserve's worth for the next deletions.
      for (let i = 0; ; i++) {
        const body = randomBytes(512 * 1024);
        const ok = await cos.putObject({ Bucket, Region: REGION, Key: `refill/${i}`, Body: body }).then(
          () => true,
          () => false,
        );
        if (!ok) break;
        stored.set(`refill/${i}`, body);
      }
      const many = await cos.deleteMultipleObject({
        Bucket,
        Region: REGION,
        Objects: Array.from({ length: 10 }, (_, i) => ({ Key: `small/${i}` })),
      });
      assert.equal(many.Deleted.length, 10, JSON.stringify(many.Error));
      for (let i = 0; i < 10; i++) stored.delete(`small/${i}`);
      await cos.deleteObject({ Bucket, Region: REGION, Key: 'big/1' });
      stored.delete('big/1');
      await assert.rejects(cos.headObject({ Bucket, Region: REGION, Key: 'big/1' }), (e: { statusCode?: number }) => e.statusCode === 404);
      // In a versioned bucket a delete adds a delete marker: a row, no blob.
      for (let i = 0; i < 5; i++) await cos.deleteObject({ Bucket: Versioned, Region: REGION, Key: `v/${i}` });
      await assert.rejects(cos.headObject({ Bucket: Versioned, Region: REGION, Key: 'v/0' }), (e: { statusCode?: number }) => e.statusCode === 404);

      // The freed space takes writes again, and every object left is whole.
      const again = randomBytes(512 * 1024);
      await cos.putObject({ Bucket, Region: REGION, Key: 'after', Body: again });
      stored.set('after', again);
      for (const [key, body] of stored) {
        const res = await cos.getObject({ Bucket, Region: REGION, Key: key });
        assert.equal(md5(res.Body as Buffer), md5(body), key);
      }
    } finally {
      await server.close();
    }
  } finally {
    mount.unmount();
  }
});
