/**
 * Nothing a handler does can end the process (hardening item 1): a server built with a handler table
 * whose handlers throw non-COS errors (in a promise and synchronously), reject with a non-Error,
 * return nothing, return a status Node refuses, return headers HTTP cannot carry, or return a body
 * stream that fails before or in the middle of its bytes. Each is answered (a 500 InternalError, or a
 * cut connection once the head is out) and the server goes on serving. A separate process proves
 * the process-level handlers of `cosbox serve` log an uncaught error with its request id and go on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { handlers, type HandlerTable } from '@cosbox/server';
import { bucketName, REGION, startHarness, type Harness } from '../e2e/harness.js';
import { assertCosError, authorization, bucketHost, send, sendToBucket } from '../e2e/raw.js';

const root = new URL('../..', import.meta.url).pathname;

/** A body that sends `before` bytes, then fails. */
function failingBody(before: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent && before > 0) {
        sent = true;
        this.push(Buffer.alloc(before, 'a'));
        return;
      }
      setImmediate(() => this.destroy(new Error('the disk went away')));
    },
  });
}

const faulty: HandlerTable = {
  ...handlers,
  GetObject: async () => {
    throw new TypeError('a bug in a handler');
  },
  // Not async: the throw happens before any promise exists.
  HeadObject: () => {
    throw new RangeError('a synchronous bug');
  },
  GetBucketVersioning: async () => Promise.reject(null),
  GetBucketLocation: async () => undefined as never,
  GetBucketAcl: async () => ({ status: 1000, headers: {}, body: 'never sent' }),
  GetBucketTagging: async () => ({ status: 200, headers: { 'Content-Length': 100 }, body: failingBody(40) }),
  GetBucketCors: async () => ({ status: 200, headers: { 'Content-Length': 100 }, body: failingBody(0) }),
  GetBucketLifecycle: async () => ({
    status: 200,
    headers: { 'bad name': 'x', 'x-cos-meta-crlf': 'a\r\nInjected: 1', 'x-cos-meta-wide': '中', 'x-cos-meta-ok': 'fine' },
    body: 'headers cleaned',
  }),
};

let h: Harness;
const Bucket = bucketName('crash');
before(async () => {
  h = await startHarness({ handlers: faulty });
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'k', Body: 'still here' });
});
after(() => h.close());

/** Real handlers still answer. */
async function assertServing(): Promise<void> {
  const list = await sendToBucket(h, Bucket, { path: '/' });
  assert.equal(list.status, 200, list.text);
  assert.match(list.text, /<Key>k<\/Key>/);
}

/**
 * A signed GET whose connection may be cut: 'whole' when a complete response arrived, 'cut' when the
 * connection ended before the response did (before or after its head).
 */
function attempt(path: string): Promise<'whole' | 'cut'> {
  const host = bucketHost(Bucket);
  const headers = { host, authorization: authorization('GET', path, { host }) };
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: h.port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('error', () => undefined);
      res.once('close', () => resolve(res.complete ? 'whole' : 'cut'));
    });
    req.on('error', () => resolve('cut'));
    req.end();
  });
}

test('a handler that throws a non-COS error, in a promise or synchronously, is a 500 InternalError and the server goes on', async () => {
  assertCosError(await sendToBucket(h, Bucket, { path: '/k' }), 500, 'InternalError');
  const head = await sendToBucket(h, Bucket, { method: 'HEAD', path: '/k' });
  assert.equal(head.status, 500);
  assertCosError(await sendToBucket(h, Bucket, { path: '/?versioning' }), 500, 'InternalError');
  await assertServing();
});

test('a handler that returns nothing, or a status Node refuses, is a 500 InternalError', async () => {
  assertCosError(await sendToBucket(h, Bucket, { path: '/?location' }), 500, 'InternalError');
  assertCosError(await sendToBucket(h, Bucket, { path: '/?acl' }), 500, 'InternalError');
  await assertServing();
});

test('a body stream that fails midway cuts that response only; one that fails at once is a 500', async () => {
  for (let i = 0; i < 3; i++) {
    assert.equal(await attempt('/?tagging'), 'cut', 'a short body is never passed off as whole');
    // Failing before its first byte, the head is still unsent: a whole 500 InternalError instead.
    assertCosError(await sendToBucket(h, Bucket, { path: '/?cors' }), 500, 'InternalError');
    await assertServing();
  }
});

test('response headers HTTP cannot carry are left out or sent as UTF-8, not thrown', async () => {
  const res = await sendToBucket(h, Bucket, { path: '/?lifecycle' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.text, 'headers cleaned');
  assert.equal(res.headers['x-cos-meta-ok'], 'fine');
  assert.equal(res.headers['x-cos-meta-crlf'], undefined);
  assert.equal(res.headers.injected, undefined);
  assert.equal(Buffer.from(String(res.headers['x-cos-meta-wide']), 'latin1').toString('utf8'), '中');
  await assertServing();
});

test('cosbox serve\'s process-level handlers log an uncaught error with its request id and keep serving', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, ['--conditions=cosbox-source', '--import', 'tsx', 'test/adversarial/fixtures/unexpected-errors.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const check = () => {
        const m = /ready (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      };
      child.stdout.on('data', check);
      void exited.then((code) => reject(new Error(`the server exited with ${code}: ${out}${err}`)));
    });
    const server = { port } as Harness;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await send(server, { path: '/' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.text, 'answered');
      ids.push(String(res.headers['x-cos-request-id']));
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(child.exitCode, null, `the process is still running: ${err}`);
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; requestId?: string });
    for (const id of ids) {
      assert.ok(lines.some((l) => l.msg === 'unexpected error; still serving' && l.requestId === id), `logged with ${id}: ${out}`);
    }
    assert.ok(lines.some((l) => l.msg === 'unhandled promise rejection; still serving'), out);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
});
