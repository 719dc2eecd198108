import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc64 } from '@cosbox/protocol';
import { CrcOffload } from './crc-offload.js';

test('CrcOffload: the worker gives the CRC-64 of the chunks in order; jobs interleave; cancelled jobs end', async () => {
  const offload = new CrcOffload();
  try {
    // Before the worker runs, jobs hash inline.
    const early = offload.job();
    early.update(Buffer.from('123456789'));
    assert.equal(await early.digest(), '11051210869376104954');
    for (let i = 0; i < 200 && !(offload as unknown as { online: boolean }).online; i++) await sleep(20);
    assert.ok((offload as unknown as { online: boolean }).online, 'the worker came online');

    const a = randomBytes(3 * 1024 * 1024 + 17);
    const b = randomBytes(777_777);
    const ja = offload.job();
    const jb = offload.job();
    const cancelled = offload.job();
    for (let i = 0; i < 40; i++) {
      await ja.update(a.subarray(i * 80_000, (i + 1) * 80_000));
      await jb.update(b.subarray(i * 20_000, (i + 1) * 20_000));
      await cancelled.update(b.subarray(0, 1000));
    }
    cancelled.cancel();
    await ja.update(a.subarray(40 * 80_000));
    assert.equal(await ja.digest(), crc64(a));
    assert.equal(await jb.digest(), crc64(b));
  } finally {
    await offload.close();
  }
});
