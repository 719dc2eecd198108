/**
 * The worker thread of crc-offload.ts: CRC-64 of the chunks a job puts in its shared ring, one
 * register per job. Messages in: `[id, ring]` (a job starts; ring is a SharedArrayBuffer),
 * `[id, offset, length]` (hash these bytes of the ring) and `[id, -1]` (the end). Out: `[id, n]`
 * once it has hashed n chunks of a job, and `[id, digest]` at the end.
 */
import { parentPort } from 'node:worker_threads';
import { Crc64 } from '@cosbox/protocol';

const jobs = new Map<number, { crc: Crc64; ring: Uint8Array; chunks: number }>();

parentPort!.on('message', ([id, a, b]: [number, SharedArrayBuffer | number, number?]) => {
  if (typeof a !== 'number') {
    jobs.set(id, { crc: new Crc64(), ring: new Uint8Array(a), chunks: 0 });
    return;
  }
  const job = jobs.get(id)!;
  if (a < 0) {
    jobs.delete(id);
    parentPort!.postMessage([id, job.crc.digest()]);
    return;
  }
  job.crc.update(job.ring.subarray(a, a + b!));
  parentPort!.postMessage([id, ++job.chunks]);
});
