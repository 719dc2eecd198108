/**
 * The COS Select answer (an event stream) read as the official SDK's select-stream.js reads it:
 * the same records, stats and progress from the same bytes, and an error event as the error.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import '../index.js';
import { selectResult } from './select.js';

const require = createRequire(import.meta.url);

/** One event-stream message: lengths, a (zero) prelude CRC, string headers, payload, a (zero) CRC. */
function message(headers: Record<string, string>, payload: string): Buffer {
  const head = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const n = Buffer.from(name);
      const v = Buffer.from(value);
      const length = Buffer.alloc(2);
      length.writeInt16BE(v.length);
      return Buffer.concat([Buffer.from([n.length]), n, Buffer.from([7]), length, v]);
    }),
  );
  const body = Buffer.from(payload);
  const prelude = Buffer.alloc(12);
  prelude.writeInt32BE(16 + head.length + body.length, 0);
  prelude.writeInt32BE(head.length, 4);
  return Buffer.concat([prelude, head, body, Buffer.alloc(4)]);
}

const event = (type: string, payload: string) => message({ ':message-type': 'event', ':event-type': type, ':content-type': 'application/octet-stream' }, payload);
const answer = Buffer.concat([
  event('Records', 'a,b\n'),
  event('Progress', '<Progress><BytesScanned>8</BytesScanned><BytesProcessed>8</BytesProcessed><BytesReturned>4</BytesReturned></Progress>'),
  event('Records', '1,2\n'),
  event('Stats', '<Stats><BytesScanned>8</BytesScanned><BytesProcessed>8</BytesProcessed><BytesReturned>8</BytesReturned></Stats>'),
  event('End', ''),
]);

test('records, stats and progress as the official select-stream reads them', async () => {
  const SelectStream = require('cos-nodejs-sdk-v5/sdk/select-stream.js');
  const official = new SelectStream();
  const theirs = { records: [] as Buffer[], stats: undefined as unknown, progress: [] as unknown[] };
  official.on('message:stats', (s: unknown) => (theirs.stats = s));
  official.on('message:progress', (p: unknown) => theirs.progress.push(p));
  // In one piece: the official parser reads an XML event only when its payload arrives whole.
  await pipeline(Readable.from([answer]), official, new Writable({ write: (c: Buffer, _e, done) => (theirs.records.push(c), done()) }));

  const progress: unknown[] = [];
  const mine = selectResult(answer, { onProgress: (p) => progress.push(p) });
  assert.equal(Buffer.from(mine.Payload!).toString(), Buffer.concat(theirs.records).toString());
  assert.equal(Buffer.from(mine.Payload!).toString(), 'a,b\n1,2\n');
  assert.deepEqual(mine.Stats, theirs.stats);
  assert.deepEqual(progress, theirs.progress);
});

test('an error event is the error, with its code and message', () => {
  const failing = Buffer.concat([event('Records', 'x'), message({ ':message-type': 'error', ':error-code': 'InvalidQuery', ':error-message': 'bad SQL' }, '')]);
  assert.throws(() => selectResult(failing, {}, { statusCode: 200 }), (e: { code?: string; message?: string; statusCode?: number }) => e.code === 'InvalidQuery' && e.message === 'bad SQL' && e.statusCode === 200);
});
