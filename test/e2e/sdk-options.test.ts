/**
 * Constructor options and environment of the official SDK (issue 17 item 2), each through both SDKs
 * where the official one can be driven the same way: lower-case secretId/secretKey, Credentials
 * (rotated in place), getSTS, ForcePathStyle, Proxy and HTTP_PROXY/HTTPS_PROXY/NO_PROXY through a
 * recording proxy on 127.0.0.1, StrictSsl: false and NODE_TLS_REJECT_UNAUTHORIZED=0 against an
 * HTTPS server with a self-signed certificate made here with the openssl CLI.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OfficialCOS from 'cos-nodejs-sdk-v5';
import COS from '@cosbox/sdk';
import { temporaryCredentials } from './browser/page-server.js';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';

let h: Harness;
const Bucket = bucketName('sdkopts');

before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

const endpoint = () => ({ Protocol: 'http:' as const, Ip: `127.0.0.1:${h.port}` });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** The same call through a client of each SDK made with the same options: both results, or both errors' codes. */
async function both(options: Record<string, unknown>, call: (cos: Any) => Promise<unknown>) {
  const outcome = (p: Promise<unknown>) => p.then((data: Any) => ({ ok: data.statusCode as number }), (err: Any) => ({ error: String(err.code ?? err.message) }));
  return {
    official: await outcome(call(new OfficialCOS(options as Any))),
    ours: await outcome(call(new COS(options as Any))),
  };
}

describe('credentials', () => {
  test('lower-case secretId / secretKey sign requests', async () => {
    const r = await both({ secretId: SECRET_ID, secretKey: SECRET_KEY, ...endpoint() }, (cos) => cos.putObject({ Bucket, Region: REGION, Key: 'lower.txt', Body: 'x' }));
    assert.deepEqual(r, { official: { ok: 200 }, ours: { ok: 200 } });
  });

  test('Credentials { secretId, secretKey } sign requests, and rotating them in place takes effect', async () => {
    const r = await both({ Credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY }, ...endpoint() }, (cos) => cos.headObject({ Bucket, Region: REGION, Key: 'lower.txt' }));
    assert.deepEqual(r, { official: { ok: 200 }, ours: { ok: 200 } });

    const Credentials = { secretId: SECRET_ID, secretKey: 'wrong-secret-key-000000000000000000' };
    const cos = new COS({ Credentials, ...endpoint() });
    await assert.rejects(cos.headObject({ Bucket, Region: REGION, Key: 'lower.txt' }), (e: Any) => e.statusCode === 403);
    Credentials.secretKey = SECRET_KEY;
    assert.equal((await cos.headObject({ Bucket, Region: REGION, Key: 'lower.txt' })).statusCode, 200);
    // getAuth signs with the rotated keys too.
    const params = { Method: 'GET', Key: 'lower.txt', Bucket, Region: REGION };
    const now = Date.now;
    const fixed = now();
    Date.now = () => fixed;
    try {
      assert.equal(cos.getAuth(params), new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY }).getAuth(params));
    } finally {
      Date.now = now;
    }
  });

  test('getSTS is asked for temporary keys (once, then cached) and its keys sign', async () => {
    const keys = await temporaryCredentials(h, Bucket);
    let asked = 0;
    const sts = (expected: string[]) => (options: { Bucket: string; Region: string }, callback: (k: object) => void) => {
      asked++;
      expected.push(`${options.Bucket}/${options.Region}`);
      // SecretId/SecretKey are accepted for TmpSecretId/TmpSecretKey, as the official SDK does.
      callback({ SecretId: keys.TmpSecretId, SecretKey: keys.TmpSecretKey, SecurityToken: keys.SecurityToken, ExpiredTime: keys.ExpiredTime });
    };
    const seenOfficial: string[] = [];
    const seenOurs: string[] = [];
    const official = new OfficialCOS({ getSTS: sts(seenOfficial), ...endpoint() } as Any);
    const ours = new COS({ getSTS: sts(seenOurs), ...endpoint() });
    for (const cos of [official, ours] as Any[]) {
      assert.equal((await cos.putObject({ Bucket, Region: REGION, Key: 'sts.txt', Body: 'sts' })).statusCode, 200);
      assert.equal((await cos.headObject({ Bucket, Region: REGION, Key: 'sts.txt' })).statusCode, 200);
    }
    assert.deepEqual(seenOurs, [`${Bucket}/${REGION}`]);
    assert.deepEqual(seenOurs, seenOfficial);
    assert.equal(asked, 2);
  });

  test('ForcePathStyle: the constructor throws as the official one does', () => {
    let official: unknown;
    const warn = console.warn;
    console.warn = () => {};
    try {
      assert.throws(() => new OfficialCOS({ ForcePathStyle: true } as Any), (e: unknown) => ((official = e), true));
      assert.throws(() => new COS({ ForcePathStyle: true }), (e: Any) => e instanceof Error && e.message === (official as Error).message);
    } finally {
      console.warn = warn;
    }
    assert.ok(new COS({ ForcePathStyle: false }));
  });
});

interface Seen {
  method: string;
  target: string;
  host?: string;
}

/** A forwarding proxy on 127.0.0.1 that records what goes through it: absolute-URI requests and CONNECT tunnels. */
async function startProxy(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', target: req.url ?? '', host: req.headers.host });
    const target = new URL(req.url ?? '');
    const upstream = http.request({ hostname: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const tunnels = new Set<net.Socket>();
  server.on('connect', (req, socket: net.Socket) => {
    seen.push({ method: 'CONNECT', target: req.url ?? '' });
    tunnels.add(socket);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      // Tunnels are no longer HTTP connections of the server: closeAllConnections does not see them.
      for (const socket of tunnels) socket.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Runs with environment variables set, restoring them after. */
async function withEnv<T>(vars: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('proxies', () => {
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  before(async () => {
    proxy = await startProxy();
  });
  after(() => proxy.close());

  const call = (cos: Any) => cos.headObject({ Bucket, Region: REGION, Key: 'lower.txt' });
  const expected = (): Seen => ({ method: 'HEAD', target: `http://127.0.0.1:${h.port}/lower.txt`, host: `${Bucket}.cos.${REGION}.myqcloud.com` });

  test('Proxy: every request goes through the proxy, with the absolute URL and the bucket Host, as the official SDK sends it', async () => {
    proxy.seen.length = 0;
    const r = await both({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, ...endpoint(), Proxy: proxy.url }, call);
    assert.deepEqual(r, { official: { ok: 200 }, ours: { ok: 200 } });
    assert.deepEqual(proxy.seen, [expected(), expected()]);
  });

  test('HTTP_PROXY from the environment, and NO_PROXY exempting the host', async () => {
    proxy.seen.length = 0;
    const options = { SecretId: SECRET_ID, SecretKey: SECRET_KEY, ...endpoint() };
    const r = await withEnv({ HTTP_PROXY: proxy.url }, () => both(options, call));
    assert.deepEqual(r, { official: { ok: 200 }, ours: { ok: 200 } });
    assert.deepEqual(proxy.seen, [expected(), expected()]);

    proxy.seen.length = 0;
    const direct = await withEnv({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }, () => both(options, call));
    assert.deepEqual(direct, { official: { ok: 200 }, ours: { ok: 200 } });
    assert.deepEqual(proxy.seen, []);
  });
});

describe('TLS with a self-signed certificate', () => {
  let dir: string;
  let server: https.Server;
  let port: number;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cosbox-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    // A TLS front for cosbox: the SDKs talk https to it, it forwards plain http.
    server = https.createServer({ key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) }, (req, res) => {
      const upstream = http.request({ hostname: '127.0.0.1', port: h.port, path: req.url, method: req.method, headers: req.headers, agent: false }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    proxy = await startProxy();
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await proxy.close();
    await rm(dir, { recursive: true, force: true });
  });

  const options = (extra: Record<string, unknown> = {}) => ({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'https:', Ip: `127.0.0.1:${port}`, ...extra });
  const call = (cos: Any) => cos.headObject({ Bucket, Region: REGION, Key: 'lower.txt' });

  test('by default the certificate is refused by both SDKs', async () => {
    const r = await both(options(), call);
    assert.ok('error' in r.ours && 'error' in r.official, JSON.stringify(r));
    assert.equal(r.ours.error, r.official.error);
  });

  test('StrictSsl: false accepts it', async () => {
    assert.deepEqual(await both(options({ StrictSsl: false }), call), { official: { ok: 200 }, ours: { ok: 200 } });
  });

  test('NODE_TLS_REJECT_UNAUTHORIZED=0 accepts it', async () => {
    const warn = process.emitWarning;
    process.emitWarning = () => {};
    try {
      const r = await withEnv({ NODE_TLS_REJECT_UNAUTHORIZED: '0' }, () => both(options(), call));
      assert.deepEqual(r, { official: { ok: 200 }, ours: { ok: 200 } });
    } finally {
      process.emitWarning = warn;
    }
  });

  test('HTTPS_PROXY: https requests go through a CONNECT tunnel to the bucket endpoint', async () => {
    proxy.seen.length = 0;
    const r = await withEnv({ HTTPS_PROXY: proxy.url }, () => both(options({ StrictSsl: false }), call));
    assert.deepEqual(r, { official: { ok: 200 }, ours: { ok: 200 } });
    assert.deepEqual(proxy.seen, [
      { method: 'CONNECT', target: `127.0.0.1:${port}` },
      { method: 'CONNECT', target: `127.0.0.1:${port}` },
    ]);
  });
});
