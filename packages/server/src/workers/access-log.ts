/**
 * Access logs: each finished request to a bucket with logging on becomes one line (model/logging.ts),
 * queued at once in the metadata store (durable before anything else happens to it), and every
 * `--log-flush-interval` the queued lines are delivered as one object per source bucket and target
 * under TargetPrefix in TargetBucket, then removed from the queue. Delivery is at least once: a crash
 * between writing an object and dequeuing its lines delivers those lines again.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { CosError } from '@cosbox/protocol';
import { logLine, logObjectKey, loggingOf, type RequestFacts } from '../model/logging.js';
import { storeObject } from '../model/objects.js';
import type { Address } from '../routing/address.js';
import { parseQuery } from '../routing/address.js';
import { route } from '../routing/route.js';
import type { Services } from '../services.js';
import { PeriodicWorker } from './periodic.js';

export const ACCESS_LOG_QUEUE = 'access-log';
const BATCH = 5000;

interface QueuedLine {
  source: string;
  targetBucket: string;
  targetPrefix: string;
  line: string;
}

/** What the pipeline hands over when a request is done. */
export interface FinishedRequest {
  req: IncomingMessage;
  address: Address | undefined;
  status: number;
  bytes: number;
  ms: number;
  requestId: string;
  time: number;
  errorCode: string;
}

export class AccessLogs extends PeriodicWorker {
  private sequence = 0;

  constructor(services: Services, intervalMs: number) {
    super(services, intervalMs, 'access log delivery');
  }

  /** Queues the request's line when its bucket has logging on; never throws (a log must not fail a request). */
  async record(done: FinishedRequest): Promise<void> {
    try {
      const name = done.address?.bucket;
      if (!name || !done.address) return;
      const config = loggingOf(await this.services.meta.getBucket(name));
      if (!config) return;
      const item: QueuedLine = { source: name, targetBucket: config.targetBucket, targetPrefix: config.targetPrefix, line: logLine(this.facts(done, name, done.address)) };
      await this.services.meta.enqueue(ACCESS_LOG_QUEUE, [item]);
    } catch (err) {
      this.services.log.warn({ err, requestId: done.requestId }, 'could not record an access log line');
    }
  }

  private facts(done: FinishedRequest, bucket: string, address: Address): RequestFacts {
    const header = (name: string) => {
      const v = done.req.headers[name];
      return (Array.isArray(v) ? v.join(', ') : v) ?? '';
    };
    const query = parseQuery(address.rawQuery);
    let operation = '';
    try {
      operation = route((done.req.method ?? 'GET').toUpperCase(), address, query, (n) => header(n) !== '');
    } catch {
      operation = 'Unknown';
    }
    const signer = /q-ak=([^&;\s]+)/.exec(header('authorization') || address.rawQuery)?.[1] ?? '';
    return {
      time: done.time,
      bucket,
      region: address.region ?? this.services.config.region,
      operation,
      method: (done.req.method ?? '').toUpperCase(),
      path: address.pathname,
      // Signatures stay out of the log: they are credentials for as long as they are valid.
      query: [...query.keys()].filter((k) => !k.startsWith('q-') && k !== 'x-cos-security-token').join('&'),
      status: done.status,
      errorCode: done.errorCode,
      requestBytes: Number(header('content-length')) || 0,
      responseBytes: done.bytes,
      totalMs: Math.round(done.ms),
      requester: decodeURIComponent(signer),
      requestId: done.requestId,
      remoteIp: done.req.socket.remoteAddress ?? '',
      userAgent: header('user-agent'),
      referer: header('referer'),
    };
  }

  protected async round(): Promise<void> {
    for (;;) {
      const batch = await this.services.meta.peekQueue(ACCESS_LOG_QUEUE, BATCH);
      if (batch.length === 0) return;
      const groups = new Map<string, { item: QueuedLine; lines: string[] }>();
      for (const { item } of batch) {
        const line = item as QueuedLine;
        const id = JSON.stringify([line.source, line.targetBucket, line.targetPrefix]);
        const group = groups.get(id) ?? groups.set(id, { item: line, lines: [] }).get(id)!;
        group.lines.push(line.line);
      }
      for (const { item, lines } of groups.values()) await this.write(item, lines);
      await this.services.meta.dequeue(ACCESS_LOG_QUEUE, batch.map((q) => q.seq));
      if (batch.length < BATCH) return;
    }
  }

  /** One log object; lines whose target bucket is gone or no longer the source owner's are dropped (logged). */
  private async write(item: QueuedLine, lines: string[]): Promise<void> {
    const { meta, log } = this.services;
    const [source, target] = [await meta.getBucket(item.source), await meta.getBucket(item.targetBucket)];
    if (!target || (source && source.ownerUin !== target.ownerUin)) {
      log.warn({ source: item.source, target: item.targetBucket, lines: lines.length }, 'access log target gone or not the owner\'s; lines dropped');
      return;
    }
    const body = Buffer.from(lines.join('\n') + '\n');
    const key = logObjectKey(item.targetPrefix, item.source, Date.now(), ++this.sequence) + '_' + randomBytes(3).toString('hex');
    try {
      await storeObject(this.services, {
        bucket: target.name,
        key,
        ownerUin: target.ownerUin,
        body: Readable.from([body]),
        size: body.length,
        attributes: { storageClass: 'STANDARD', contentHeaders: { 'content-type': 'text/plain' }, meta: {} },
      });
    } catch (err) {
      if (err instanceof CosError) log.warn({ err, key }, 'access log object refused; lines dropped');
      else throw err;
    }
  }
}
