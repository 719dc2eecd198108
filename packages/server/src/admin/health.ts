/**
 * `GET /-/health` and `GET /-/ready` for load balancers and orchestrators; no signature needed,
 * nothing about the data in the answers.
 *
 * health: the process answers (200). ready: the metadata store answers a query and the data
 * directory takes a write (a few bytes written, fsynced and removed in its tmp directory); 503 with
 * the failing check otherwise. The write is made at most once per `cacheMs`: probes in between get
 * the last result, so a probe storm does not become a write storm.
 */
import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CosError } from '@cosbox/protocol';
import type { ResponseSpec } from '../http/context.js';
import type { MetadataStore } from '../storage/metadata/store.js';

export const HEALTH_PATH = '/-/health';
export const READY_PATH = '/-/ready';

export interface ReadinessOptions {
  meta: MetadataStore;
  /** Where the probe file is written: the blob store's tmp directory, swept at start. */
  tmpDir: string;
  /** How long a result is reused, in milliseconds. Default 1000. */
  cacheMs?: number;
}

interface Check {
  ok: boolean;
  /** The failed check, when not ok. */
  failed?: 'metadata' | 'disk';
}

function json(status: number, value: unknown): ResponseSpec {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }, body: JSON.stringify(value) + '\n' };
}

function readOnly(method: string): void {
  if (method !== 'GET' && method !== 'HEAD') throw new CosError('MethodNotAllowed', 'Health checks are read with GET.');
}

export function serveHealth(method: string): ResponseSpec {
  readOnly(method);
  return json(200, { status: 'ok' });
}

export class Readiness {
  private last?: { at: number; check: Promise<Check> };

  constructor(private readonly options: ReadinessOptions) {}

  async serve(method: string): Promise<ResponseSpec> {
    readOnly(method);
    const check = await this.check();
    return check.ok ? json(200, { status: 'ready' }) : json(503, { status: 'not ready', failed: check.failed });
  }

  check(): Promise<Check> {
    const now = Date.now();
    if (!this.last || now - this.last.at >= (this.options.cacheMs ?? 1000)) this.last = { at: now, check: this.probe() };
    return this.last.check;
  }

  private async probe(): Promise<Check> {
    try {
      // Any query does: a closed or broken store throws.
      await this.options.meta.getBucket('-');
    } catch {
      return { ok: false, failed: 'metadata' };
    }
    const path = join(this.options.tmpDir, `ready-${randomBytes(8).toString('hex')}`);
    try {
      const file = await open(path, 'wx');
      try {
        await file.write('ready');
        await file.sync();
      } finally {
        await file.close();
      }
      await rm(path);
      return { ok: true };
    } catch {
      await rm(path, { force: true }).catch(() => undefined);
      return { ok: false, failed: 'disk' };
    }
  }
}
