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

// The definition, one bit at a time: reflected polynomial, init and final xor all ones.
function referenceCrc64(data: Uint8Array): bigint {
  const poly = 0xc96c5795d7870f42n;
  const ones = 0xffffffffffffffffn;
  let crc = ones;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc ^ ones;
}

test('matches a bit-by-bit reference on inputs of many lengths, across the 64 KiB input region', () => {
  const lengths = [...Array(18).keys(), 31, 32, 33, 255, 256, 1000, 4097, 65_535, 65_536, 65_537, 200_000];
  for (const length of lengths) {
    const data = randomBytes(length);
    const expected = referenceCrc64(data);
    assert.equal(new Crc64().update(data).value(), expected, `length ${length}`);
    assert.equal(crc64(data), expected.toString(), `length ${length}`);
  }
});

test('instances updated in turn keep their own state', () => {
  const a = randomBytes(150_001);
  const b = randomBytes(99_999);
  const ca = new Crc64();
  const cb = new Crc64();
  // b's chunks are larger than the input region, so each takes two kernel calls.
  for (let ia = 0, ib = 0; ia < a.length || ib < b.length; ia += 7_001, ib += 70_001) {
    ca.update(a.subarray(ia, ia + 7_001));
    cb.update(b.subarray(ib, ib + 70_001));
  }
  assert.equal(ca.value(), referenceCrc64(a));
  assert.equal(cb.value(), referenceCrc64(b));
});
