/**
 * CRC-64 of large reads on a worker thread. Checking every whole-object GET against its stored
 * CRC-64 costs about as much CPU as the rest of serving it; on the event loop that halves what one
 * process serves. The worker hashes a copy of each chunk while the event loop sends the original;
 * the copy (a memcpy) costs a tenth of the hashing. Each job copies into a ring of a few slots in
 * shared memory (rings are reused: no allocation per chunk, so nothing piles up for the worker's
 * collector), and waits when the worker is a ring behind. Should the worker fail, jobs hash on the
 * event loop as before.
 */
import { Worker } from 'node:worker_threads';
import { Crc64 } from '@cosbox/protocol';

/** Chunks a job may have sent and not yet had hashed: the slots of its ring. */
const SLOTS = 2;
/** Bytes per slot: a chunk of a blob read (larger chunks take several slots). */
const SLOT_BYTES = 512 * 1024;
/** Rings kept for reuse. */
const SPARE_RINGS = 4;

export interface CrcJob {
  /** Hashes a chunk; wait for the promise (if one comes back) before the next chunk. */
  update(chunk: Uint8Array): Promise<void> | undefined;
  /** The CRC-64 of everything updated, as a decimal string. */
  digest(): Promise<string>;
  /** Gives up the job (the read was abandoned). */
  cancel(): void;
}

class InlineJob implements CrcJob {
  private readonly crc = new Crc64();
  update(chunk: Uint8Array): undefined {
    this.crc.update(chunk);
  }
  digest(): Promise<string> {
    return Promise.resolve(this.crc.digest());
  }
  cancel(): void {}
}

interface Remote {
  ring: SharedArrayBuffer;
  sent: number;
  hashed: number;
  wake?: () => void;
  done?: { resolve: (digest: string) => void; reject: (error: Error) => void };
}

/** One worker per process, shared by every blob store in it, started on first use. */
export class CrcOffload {
  private worker: Worker | undefined;
  /** Set once the worker runs: until then (and if it cannot start) jobs hash inline. */
  private online = false;
  private broken = false;
  private nextId = 0;
  private readonly remotes = new Map<number, Remote>();
  private readonly spareRings: SharedArrayBuffer[] = [];

  job(): CrcJob {
    const worker = this.broken ? undefined : (this.worker ?? this.start());
    if (!worker || !this.online) return new InlineJob();
    const id = this.nextId++;
    const remote: Remote = { ring: this.spareRings.pop() ?? new SharedArrayBuffer(SLOTS * SLOT_BYTES), sent: 0, hashed: 0 };
    const ring = new Uint8Array(remote.ring);
    // Held open while jobs wait for it, never otherwise.
    if (this.remotes.size === 0) worker.ref();
    this.remotes.set(id, remote);
    worker.postMessage([id, remote.ring]);
    const update = async (chunk: Uint8Array): Promise<void> => {
      for (let at = 0; at < chunk.length; at += SLOT_BYTES) {
        // A slot is reused only once the worker has hashed what it held.
        if (remote.sent - remote.hashed >= SLOTS) await new Promise<void>((wake) => (remote.wake = wake));
        if (!this.remotes.has(id)) throw new Error('the CRC-64 worker stopped');
        const piece = chunk.subarray(at, at + SLOT_BYTES);
        const offset = (remote.sent % SLOTS) * SLOT_BYTES;
        ring.set(piece, offset);
        worker.postMessage([id, offset, piece.length]);
        remote.sent++;
      }
    };
    return {
      update,
      digest: () =>
        new Promise<string>((resolve, reject) => {
          if (!this.remotes.has(id)) return reject(new Error('the CRC-64 worker stopped'));
          remote.done = { resolve, reject };
          worker.postMessage([id, -1]);
        }),
      cancel: () => {
        // Kept until the worker answers: a sender waiting on it is woken by the chunks it hashes.
        if (!this.remotes.has(id) || remote.done) return;
        remote.done = { resolve: () => undefined, reject: () => undefined };
        worker.postMessage([id, -1]);
      },
    };
  }

  /** Starts the worker now rather than at the first large read (a server starting: a fixed cost, paid up front). */
  warm(): void {
    if (!this.broken) this.worker ??= this.start();
  }

  /** Stops the worker (a server closing); later jobs hash inline. */
  async close(): Promise<void> {
    this.broken = true;
    await this.worker?.terminate();
  }

  private start(): Worker | undefined {
    try {
      // Built, the compiled worker sits beside this file. From the sources (tests, through tsx) a
      // worker does not inherit tsx's loader: it registers it first.
      const worker = import.meta.url.endsWith('.ts')
        ? new Worker(
            `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('./crc-worker.ts', import.meta.url).href)}); });`,
            { eval: true },
          )
        : // It allocates next to nothing (the bytes are in shared rings): a small heap keeps it lean.
          new Worker(new URL('./crc-worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } });
      worker.once('online', () => (this.online = !this.broken));
      worker.on('message', ([id, value]: [number, number | string]) => this.answer(id, value));
      worker.on('error', () => this.fail());
      worker.on('exit', () => this.fail());
      // After the listeners, which would otherwise hold the process open again.
      worker.unref();
      this.worker = worker;
      return worker;
    } catch {
      this.broken = true;
      return undefined;
    }
  }

  private answer(id: number, value: number | string): void {
    const remote = this.remotes.get(id);
    if (!remote) return;
    if (typeof value === 'number') {
      remote.hashed = value;
      const wake = remote.wake;
      remote.wake = undefined;
      wake?.();
      return;
    }
    this.remotes.delete(id);
    if (this.remotes.size === 0) this.worker?.unref();
    if (this.spareRings.length < SPARE_RINGS) this.spareRings.push(remote.ring);
    remote.done?.resolve(value);
  }

  private fail(): void {
    this.broken = true;
    this.online = false;
    this.worker = undefined;
    for (const remote of this.remotes.values()) {
      remote.wake?.();
      remote.done?.reject(new Error('the CRC-64 worker stopped'));
    }
    this.remotes.clear();
  }
}

export const crcOffload = new CrcOffload();
