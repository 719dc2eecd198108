// The pure-JS MD5, SHA-1 and HMAC-SHA1 against node:crypto: fixed vectors, every length around the
// block and padding boundaries, random inputs split into random chunks, and the q-sign signature.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { test } from 'node:test';
import { hmacSha1, md5, Md5, pureCrypto, sha1, Sha1, toBase64, toHex } from './hash.js';
import { sign } from './signature.js';
import { testCrypto } from './test-crypto.js';

const nodeHex = (algorithm: string, data: Uint8Array | string) => createHash(algorithm).update(data).digest('hex');
const nodeHmac = (key: Uint8Array | string, data: Uint8Array | string) => createHmac('sha1', key).update(data).digest('hex');

test('RFC 1321 and FIPS 180 vectors', () => {
  assert.equal(toHex(md5('')), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(toHex(md5('abc')), '900150983cd24fb0d6963f7d28e17f72');
  assert.equal(toHex(md5('12345678901234567890123456789012345678901234567890123456789012345678901234567890')), '57edf4a22be3c955ac49da2e2107b67a');
  assert.equal(toHex(sha1('')), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  assert.equal(toHex(sha1('abc')), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  assert.equal(toHex(sha1('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')), '84983e441c3bd26ebaae4aa1f95129e5e54670f1');
  // RFC 2202 test case 2.
  assert.equal(toHex(hmacSha1('Jefe', 'what do ya want for nothing?')), 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
});

test('every length from 0 to 300 bytes (the padding and block boundaries), against node:crypto', () => {
  const data = randomBytes(300);
  for (let n = 0; n <= 300; n++) {
    const slice = data.subarray(0, n);
    assert.equal(toHex(md5(slice)), nodeHex('md5', slice), `md5 of ${n} bytes`);
    assert.equal(toHex(sha1(slice)), nodeHex('sha1', slice), `sha1 of ${n} bytes`);
  }
});

test('random inputs fed in random chunks, against node:crypto', () => {
  for (let round = 0; round < 40; round++) {
    const data = randomBytes(randomInt(0, 200_000));
    const m = new Md5();
    const s = new Sha1();
    for (let offset = 0; offset < data.length; ) {
      const end = Math.min(data.length, offset + randomInt(1, 5000));
      // Subarrays at odd offsets of a larger buffer: the hashes must honour byteOffset.
      m.update(data.subarray(offset, end));
      s.update(data.subarray(offset, end));
      offset = end;
    }
    assert.equal(toHex(m.digest()), nodeHex('md5', data), `md5 of ${data.length} bytes`);
    assert.equal(toHex(s.digest()), nodeHex('sha1', data), `sha1 of ${data.length} bytes`);
  }
});

test('strings are hashed as UTF-8, and a 1 MiB input matches', () => {
  for (const text of ['héllo wörld', '对象存储 COS', '😀 emoji \u0000 nul', 'x'.repeat(1000)]) {
    assert.equal(pureCrypto.md5Hex(text), nodeHex('md5', text));
    assert.equal(pureCrypto.sha1Hex(text), nodeHex('sha1', text));
    assert.equal(pureCrypto.md5Base64(text), createHash('md5').update(text).digest('base64'));
  }
  const big = randomBytes(1024 * 1024 + 7);
  assert.equal(pureCrypto.md5Hex(big), nodeHex('md5', big));
  assert.equal(toHex(sha1(big)), nodeHex('sha1', big));
});

test('HMAC-SHA1 with random keys of every size class (short, one block, longer than a block)', () => {
  for (let round = 0; round < 200; round++) {
    const key = randomBytes(randomInt(0, 150));
    const message = randomBytes(randomInt(0, 500));
    assert.equal(toHex(hmacSha1(key, message)), nodeHmac(key, message));
  }
  assert.equal(pureCrypto.hmacSha1Hex('密钥 key', 'q-sign-time 对象'), nodeHmac('密钥 key', 'q-sign-time 对象'));
});

test('toBase64 of random bytes equals Buffer base64', () => {
  for (let n = 0; n < 40; n++) {
    const bytes = randomBytes(n);
    assert.equal(toBase64(bytes), bytes.toString('base64'));
  }
});

test('a digested hash refuses more input', () => {
  const h = new Md5().update('a');
  h.digest();
  assert.throws(() => h.update('b'));
  assert.throws(() => h.digest());
});

test('the q-sign signature is the same with the pure hashes as with node:crypto', () => {
  for (let round = 0; round < 50; round++) {
    const input = {
      method: ['get', 'put', 'post', 'delete'][round % 4],
      pathname: `/${randomBytes(randomInt(1, 40)).toString('base64url')}`,
      secretId: 'AKIDtest',
      secretKey: randomBytes(24).toString('base64'),
      signTime: '1700000000;1700000900',
      query: { [`q${round}`]: randomBytes(8).toString('hex'), prefix: 'a b/ç' },
      headers: { host: 'b-1250000000.cos.ap-guangzhou.myqcloud.com', 'content-length': String(randomInt(0, 1e9)), 'x-cos-meta-a': '对象' },
    };
    assert.equal(sign(pureCrypto, input).authorization, sign(testCrypto, input).authorization);
  }
});
