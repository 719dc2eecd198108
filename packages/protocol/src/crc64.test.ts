import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { combineCrc64, Crc64, crc64 } from './crc64.js';

test('CRC-64/ECMA-182 as COS reports it: the check value of "123456789"', () => {
  assert.equal(crc64(new TextEncoder().encode('123456789')), BigInt('0x995DC9BBDF1939FA').toString());
  assert.equal(crc64(new Uint8Array(0)), '0');
});

test('incremental updates of any chunking give the one-shot value', () => {
  const data = randomBytes(100_003);
  const whole = crc64(data);
  for (const size of [1, 3, 7, 8, 9, 4096, 65_537]) {
    const c = new Crc64();
    for (let i = 0; i < data.length; i += size) c.update(data.subarray(i, i + size));
    assert.equal(c.digest(), whole, `chunks of ${size}`);
  }
});

test('combineCrc64 joins adjacent pieces without their bytes', () => {
  const a = randomBytes(1_048_579);
  const b = randomBytes(5_000);
  const c = randomBytes(17);
  const ab = combineCrc64(crc64(a), crc64(b), b.length);
  assert.equal(ab, crc64(Buffer.concat([a, b])));
  assert.equal(combineCrc64(ab, crc64(c), c.length), crc64(Buffer.concat([a, b, c])));
  assert.equal(combineCrc64(crc64(a), crc64(new Uint8Array(0)), 0), crc64(a));
});
