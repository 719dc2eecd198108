/**
 * downloadFile of @cosbox/sdk against cosbox (issue 7 item 4): HEAD first, ranged GETs in parallel
 * written at their offsets, a CRC-64 check of the whole file against x-cos-hash-crc64ecma. A proxy
 * between the SDK and the real server records the requests, counts those in flight, and can
 * corrupt an answer (a wrong CRC header, a flipped byte) or drop a connection.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import COS, { type COSOptions, type ProgressInfo } from '@cosbox/sdk';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';

const MiB = 1024 * 1024;
const Bucket = bucketName('sdkdl');
let h: Harness;
let dir: string;
const big = randomBytes(5 * MiB + 123);
const small = randomBytes(1000);

interface Proxied {
  method: string;
  headers: http.IncomingHttpHeaders;
}
interface ProxyHooks {
  /** Runs before the request is forwarded; 'drop' closes the connection without an answer. */
  before?(req: Proxied, index: number): Promise<void | 'drop'> | void | 'drop';
  /** May change the answer's headers and body before they go back. */
  rewrite?(req: Proxied, headers: http.IncomingHttpHeaders, body: Buffer): Buffer | void;
}
interface Proxy {
  port: number;
  requests: Proxied[];
  maxInFlight: number;
  close(): Promise<void>;
}

/** A forwarding proxy in front of the cosbox server. */
async function startProxy(hooks: ProxyHooks = {}): Promise<Proxy> {
  const state = { requests: [] as Proxied[], inFlight: 0, maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    const proxied = { method: req.method ?? '', headers: req.headers };
    const index = state.requests.push(proxied) - 1;
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    res.on('close', () => state.inFlight--);
    void (async () => {
      if ((await hooks.before?.(proxied, index)) === 'drop') return req.socket.destroy();
      const upstream = http.request({ host: '127.0.0.1', port: h.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const headers = { ...answer.headers };
          const body = hooks.rewrite?.(proxied, headers, Buffer.concat(chunks)) ?? Buffer.concat(chunks);
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(req.method === 'HEAD' ? undefined : body);
        });
      });
      req.pipe(upstream);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests: state.requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const client = (port: number, options: COSOptions = {}) =>
  new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${port}`, ...options });

let proxies: Proxy[] = [];
async function proxied(hooks?: ProxyHooks): Promise<{ cos: COS; proxy: Proxy }> {
  const proxy = await startProxy(hooks);
  proxies.push(proxy);
  return { cos: client(proxy.port), proxy };
}

before(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'cosbox-sdk-download-'));
  const cos = client(h.port);
  await cos.putBucket({ Bucket, Region: REGION });
  await cos.putObject({ Bucket, Region: REGION, Key: 'big.bin', Body: big });
  await cos.putObject({ Bucket, Region: REGION, Key: 'small.bin', Body: small });
  await cos.putObject({ Bucket, Region: REGION, Key: 'empty', Body: '' });
});
after(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  proxies = [];
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const rangeOf = (r: Proxied) => r.headers.range;

describe('downloadFile', () => {
  test('a large object: HEAD, then ranges of ChunkSize, ParallelLimit at once, written at their offsets', async () => {
    // The first three ranges are held until all three have arrived: they are in flight together.
    let arrived = 0;
    let release!: () => void;
    const allThree = new Promise<void>((resolve) => (release = resolve));
    const { cos, proxy } = await proxied({
      before: async (req) => {
        if (req.method !== 'GET' || ++arrived > 3) return;
        if (arrived === 3) release();
        // A sequential downloader would wait here for ever: let it go after a while and fail below.
        await Promise.race([allThree, new Promise((r) => setTimeout(r, 5000))]);
      },
    });
    const FilePath = join(dir, 'big.bin');
    const progress: ProgressInfo[] = [];
    const result = await cos.downloadFile({ Bucket, Region: REGION, Key: 'big.bin', FilePath, ChunkSize: MiB, ParallelLimit: 3, onProgress: (p) => progress.push(p) });
    assert.ok((await readFile(FilePath)).equals(big));
    assert.equal(proxy.requests[0].method, 'HEAD');
    const ranges = proxy.requests.slice(1).map(rangeOf).sort();
    const expected = Array.from({ length: 6 }, (_, i) => `bytes=${i * MiB}-${Math.min((i + 1) * MiB, big.length) - 1}`).sort();
    assert.deepEqual(ranges, expected);
    assert.equal(proxy.maxInFlight, 3, 'three ranges at once, never more');
    assert.equal(result.statusCode, 206);
    assert.equal(result.headers?.['content-range'], `bytes ${5 * MiB}-${big.length - 1}/${big.length}`);
    assert.deepEqual({ ...progress.at(-1)!, speed: 0 }, { loaded: big.length, total: big.length, speed: 0, percent: 1 });
  });

  test('the same result fields as the official downloadFile', async () => {
    const ours = await client(h.port).downloadFile({ Bucket, Region: REGION, Key: 'big.bin', FilePath: join(dir, 'ours.bin') });
    const official = await h.cos.downloadFile({ Bucket, Region: REGION, Key: 'big.bin', FilePath: join(dir, 'official.bin') });
    assert.deepEqual(Object.keys(ours).sort(), Object.keys(official).sort());
    assert.equal(ours.statusCode, official.statusCode);
    assert.equal(ours.ETag, official.ETag);
    assert.ok((await readFile(join(dir, 'official.bin'))).equals(await readFile(join(dir, 'ours.bin'))));
  });

  test('a small object: HEAD and one GET without a Range', async () => {
    const { cos, proxy } = await proxied();
    const FilePath = join(dir, 'small.bin');
    const result = await cos.downloadFile({ Bucket, Region: REGION, Key: 'small.bin', FilePath });
    assert.ok((await readFile(FilePath)).equals(small));
    assert.deepEqual(proxy.requests.map((r) => [r.method, rangeOf(r)]), [['HEAD', undefined], ['GET', undefined]]);
    assert.equal(result.statusCode, 200);
  });

  test('an empty object is an empty file', async () => {
    const FilePath = join(dir, 'empty');
    const result = await client(h.port).downloadFile({ Bucket, Region: REGION, Key: 'empty', FilePath });
    assert.equal((await readFile(FilePath)).length, 0);
    assert.equal(result.statusCode, 200);
  });

  test('Headers go with the HEAD and every GET; a failed precondition leaves no file', async () => {
    const { cos, proxy } = await proxied();
    const { ETag } = await client(h.port).headObject({ Bucket, Region: REGION, Key: 'big.bin' });
    const FilePath = join(dir, 'if-match.bin');
    await cos.downloadFile({ Bucket, Region: REGION, Key: 'big.bin', FilePath, ChunkSize: 2 * MiB, Headers: { 'If-Match': ETag, 'x-cos-traffic-limit': '838860800' } });
    assert.ok((await readFile(FilePath)).equals(big));
    assert.equal(proxy.requests.length, 4);
    assert.ok(proxy.requests.every((r) => r.headers['if-match'] === ETag && r.headers['x-cos-traffic-limit'] === '838860800'));

    const missing = join(dir, 'not-matched.bin');
    await assert.rejects(cos.downloadFile({ Bucket, Region: REGION, Key: 'big.bin', FilePath: missing, Headers: { 'If-Match': '"0"' } }), { statusCode: 412 });
    assert.equal(existsSync(missing), false);
  });

  test('a missing object: 404 from the HEAD, no file', async () => {
    const FilePath = join(dir, 'missing.bin');
    await assert.rejects(client(h.port).downloadFile({ Bucket, Region: REGION, Key: 'nothing', FilePath }), { statusCode: 404 });
    assert.equal(existsSync(FilePath), false);
  });

  test('a dropped range is retried', async () => {
    let dropped = false;
    const { cos, proxy } = await proxied({
      before: (req) => {
        if (req.headers.range === `bytes=${MiB}-${2 * MiB - 1}` && !dropped) {
          dropped = true;
          return 'drop';
        }
      },
    });
    const FilePath = join(dir, 'retried.bin');
    await cos.downloadFile({ Bucket, Region: REGION, Key: 'big.bin', FilePath, ChunkSize: MiB });
    assert.ok((await readFile(FilePath)).equals(big));
    assert.equal(proxy.requests.filter((r) => r.headers.range === `bytes=${MiB}-${2 * MiB - 1}`).length, 2);
  });

  test('a byte changed on the way: the CRC-64 of the file is not the object\'s, the call fails and the file is removed', async () => {
    const { cos } = await proxied({
      rewrite: (req, _headers, body) => {
        if (req.headers.range !== `bytes=${2 * MiB}-${3 * MiB - 1}`) return;
        const corrupt = Buffer.from(body);
        corrupt[100] ^= 0xff;
        return corrupt;
      },
    });
    const FilePath = join(dir, 'corrupt.bin');
    await assert.rejects(cos.downloadFile({ Bucket, Region: REGION, Key: 'big.bin', FilePath, ChunkSize: MiB }), { code: 'CrcCheckFailed' });
    assert.equal(existsSync(FilePath), false);
  });

  test('a wrong x-cos-hash-crc64ecma on every answer: the check fails, also for a small object in one GET', async () => {
    const { cos } = await proxied({
      rewrite: (_req, headers) => {
        headers['x-cos-hash-crc64ecma'] = '1234567890';
      },
    });
    for (const Key of ['big.bin', 'small.bin']) {
      const FilePath = join(dir, `wrong-crc-${Key}`);
      await assert.rejects(cos.downloadFile({ Bucket, Region: REGION, Key, FilePath }), (err: { code: string; message: string }) => {
        assert.equal(err.code, 'CrcCheckFailed');
        assert.match(err.message, /1234567890/);
        return true;
      });
      assert.equal(existsSync(FilePath), false);
    }
  });

  test('a range from another version of the object (its CRC differs from the HEAD\'s): ObjectHasChanged', async () => {
    const { cos } = await proxied({
      rewrite: (req, headers) => {
        if (req.headers.range === `bytes=${3 * MiB}-${4 * MiB - 1}`) headers['x-cos-hash-crc64ecma'] = '42';
      },
    });
    const FilePath = join(dir, 'changed.bin');
    await assert.rejects(cos.downloadFile({ Bucket, Region: REGION, Key: 'big.bin', FilePath, ChunkSize: MiB }), { code: 'ObjectHasChanged' });
    assert.equal(existsSync(FilePath), false);
  });

  test('an aborted download stops and leaves no file', async () => {
    const controller = new AbortController();
    const { cos } = await proxied({
      before: (req) => {
        if (req.headers.range === `bytes=${MiB}-${2 * MiB - 1}`) controller.abort();
      },
    });
    const FilePath = join(dir, 'aborted.bin');
    await assert.rejects(cos.downloadFile({ Bucket, Region: REGION, Key: 'big.bin', FilePath, ChunkSize: MiB, ParallelLimit: 1, Signal: controller.signal }), { code: 'AbortError' });
    assert.equal(existsSync(FilePath), false);
  });
});
