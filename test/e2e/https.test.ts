/**
 * HTTPS (issue 12 item 1): `cosbox cert` makes a CA and a server certificate; cosbox serves HTTPS
 * with it, and the official Node SDK, with its default `https:`, works against it once it trusts
 * the CA (NODE_EXTRA_CA_CERTS), and fails without. The connection handling of plain HTTP (Expect:
 * 100-continue, malformed requests, keep-alive) holds on the TLS listener, and `--http-port` keeps
 * a plain listener beside it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import COS from 'cos-nodejs-sdk-v5';
import { startServer } from '@cosbox/server';
import { certificateNames, makeCertificates, type CertResult } from '../../packages/cli/src/cert.js';
import { APPID, bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';
import { killServerProcesses, startServerProcess } from './process.js';
import { authorization, parseRawResponse } from './raw.js';

let dir: string;
let certs: CertResult;
let h: Harness;
let ca: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cosbox-https-'));
  certs = await makeCertificates({ outDir: join(dir, 'certs'), regions: [REGION] });
  ca = await readFile(certs.caCertPath, 'utf8');
  h = await startHarness({ tlsCert: certs.certPath, tlsKey: await readFile(certs.keyPath, 'utf8'), httpPort: 0 });
});

after(async () => {
  killServerProcesses();
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

function runChild(env: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL('./fixtures/sdk-https.mjs', import.meta.url).pathname], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 60_000,
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        assert.equal(code, 0);
        resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>);
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** One signed request over TLS, trusting the CA. */
function tlsRequest(
  options: { method: string; path: string; host: string; body?: Buffer; expectContinue?: boolean; agent?: Agent },
): Promise<{ status: number; text: string; continued: boolean; reused: boolean }> {
  const headers: Record<string, string | number> = { host: options.host };
  if (options.body) headers['content-length'] = options.body.length;
  if (options.expectContinue) headers.expect = '100-continue';
  headers.authorization = authorization(options.method, options.path, headers);
  return new Promise((resolve, reject) => {
    let continued = false;
    const r = request({ host: '127.0.0.1', port: h.port, servername: 'localhost', ca, method: options.method, path: options.path, headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), continued, reused: r.reusedSocket }));
    });
    r.on('error', reject);
    if (options.expectContinue) {
      r.on('continue', () => {
        continued = true;
        r.end(options.body);
      });
      r.flushHeaders();
    } else {
      r.end(options.body);
    }
  });
}

test('cosbox cert: a CA and a certificate for localhost, 127.0.0.1 and *.cos.<region>.<domain>, keys readable by their owner only', async () => {
  const leaf = new X509Certificate(await readFile(certs.certPath));
  const authority = new X509Certificate(ca);
  assert.ok(leaf.verify(authority.publicKey), 'signed by the CA');
  assert.ok(leaf.checkIssued(authority));
  assert.equal(authority.ca, true);
  assert.equal(leaf.ca, false);
  assert.equal(leaf.checkHost('examplebucket-1250000000.cos.ap-guangzhou.localhost'), '*.cos.ap-guangzhou.localhost');
  assert.equal(leaf.checkHost('localhost'), 'localhost');
  assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(leaf.checkHost('examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com'), undefined, 'no real domain');
  for (const key of [certs.keyPath, certs.caKeyPath]) assert.equal((await stat(key)).mode & 0o777, 0o600, key);

  // Another run (another domain) keeps the CA, so the trust already given still holds.
  const again = await makeCertificates({ outDir: join(dir, 'certs'), domains: ['cosbox.test'], regions: ['ap-beijing'] });
  assert.equal(again.newCa, false);
  assert.equal(await readFile(again.caCertPath, 'utf8'), ca);
  const second = new X509Certificate(await readFile(again.certPath));
  assert.ok(second.verify(authority.publicKey));
  assert.ok(second.checkHost('b-1250000000.cos.ap-beijing.cosbox.test'));
  assert.ok(second.checkHost('b-1250000000.cosbox.test'));
  assert.deepEqual(
    certificateNames(['Example.TEST.'], ['ap-guangzhou']),
    ['localhost', '127.0.0.1', '::1', '*.localhost', '*.cos.ap-guangzhou.localhost', 'example.test', '*.example.test', '*.cos.ap-guangzhou.example.test'],
  );
  for (const bad of ['a\r\nb', '*.x', 'bad_domain', '127.0.0.1', '']) assert.throws(() => certificateNames([bad]), /not a domain/);
  assert.throws(() => certificateNames([], ['AP GZ']), /not a region/);
});

test('the official SDK with its default https: works once it trusts the CA (NODE_EXTRA_CA_CERTS)', async () => {
  assert.match(h.server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const result = await runChild({ PORT: String(h.port), SECRET_ID, SECRET_KEY, BUCKET: bucketName('tls'), REGION, DIR: dir, NODE_EXTRA_CA_CERTS: certs.caCertPath });
  assert.equal(result.error, undefined, JSON.stringify(result.error));
  assert.equal(result.small, 'hello over TLS');
  assert.equal(result.bigSame, true);
  assert.equal(result.bigLength, 3 * 1024 * 1024 + 17);
  assert.equal(result.headStatus, 200);
  assert.deepEqual(result.listed, ['big.bin', 'small.txt']);
});

test('without the CA the SDK refuses the certificate', async () => {
  const cos = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Ip: `127.0.0.1:${h.port}`, Domain: '{Bucket}.cos.{Region}.localhost', Timeout: 10_000 } as COS.COSOptions);
  const error = await cos.headBucket({ Bucket: `nothing-${APPID}`, Region: REGION }).then(
    () => undefined,
    (e: { code?: string; message?: string }) => e,
  );
  assert.ok(error, 'the request failed');
  assert.match(`${error.code} ${error.message}`, /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|self.signed|unable to verify/i);
});

test('over TLS: Expect: 100-continue is answered after authentication, keep-alive reuses the connection', async () => {
  const Bucket = bucketName('tlsraw');
  const host = `${Bucket}.cos.${REGION}.localhost`;
  assert.equal((await tlsRequest({ method: 'PUT', path: '/', host })).status, 200);
  const body = Buffer.alloc(100_000, 3);
  const put = await tlsRequest({ method: 'PUT', path: '/c', host, body, expectContinue: true });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.continued, true);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await tlsRequest({ method: 'HEAD', path: '/c', host, agent });
    const second = await tlsRequest({ method: 'GET', path: '/c', host, agent });
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(second.text.length, body.length);
    assert.equal(second.reused, true, 'the second request went over the first one\'s connection');
  } finally {
    agent.destroy();
  }
  // An unsigned upload with Expect is refused before its body is sent.
  const refused = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
    let continued = false;
    const r = request({ host: '127.0.0.1', port: h.port, servername: 'localhost', ca, method: 'PUT', path: '/d', headers: { host, 'content-length': 10, expect: '100-continue' }, agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, continued });
      r.destroy();
    });
    r.on('continue', () => (continued = true));
    r.on('error', reject);
    r.flushHeaders();
  });
  assert.equal(refused.status, 403);
  assert.equal(refused.continued, false);
});

test('over TLS: a malformed request gets a COS error document, like on plain HTTP', async () => {
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: h.port, servername: 'localhost', ca }, () => socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n'));
    let out = '';
    socket.on('data', (c: Buffer) => (out += c.toString()));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
  const res = parseRawResponse(text);
  assert.equal(res.status, 400);
  assert.match(res.text, /<Code>InvalidRequest<\/Code>/);
});

test('--http-port: a plain listener beside HTTPS serves the same data', async () => {
  assert.ok(h.server.httpUrl);
  const port = Number(new URL(h.server.httpUrl).port);
  assert.notEqual(port, h.port);
  const plain = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${port}` } as COS.COSOptions);
  const Bucket = bucketName('plain');
  await plain.putBucket({ Bucket, Region: REGION });
  await plain.putObject({ Bucket, Region: REGION, Key: 'k', Body: 'plain' });
  const over = await tlsRequest({ method: 'GET', path: '/k', host: `${Bucket}.cos.${REGION}.localhost` });
  assert.equal(over.text, 'plain', 'written over HTTP, read over HTTPS');
});

test('HTTPS settings are checked before anything starts', async () => {
  const data = join(dir, 'bad');
  await assert.rejects(startServer({ dataDir: data, port: 0, logLevel: 'silent', tlsCert: certs.certPath }), /both a certificate and a key/);
  await assert.rejects(startServer({ dataDir: data, port: 0, logLevel: 'silent', tlsCert: join(dir, 'none.pem'), tlsKey: certs.keyPath }), /cannot read the TLS certificate/);
  await assert.rejects(startServer({ dataDir: data, port: 0, logLevel: 'silent', tlsCert: certs.caKeyPath.replace('ca-key.pem', 'x'), tlsKey: 'x' }), /cannot read/);
  await assert.rejects(startServer({ dataDir: data, port: 0, logLevel: 'silent', httpPort: 0 }), /--http-port adds a plain listener beside HTTPS/);
});

/** `cosbox <args>` from the sources, awaited. */
function cosbox(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=cosbox-source', '--import', 'tsx', 'packages/cli/src/cli.ts', ...args], {
      cwd: new URL('../..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the command line: cosbox cert prints how to trust the CA; cosbox serve takes --tls-cert, --tls-key, --http-port and --metrics-token', async () => {
  const out = join(dir, 'cli-certs');
  const made = await cosbox(['cert', '--out', out, '--domain', 'cosbox.test']);
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, new RegExp(`NODE_EXTRA_CA_CERTS=${join(out, 'ca.pem')}`));
  assert.match(made.stdout, /update-ca-certificates/);
  assert.match(made.stdout, /\*\.cos\.ap-guangzhou\.cosbox\.test/);
  assert.match(made.stdout, /--tls-cert .*cert\.pem --tls-key .*key\.pem/);
  const bad = await cosbox(['cert', '--out', out, '--domain', 'a b']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /not a domain name/);

  // The process prints its https URL, then the plain one, which startServerProcess picks.
  const server = await startServerProcess(join(dir, 'cli-data'), ['--tls-cert', join(out, 'cert.pem'), '--tls-key', join(out, 'key.pem'), '--http-port', '0', '--metrics-token', 'tok']);
  const base = `http://127.0.0.1:${server.port}`;
  assert.equal((await fetch(`${base}/-/health`)).status, 200);
  assert.equal((await fetch(`${base}/-/metrics`)).status, 403);
  const scrape = await fetch(`${base}/-/metrics`, { headers: { authorization: 'Bearer tok' } });
  assert.equal(scrape.status, 200);
  assert.match(await scrape.text(), /^# HELP /m);
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
});
