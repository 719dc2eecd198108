/**
 * The single-request traffic limit (FEATURES §1.8.6): `x-cos-traffic-limit`, in bits per second,
 * 819200 to 838860800 (100 KiB/s to 100 MiB/s), slows that one request's body, upload or download,
 * to the rate. A token bucket delays chunks as they pass: the throttle holds at most the one chunk
 * it is delaying, and its only timer is cancelled when the request ends or fails.
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { CosError } from '@cosbox/protocol';
import type { RequestContext } from '../http/context.js';

export const MIN_TRAFFIC_LIMIT = 819_200;
export const MAX_TRAFFIC_LIMIT = 838_860_800;

/** The limit in bit/s, or undefined when absent or empty; InvalidArgument outside the range. */
export function parseTrafficLimit(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const bits = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(bits >= MIN_TRAFFIC_LIMIT && bits <= MAX_TRAFFIC_LIMIT)) {
    throw new CosError('InvalidArgument', `x-cos-traffic-limit must be an integer from ${MIN_TRAFFIC_LIMIT} to ${MAX_TRAFFIC_LIMIT} (bit/s).`);
  }
  return bits;
}

/**
 * Bytes earn tokens at the rate; passing bytes spends them, into debt if need be, and the debt is the
 * wait. Unused tokens pile up only to `capacity`, so a pause (a slow disk, a slow client) buys a
 * short burst afterwards, never a long one: the average stays at the rate.
 */
export class TokenBucket {
  private tokens = 0;
  private last: number;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly capacity = bytesPerSecond / 10,
    now = performance.now(),
  ) {
    this.last = now;
  }

  /** Spends `bytes`; returns how many milliseconds to wait before passing them on. */
  take(bytes: number, now = performance.now()): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.bytesPerSecond) / 1000);
    this.last = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.bytesPerSecond;
  }
}

/**
 * Passes `source` through at `bitsPerSecond` on average. It pulls the next chunk only when asked for
 * one, so it holds at most the chunk it is delaying; `signal` cancels a wait at once (the client left).
 */
export async function* throttle(source: AsyncIterable<Uint8Array>, bitsPerSecond: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const bucket = new TokenBucket(bitsPerSecond / 8);
  for await (const chunk of source) {
    const wait = bucket.take(chunk.length);
    if (wait > 0) await sleep(wait, undefined, { signal });
    yield chunk;
  }
}

/**
 * A response body throttled: destroying it (the client went away) cancels the pending wait and
 * destroys `source`, so the blobs it pins are released at once, not when the timer would have fired.
 */
export function throttleStream(source: Readable, bitsPerSecond: number): Readable {
  const abort = new AbortController();
  const chunks = throttle(source, bitsPerSecond, abort.signal);
  return new Readable({
    highWaterMark: 0, // the throttle's one chunk is all the buffering there is
    read() {
      chunks.next().then(
        (step) => this.push(step.done ? null : step.value),
        (error: unknown) => this.destroy(error as Error),
      );
    },
    destroy(error, callback) {
      // The generator cannot return while it waits, on the timer or on the source: end both first.
      abort.abort();
      source.destroy();
      chunks.return(undefined).then(() => callback(error), callback);
    },
  });
}

/** The request body, throttled when `x-cos-traffic-limit` asks (checked before a byte is read). */
export function limitedBody(ctx: RequestContext): AsyncIterable<Uint8Array> {
  const limit = parseTrafficLimit(ctx.header('x-cos-traffic-limit'));
  return limit === undefined ? ctx.body() : throttle(ctx.body(), limit, ctx.signal);
}
