/** Sizes, globs, safe local paths, human sizes, error descriptions, local hashes. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc64 } from '@cosbox/protocol';
import { describeFailure, failureInfo } from './errors.js';
import { hashFile } from './hash.js';
import { pathFilter, safeLocalRel } from './listing.js';
import { humanSize, printable } from './output.js';
import { parseSize } from './sizes.js';
import { copySource } from './transfer.js';

test('sizes: binary units, with or without B/iB', () => {
  assert.equal(parseSize('4096'), 4096);
  assert.equal(parseSize('8M'), 8 * 1024 * 1024);
  assert.equal(parseSize('8MiB'), 8 * 1024 * 1024);
  assert.equal(parseSize('1.5k'), 1536);
  assert.equal(parseSize('2GB'), 2 * 1024 ** 3);
  for (const bad of ['', 'M', '-1', '1X', '1e3']) assert.throws(() => parseSize(bad), bad);
});

test('globs: a pattern without / matches the file name, one with / the whole relative path', () => {
  const keep = pathFilter(['*.txt', 'logs/**'], ['secret*', 'logs/old/*']);
  assert.equal(keep('a.txt'), true);
  assert.equal(keep('deep/dir/a.txt'), true);
  assert.equal(keep('a.bin'), false);
  assert.equal(keep('logs/x.bin'), true);
  assert.equal(keep('logs/old/x.bin'), false);
  assert.equal(keep('dir/secret.txt'), false);
  assert.equal(keep('.hidden.txt'), true);
  assert.equal(pathFilter()('anything'), true);
});

test('keys that would leave the target directory are no local paths', () => {
  assert.equal(safeLocalRel('a/b.txt'), join('a', 'b.txt'));
  for (const bad of ['../x', 'a/../../x', 'a//b', '/abs', 'a/./b', 'a/', 'nul\0byte']) assert.equal(safeLocalRel(bad), undefined, bad);
});

test('human sizes', () => {
  assert.equal(humanSize(0), '0 B');
  assert.equal(humanSize(1023), '1023 B');
  assert.equal(humanSize(10.6), '11 B');
  assert.equal(humanSize(1536), '1.5 KiB');
  assert.equal(humanSize(20 * 1024 * 1024), '20 MiB');
  assert.equal(humanSize(3 * 1024 ** 4), '3.0 TiB');
});

test('failures name the COS code, status and request id', () => {
  const cosError = { code: 'NoSuchKey', message: 'The specified key does not exist.', statusCode: 404, RequestId: 'req-1', error: { Code: 'NoSuchKey', Message: 'The specified key does not exist.' } };
  assert.equal(describeFailure(cosError), 'NoSuchKey (404): The specified key does not exist. [request id req-1]');
  assert.deepEqual(failureInfo(cosError), { message: 'The specified key does not exist.', code: 'NoSuchKey', statusCode: 404, requestId: 'req-1' });
  assert.equal(describeFailure({ code: '403', message: '403', statusCode: 403, headers: { 'x-cos-request-id': 'r2' } }), '403: 403 [request id r2]');
  assert.equal(describeFailure(new Error('plain')), 'plain');
});

test('copy sources are encoded as COS parses them, slashes kept', () => {
  assert.equal(copySource('b-1250000000', 'ap-guangzhou', 'a b/c+d%.txt'), 'b-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b/c%2Bd%25.txt');
});

test('hash: CRC-64 and MD5 of a file, and the ETag of an upload in parts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cosbox-hash-'));
  try {
    const data = Buffer.from('0123456789');
    await writeFile(join(dir, 'f'), data);
    const h = await hashFile(join(dir, 'f'), 4);
    assert.equal(h.crc64, crc64(data));
    assert.equal(h.md5, '781e5e245d69b566979b86e28d23f2c7');
    // parts 0123 | 4567 | 89
    const { createHash } = await import('node:crypto');
    const md5 = (s: string) => createHash('md5').update(s).digest();
    assert.equal(h.multipartEtag, `${createHash('md5').update(Buffer.concat([md5('0123'), md5('4567'), md5('89')])).digest('hex')}-3`);
    await writeFile(join(dir, 'empty'), '');
    assert.equal((await hashFile(join(dir, 'empty'))).crc64, '0');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('text output escapes control characters of keys, keeps line breaks and colour', () => {
  assert.equal(printable('a\x1b]0;title\x07b'), 'a\\x1b]0;title\\x07b');
  assert.equal(printable('up\x1b[2Ax\rz\x9b'), 'up\\x1b[2Ax\\x0dz\\x9b');
  assert.equal(printable('\x1b[32mupload\x1b[39m one\ntwo\ttab'), '\x1b[32mupload\x1b[39m one\ntwo\\x09tab');
});
