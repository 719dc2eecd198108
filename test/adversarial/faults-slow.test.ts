/**
 * Slow and idle clients against a live server with small limits: a request body that falls silent
 * or trickles below the minimum rate gets 400 RequestTimeOut and its connection closed (before,
 * nothing bounded a body: a byte every 20 s held a connection for ever); headers that never end, and
 * idle keep-alive connections, are closed; connections beyond an address's share are refused, and
 * at the cap a newcomer displaces the heaviest address's idle connections.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bucketName, REGION, startHarness, type Harness } from '../e2e/harness.js';
import { assertCosError, authorization, bucketHost, parseRawResponse } from '../e2e/raw.js';

/** A plain TCP connection from `localAddress`, collecting what the server sends until it closes. */
interface Conn {
  socket: Socket;
  received(): string;
  closed: Promise<void>;
}

function open(port: number, localAddress = '127.0.0.1'): Promise<Conn> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

/** Request headers of a signed PUT of `length` bytes to `key`. */
function putHead(bucket: string, key: string, length: number): string {
  const headers = { host: bucketHost(bucket), 'content-length': length };
  const auth = authorization('PUT', `/${key}`, headers);
  return `PUT /${key} HTTP/1.1\r\nHost: ${headers.host}\r\nContent-Length: ${length}\r\nAuthorization: ${auth}\r\n\r\n`;
}

/** Resolves when `condition` holds, checking every 10 ms; fails after `ms`. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('timeouts', () => {
  let h: Harness;
  const Bucket = bucketName('slow');
  before(async () => {
    h = await startHarness({ limits: { headersTimeoutMs: 400, bodyTimeoutMs: 400, bodyMinRate: 2000, keepAliveTimeoutMs: 300 } });
    await h.cos.putBucket({ Bucket, Region: REGION });
  });
  after(() => h.close());

  async function expectRequestTimeOut(conn: Conn, key: string): Promise<void> {
    await conn.closed;
    const res = parseRawResponse(conn.received());
    assertCosError(res, 400, 'RequestTimeOut');
    assert.equal(res.headers.connection, 'close');
    await assert.rejects(h.cos.headObject({ Bucket, Region: REGION, Key: key }), (e: { statusCode?: number }) => e.statusCode === 404);
    // The aborted upload removes its temporary file as it unwinds.
    let left = await readdir(join(h.dataDir, 'tmp'));
    for (let i = 0; i < 100 && left.length > 0; i++) left = (await sleep(20), await readdir(join(h.dataDir, 'tmp')));
    assert.deepEqual(left, [], 'no temporary file is left');
  }

  test('a body that falls silent: 400 RequestTimeOut, connection closed, nothing stored', async () => {
    const conn = await open(h.port);
    conn.socket.write(putHead(Bucket, 'silent', 100_000) + 'x'.repeat(5000));
    await expectRequestTimeOut(conn, 'silent');
  });

  test('a body that trickles below the minimum rate: 400 RequestTimeOut, connection closed', async () => {
    const conn = await open(h.port);
    conn.socket.write(putHead(Bucket, 'trickle', 100_000));
    const drip = setInterval(() => conn.socket.write('y'), 20);
    try {
      await expectRequestTimeOut(conn, 'trickle');
    } finally {
      clearInterval(drip);
    }
    assert.ok(h.server.connections().bodiesTimedOut >= 2);
  });

  test('a body that keeps the rate is stored, however many windows it takes', async () => {
    const conn = await open(h.port);
    const size = 40 * 4000;
    conn.socket.write(putHead(Bucket, 'steady', size));
    // 4,000 bytes every 50 ms: 80 KB/s over 2 s, five windows.
    for (let sent = 0; sent < size; sent += 4000) {
      conn.socket.write('z'.repeat(4000));
      await sleep(50);
    }
    await until(() => conn.received().includes('\r\n\r\n'), 5000, 'the answer');
    assert.equal(parseRawResponse(conn.received()).status, 200);
    conn.socket.destroy();
    const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'steady' });
    assert.equal(Number(head.headers['content-length']), size);
  });

  test('headers that never end: 400 RequestTimeOut, connection closed', async () => {
    const conn = await open(h.port);
    conn.socket.write(`GET / HTTP/1.1\r\nHost: ${bucketHost(Bucket)}\r\nx-slow: `);
    const drip = setInterval(() => conn.socket.write('a'), 50);
    try {
      await conn.closed;
    } finally {
      clearInterval(drip);
    }
    assertCosError(parseRawResponse(conn.received()), 400, 'RequestTimeOut');
  });

  test('a connection that never sends anything, and an idle keep-alive one, are closed', async () => {
    const silent = await open(h.port);
    await silent.closed;
    const keepAlive = await open(h.port);
    keepAlive.socket.write(`GET /-/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await until(() => keepAlive.received().includes('\r\n\r\n'), 5000, 'the answer');
    await keepAlive.closed;
  });
});

describe('connection caps', () => {
  let h: Harness;
  const Bucket = bucketName('caps');
  const conns: Conn[] = [];
  before(async () => {
    h = await startHarness({ limits: { maxConnections: 20, maxConnectionsPerAddress: 12, headersTimeoutMs: 60_000 } });
    await h.cos.putBucket({ Bucket, Region: REGION });
  });
  after(async () => {
    for (const c of conns) c.socket.destroy();
    await h.close();
  });

  async function flood(address: string, n: number): Promise<Conn[]> {
    const opened = await Promise.all(Array.from({ length: n }, () => open(h.port, address)));
    conns.push(...opened);
    await sleep(50);
    return opened;
  }
  const alive = (list: Conn[]) => list.filter((c) => !c.socket.destroyed && c.socket.readyState === 'open').length;

  test('one address gets its share; at the cap a newcomer displaces the heaviest address, idle first', async () => {
    // Wait for the SDK's own keep-alive connection of the bucket creation to go.
    await until(() => h.server.connections().open === 0 || alive(conns) === 0, 5000, 'a quiet server');
    const heavy = await flood('127.0.0.2', 15);
    await until(() => alive(heavy) === 12, 2000, 'refusals');
    assert.equal(alive(heavy), 12, 'refused beyond the per-address share');

    // A slow upload from the heavy address is busy: it must not be the one displaced.
    const busy = heavy.find((c) => !c.socket.destroyed)!;
    busy.socket.write(putHead(Bucket, 'busy', 10_000) + 'b'.repeat(10));
    await sleep(50);

    const middle = await flood('127.0.0.3', 8);
    assert.equal(alive(middle), 8);
    assert.equal(h.server.connections().open, 20, 'full');

    // A normal client on another address is served at once, through the official SDK.
    const res = await h.cos.putObject({ Bucket, Region: REGION, Key: 'normal', Body: 'served' });
    assert.equal(res.statusCode, 200);
    const got = await h.cos.getObject({ Bucket, Region: REGION, Key: 'normal' });
    assert.equal(String(got.Body), 'served');
    await until(() => alive(heavy) <= 11, 2000, 'a displacement');
    assert.ok(h.server.connections().displaced >= 1);
    assert.ok(!busy.socket.destroyed, 'the busy connection was not the one displaced');
    assert.ok(h.server.connections().open <= 20, 'never above the cap');
    busy.socket.write('b'.repeat(10_000 - 10));
    await until(() => busy.received().includes('\r\n\r\n'), 5000, 'the slow upload finishing');
    assert.equal(parseRawResponse(busy.received()).status, 200);
  });
});
