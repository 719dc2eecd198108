/**
 * The worker thread of crc-offload.ts: CRC-64 of the chunks it is sent, one register per job.
 * Messages in: `[id, chunk]` (a copy of the bytes) and `[id, null]` (the end). Out: `[id, n]` once
 * it has hashed n chunks of a job, and `[id, digest]` at the end.
 */
import { parentPort } from 'node:worker_threads';
import { Crc64 } from '@cosbox/protocol';

const jobs = new Map<number, { crc: Crc64; chunks: number }>();

parentPort!.on('message', ([id, chunk]: [number, Uint8Array | null]) => {
  let job = jobs.get(id);
  if (!job) jobs.set(id, (job = { crc: new Crc64(), chunks: 0 }));
  if (chunk === null) {
    jobs.delete(id);
    parentPort!.postMessage([id, job.crc.digest()]);
    return;
  }
  job.crc.update(chunk);
  parentPort!.postMessage([id, ++job.chunks]);
});
