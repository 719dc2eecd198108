/**
 * curl (Debian's, installed by scripts/ensure-python-clients.sh) against cosbox where people use it
 * with COS: URLs pre-signed by the official SDK, anonymous reads of public objects, an upload
 * streamed from stdin (`-T -`, which curl sends chunked), `-I` for HEAD, and an HTML form POST
 * with `-F`. curl connects to 127.0.0.1 with `--connect-to` and keeps the COS host in the URL.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { postPolicySignature } from '@cosbox/protocol';
import { nodeCrypto } from '../../packages/server/src/auth/node-crypto.js';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';
import { CURL, ensurePythonClients } from './python/run.js';
import { bucketHost, nowSeconds } from './raw.js';

const CURL_TIMEOUT_MS = Number(process.env.COSBOX_CURL_TIMEOUT_MS ?? 30_000);

let h: Harness;
let scratch: string;
const Bucket = bucketName('curl');
before(async () => {
  ensurePythonClients();
  h = await startHarness();
  scratch = await mkdtemp(join(tmpdir(), 'cosbox-curl-'));
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(async () => {
  await h.close();
  await rm(scratch, { recursive: true, force: true });
});

interface CurlResponse {
  status: number;
  /** Header lines as curl printed them, names in the server's case. */
  headerLines: string[];
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
}

/** Runs curl with `args` (and `stdin`), printing the response head (`-i`); interim 1xx heads are skipped. */
function curl(args: string[], stdin?: Buffer): Promise<CurlResponse> {
  const full = ['-sS', '-i', '--max-time', String(CURL_TIMEOUT_MS / 1000), '--connect-to', `::127.0.0.1:${h.port}`, ...args];
  return new Promise((resolve, reject) => {
    const child = execFile(CURL, full, { encoding: 'buffer', timeout: CURL_TIMEOUT_MS + 5_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`curl ${full.join(' ')}: ${err.message} ${stderr.toString()}`));
      let rest = stdout;
      for (;;) {
        const end = rest.indexOf('\r\n\r\n');
        assert.ok(end > 0, `no response head in ${rest.toString()}`);
        const lines = rest.subarray(0, end).toString('latin1').split('\r\n');
        rest = rest.subarray(end + 4);
        const status = Number(lines[0].split(' ')[1]);
        if (status >= 100 && status < 200) continue;
        const headerLines = lines.slice(1);
        const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        return resolve({ status, headerLines, headers, body: rest, text: rest.toString() });
      }
    });
    child.stdin?.end(stdin);
  });
}

/** A URL signed by the official SDK for `Method` on `Key`. */
function signedUrl(Method: string, Key: string, Query?: Record<string, string>): string {
  return h.cos.getObjectUrl({ Bucket, Region: REGION, Key, Method, Expires: 120, Sign: true, Query } as Parameters<typeof h.cos.getObjectUrl>[0], () => undefined);
}

/** The virtual-hosted URL of a key, as a browser or curl user writes it. */
const plainUrl = (key: string) => `http://${bucketHost(Bucket)}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;

const md5Hex = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

test('curl GETs and PUTs through URLs pre-signed by the official SDK', async () => {
  const file = join(scratch, 'upload.bin');
  const data = Buffer.from('uploaded by curl -T\n'.repeat(1000));
  await writeFile(file, data);
  const put = await curl(['-T', file, signedUrl('PUT', 'dir/signed.bin')]);
  assert.equal(put.status, 200, put.text);
  assert.equal(put.headers.etag, `"${md5Hex(data)}"`);
  const got = await curl([signedUrl('GET', 'dir/signed.bin')]);
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(got.body, data);
  const overridden = await curl([signedUrl('GET', 'dir/signed.bin', { 'response-content-disposition': 'attachment; filename="x.bin"' })]);
  assert.equal(overridden.headers['content-disposition'], 'attachment; filename="x.bin"');
  const unsigned = await curl([plainUrl('dir/signed.bin')]);
  assert.equal(unsigned.status, 403);
  assert.match(unsigned.text, /<Code>AccessDenied<\/Code>/);
});

test('curl reads a public-read object anonymously, and a private one not', async () => {
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'public/hello.txt', Body: 'hello anyone', ACL: 'public-read' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'private/hello.txt', Body: 'owner only' });
  const pub = await curl([plainUrl('public/hello.txt')]);
  assert.equal(pub.status, 200, pub.text);
  assert.equal(pub.text, 'hello anyone');
  const ranged = await curl(['-r', '0-4', plainUrl('public/hello.txt')]);
  assert.equal(ranged.status, 206);
  assert.equal(ranged.text, 'hello');
  assert.equal(ranged.headers['content-range'], 'bytes 0-4/12');
  const priv = await curl([plainUrl('private/hello.txt')]);
  assert.equal(priv.status, 403);
  assert.match(priv.text, /<Code>AccessDenied<\/Code>/);
});

test('curl -I sends HEAD and gets the object headers, no body', async () => {
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'public/head.txt', Body: 'head me', ACL: 'public-read', ContentType: 'text/plain' });
  const res = await curl(['-I', plainUrl('public/head.txt')]);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-length'], '7');
  assert.equal(res.headers.etag, `"${md5Hex('head me')}"`);
  assert.equal(res.headers['content-type'], 'text/plain');
  assert.equal(res.body.length, 0);
  const missing = await curl(['-I', signedUrl('HEAD', 'public/none.txt')]);
  assert.equal(missing.status, 404);
  const anonymous = await curl(['-I', plainUrl('public/none.txt')]);
  assert.equal(anonymous.status, 403, 'an anonymous caller learns nothing of a private bucket');
});

test('curl -I prints the header names in COS spelling', async () => {
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'public/case.txt', Body: 'case', ACL: 'public-read' });
  const res = await curl(['-I', plainUrl('public/case.txt')]);
  const names = res.headerLines.map((l) => l.slice(0, l.indexOf(':')));
  for (const name of ['Content-Type', 'Content-Length', 'ETag', 'Last-Modified']) assert.ok(names.includes(name), `${name} among ${names.join(', ')}`);
});

test('curl -T - streams stdin as a chunked upload to a pre-signed URL', async () => {
  const data = Buffer.from('from stdin, sent chunked by curl\n'.repeat(3000));
  const put = await curl(['-T', '-', signedUrl('PUT', 'stdin.txt')], data);
  assert.equal(put.status, 200, put.text);
  const got = await curl([signedUrl('GET', 'stdin.txt')]);
  assert.deepEqual(got.body, data);
});

/** Form fields signed as COS documents a browser form: the policy and the q-sign fields. */
function formFields(conditions: unknown[], keyTime: string): string[] {
  const policy = JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions });
  const fields: Record<string, string> = {
    policy: Buffer.from(policy).toString('base64'),
    'q-sign-algorithm': 'sha1',
    'q-ak': SECRET_ID,
    'q-key-time': keyTime,
    'q-signature': postPolicySignature(nodeCrypto, SECRET_KEY, keyTime, policy),
  };
  // --form-string: with -F, curl would read the ';' of the key time as the start of a field attribute.
  return Object.entries(fields).flatMap(([k, v]) => ['--form-string', `${k}=${v}`]);
}

test('curl -F posts an HTML form upload (POST Object)', async () => {
  const file = join(scratch, 'form.txt');
  await writeFile(file, 'posted by curl -F');
  const keyTime = `${nowSeconds() - 60};${nowSeconds() + 600}`;
  const fields = formFields([{ bucket: Bucket }, ['starts-with', '$key', 'forms/']], keyTime);
  const res = await curl(['--form-string', 'key=forms/${filename}', ...fields, '--form-string', 'success_action_status=201', '-F', `file=@${file};type=text/plain`, `http://${bucketHost(Bucket)}/`]);
  assert.equal(res.status, 201, res.text);
  assert.match(res.text, /<Key>forms\/form.txt<\/Key>/);
  const got = await h.cos.getObject({ Bucket, Region: REGION, Key: 'forms/form.txt' });
  assert.equal(String(got.Body), 'posted by curl -F');
  const outside = await curl(['--form-string', 'key=elsewhere.txt', ...fields, '-F', `file=@${file}`, `http://${bucketHost(Bucket)}/`]);
  assert.equal(outside.status, 403, outside.text);
});

test('curl -F with the policy conditions COS documents on q-sign-algorithm, q-ak and q-sign-time', async () => {
  const file = join(scratch, 'form2.txt');
  await writeFile(file, 'policy names the signing fields');
  const keyTime = `${nowSeconds() - 60};${nowSeconds() + 600}`;
  const conditions = [{ 'q-sign-algorithm': 'sha1' }, { 'q-ak': SECRET_ID }, { 'q-sign-time': keyTime }, { bucket: Bucket }, ['starts-with', '$key', '']];
  const res = await curl(['--form-string', 'key=forms/q-conditions.txt', ...formFields(conditions, keyTime), '-F', `file=@${file}`, `http://${bucketHost(Bucket)}/`]);
  assert.ok(res.status === 200 || res.status === 204, `${res.status} ${res.text}`);
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'forms/q-conditions.txt' });
  assert.equal(head.headers?.['content-length'], String('policy names the signing fields'.length));
});
