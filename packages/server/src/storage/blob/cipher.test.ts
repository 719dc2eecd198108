import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { counterAt, ctrAt, newDataKey, newIv, openKey, sealKey } from './cipher.js';

test('cipher: the counter adds blocks to the IV as one 128-bit big-endian number', () => {
  const iv = Buffer.from('000000000000000000000000000000ff', 'hex');
  assert.equal(counterAt(iv, 1).toString('hex'), '00000000000000000000000000000100');
  assert.equal(counterAt(iv, 0x1_0000_0000).toString('hex'), '000000000000000000000001000000ff');
  const top = Buffer.alloc(16, 0xff);
  assert.equal(counterAt(top, 1).toString('hex'), '00'.repeat(16), 'wraps like OpenSSL');
  assert.equal(iv.toString('hex'), '000000000000000000000000000000ff', 'the IV itself is untouched');
});

test('cipher: CTR from any offset decrypts exactly that slice of the whole ciphertext', () => {
  const key = newDataKey();
  // An IV near a carry, so that offsets cross a byte boundary of the counter.
  const iv = Buffer.from('0102030405060708090a0b0cfffffffe', 'hex');
  const plain = randomBytes(1000);
  const whole = createCipheriv('aes-256-ctr', key, iv).update(plain);
  assert.notDeepEqual(whole, plain);
  for (const offset of [0, 1, 15, 16, 17, 31, 32, 33, 500, 999]) {
    const part = ctrAt(key, iv, offset).update(whole.subarray(offset));
    assert.deepEqual(part, plain.subarray(offset), `offset ${offset}`);
  }
  // Chunk by chunk is the same as all at once.
  const stream = ctrAt(key, iv, 7);
  const pieces = [whole.subarray(7, 20), whole.subarray(20, 21), whole.subarray(21)].map((c) => stream.update(c));
  assert.deepEqual(Buffer.concat(pieces), plain.subarray(7));
});

test('cipher: a sealed data key opens with its key and not with another', () => {
  const kek = newDataKey();
  const dataKey = newDataKey();
  const sealed = sealKey(kek, dataKey);
  assert.equal(Buffer.from(sealed, 'base64').length, 12 + 32 + 16);
  assert.deepEqual(openKey(kek, sealed), dataKey);
  assert.equal(openKey(newDataKey(), sealed), undefined);
  assert.equal(openKey(kek, 'bm90IGEga2V5'), undefined);
  assert.notEqual(sealKey(kek, dataKey), sealed, 'a fresh nonce each time');
  assert.equal(newIv().length, 16);
});
