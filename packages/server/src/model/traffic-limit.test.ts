import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { CosError } from '@cosbox/protocol';
import { MAX_TRAFFIC_LIMIT, MIN_TRAFFIC_LIMIT, parseTrafficLimit, throttle, throttleStream, TokenBucket } from './traffic-limit.js';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** A source of `count` chunks of `size` bytes that records how many it has handed out and whether it was closed. */
function counted(count: number, size: number) {
  const state = { pulled: 0, closed: false };
  async function* chunks() {
    try {
      for (let i = 0; i < count; i++) {
        state.pulled++;
        yield Buffer.alloc(size, i);
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, chunks: chunks() };
}

test('parseTrafficLimit: 819200-838860800 bit/s, integers only; absent or empty is no limit', () => {
  assert.equal(parseTrafficLimit(String(MIN_TRAFFIC_LIMIT)), 819_200);
  assert.equal(parseTrafficLimit(` ${MAX_TRAFFIC_LIMIT} `), 838_860_800);
  assert.equal(parseTrafficLimit(undefined), undefined);
  assert.equal(parseTrafficLimit(''), undefined);
  for (const bad of ['819199', '838860801', '0', '-819200', '1e6', '819200.5', 'fast', '0x100000']) {
    assert.throws(() => parseTrafficLimit(bad), (e: unknown) => e instanceof CosError && e.code === 'InvalidArgument', bad);
  }
});

test('TokenBucket: debt is the wait; idle time buys at most `capacity` of burst', () => {
  const bucket = new TokenBucket(1000, 100, 0);
  assert.equal(bucket.take(500, 0), 500);
  assert.equal(bucket.take(500, 500), 500, 'after waiting the debt off, the next chunk waits its own time');
  assert.equal(bucket.take(100, 60_000), 0, 'a long pause earns only the capacity');
  assert.equal(bucket.take(100, 60_000), 100);
  assert.equal(bucket.take(0, 60_100), 0);
});

test('throttle: holds the average rate, passes every byte in order, pulls one chunk at a time', async () => {
  const { state, chunks } = counted(5, 2000);
  const started = performance.now();
  const out = throttle(chunks, 8 * 20_000); // 20 kB/s: 10 kB take 500 ms
  const first = await out.next();
  assert.equal(state.pulled, 1, 'nothing is read ahead');
  const received = [first.value as Uint8Array];
  for await (const chunk of out) received.push(chunk);
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 450, `10 kB at 20 kB/s took ${elapsed} ms`);
  assert.deepEqual(Buffer.concat(received), Buffer.concat(Array.from({ length: 5 }, (_, i) => Buffer.alloc(2000, i))));
  assert.equal(state.closed, true);
});

test('throttle: an abort ends a wait at once, closes the source and leaves no timer', async () => {
  const before = timers();
  const { state, chunks } = counted(100, 10_000);
  const abort = new AbortController();
  const out = throttle(chunks, 8 * 10_000, abort.signal); // each chunk waits a second
  const pending = out.next();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(timers(), before + 1);
  const started = performance.now();
  abort.abort();
  await assert.rejects(pending, { name: 'AbortError' });
  assert.ok(performance.now() - started < 100);
  assert.equal(state.closed, true);
  assert.equal(timers(), before);
});

test('throttleStream: streams every byte; destroyed mid-wait it destroys its source and leaves no timer', async () => {
  const whole = await Readable.from(Array.from({ length: 4 }, (_, i) => Buffer.alloc(1000, i))).toArray();
  const received = await throttleStream(Readable.from(whole), 8 * 40_000).toArray();
  assert.deepEqual(Buffer.concat(received), Buffer.concat(whole));

  const before = timers();
  const source = Readable.from((function* () { for (;;) yield Buffer.alloc(10_000); })(), { objectMode: false });
  const body = throttleStream(source, 8 * 10_000);
  body.resume();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(timers() > before, 'a chunk is waiting');
  const started = performance.now();
  const closed = Promise.all([once(source, 'close'), once(body, 'close')]);
  body.destroy();
  await closed;
  assert.ok(performance.now() - started < 100);
  assert.equal(timers(), before);
});
