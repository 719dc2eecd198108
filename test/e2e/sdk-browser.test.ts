/**
 * Our SDK in a browser (issue 7 items 5-7): the single-file bundle packages/sdk/dist/cos-sdk.browser.js,
 * built here by the same script as `npm run build`, loaded with a script tag in headless Debian
 * Chromium and run against cosbox through real CORS preflights, with temporary keys from cosbox's
 * /sts signed in the page by the pure-JS SHA-1/HMAC-SHA1 of @cosbox/protocol. What the page stores
 * is read back with the official cos-nodejs-sdk-v5. Retries and cancelation run against the page
 * server's own scripted /flaky/ endpoints (same origin).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
// @ts-expect-error: a plain .mjs build script without type declarations.
import { buildBrowserBundles, BUNDLES } from '../../packages/sdk/scripts/build-browser.mjs';
import { allowOrigin, ensureChromium, inPage, launchChromium, outcomes, recordRequests, type SentRequest } from './browser/chromium.js';
import { bytesOf, md5Hex, sha256Hex } from './browser/bytes.js';
import { temporaryCredentials } from './browser/page-server.js';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';

const MB = 1024 * 1024;
const Bucket = bucketName('sdkbrowser');
const officialBundle = join(dirname(createRequire(import.meta.url).resolve('cos-js-sdk-v5')), 'cos-js-sdk-v5.js');
const pageScript = new URL('./browser/sdk-page.js', import.meta.url);

let h: Harness;
let bundles: { iife: string; esm: string };
let pageServer: { origin: string; flaky: Map<string, FlakyAttempt[]>; close(): Promise<void> };
let browser: Browser;
let page: Page;
let sent: SentRequest[];

interface FlakyAttempt {
  method: string;
  retry?: string;
  authorization?: string;
  /** The client went away before an answer (a canceled request). */
  closedEarly?: boolean;
}

const cosError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>flaky</RequestId></Error>`;

/**
 * The page's server: the page, both SDK bundles, temporary keys, and /flaky/<case> answering as
 * scripted: `5xx` 503 twice then 200, `4xx` always 403, `cut` breaks off its first answer (Chromium
 * itself resends a request whose reused connection merely closed, so the SDK would not see that),
 * `hang` never answers.
 */
async function startPageServer(): Promise<typeof pageServer> {
  const flaky = new Map<string, FlakyAttempt[]>();
  const reply = (res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
    res.end(body);
  };
  const indexPage = () => `<!doctype html>
<html><head><meta charset="utf-8"><title>@cosbox/sdk browser test</title></head>
<body>
<script>window.COSBOX = ${JSON.stringify({ Bucket, Region: REGION, Domain: `{Bucket}.cos.{Region}.localhost:${h.port}` })};</script>
<script src="/cos-js-sdk-v5.js"></script>
<script>window.OfficialCOS = window.COS;</script>
<script src="/cos-sdk.browser.js"></script>
<script src="/sdk-page.js"></script>
</body></html>`;

  const onFlaky = (req: IncomingMessage, res: ServerResponse, name: string) => {
    const attempts = flaky.get(name) ?? [];
    flaky.set(name, attempts);
    const attempt: FlakyAttempt = { method: req.method ?? '', retry: req.headers['x-cos-sdk-retry'] as string | undefined, authorization: req.headers.authorization };
    attempts.push(attempt);
    res.on('close', () => {
      if (!res.writableEnded) attempt.closedEarly = true;
    });
    req.resume();
    req.on('end', () => {
      const ok = () => reply(res, 200, 'text/plain', '', { etag: `"${name}-${attempts.length}"`, 'x-cos-request-id': `flaky-${attempts.length}` });
      if (name === '5xx') return attempts.length <= 2 ? reply(res, 503, 'application/xml', cosError('ServiceUnavailable', 'try again')) : ok();
      if (name === '4xx') return reply(res, 403, 'application/xml', cosError('AccessDenied', 'Access Denied.'));
      if (name === 'cut') return attempts.length === 1 ? req.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ncut short') : ok();
      if (name === 'hang') return;
      return ok();
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (path.startsWith('/flaky/')) return onFlaky(req, res, path.slice('/flaky/'.length));
    switch (path) {
      case '/':
        return reply(res, 200, 'text/html; charset=utf-8', indexPage());
      case '/cos-js-sdk-v5.js':
        return reply(res, 200, 'text/javascript', await readFile(officialBundle));
      case '/cos-sdk.browser.js':
        return reply(res, 200, 'text/javascript', bundles.iife);
      case '/sdk-page.js':
        return reply(res, 200, 'text/javascript', await readFile(pageScript));
      case '/credentials':
        return reply(res, 200, 'application/json', JSON.stringify(await temporaryCredentials(h, Bucket)));
      default:
        return reply(res, 404, 'text/plain', 'not found');
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => reply(res, 502, 'text/plain', err.message));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    flaky,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

before(async () => {
  ensureChromium();
  bundles = await buildBrowserBundles();
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
  pageServer = await startPageServer();
  await allowOrigin(h.cos, Bucket, pageServer.origin);
  browser = await launchChromium();
  const context = await browser.newContext();
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  ({ requests: sent } = await recordRequests(page));
  await page.goto(`${pageServer.origin}/`);
  await page.waitForFunction(() => 'cosboxPage' in globalThis);
});

after(async () => {
  await browser?.close();
  await pageServer?.close();
  await h?.close();
});

const stored = (Key: string) => h.cos.getObject({ Bucket, Region: REGION, Key });
const headStatus = (Key: string) => h.cos.headObject({ Bucket, Region: REGION, Key }).then((r) => r.statusCode, (e: { statusCode?: number }) => e.statusCode);

interface ErrorFields {
  isError?: boolean;
  code?: string;
  message?: string;
  statusCode?: number;
  RequestId?: string;
  url?: string;
  method?: string;
  hasHeaders?: boolean;
  error?: { Code?: string; Message?: string; Resource?: string; RequestId?: string };
  UploadId?: string;
}

interface Uploaded {
  ETag?: string;
  statusCode?: number;
  UploadId?: string;
  Location?: string;
  percents?: number[];
  loaded?: number[];
  error?: ErrorFields;
}

/** Fails with the SDK's error and what cosbox answered the page's requests that did not succeed. */
async function assertOk(result: { error?: ErrorFields }): Promise<void> {
  if (!result.error) return;
  const failed = (await outcomes(sent)).filter((r) => !r.preflight && !(r.status && r.status < 300));
  assert.fail(`the SDK failed in the page: ${JSON.stringify(result.error)}\n  ${failed.map((r) => `${r.method} ${r.url} -> ${r.status ?? r.failed}`).join('\n  ')}`);
}

test('the bundles: both built, no Node built-in in them, and the browser export condition picks the browser platform', async () => {
  for (const text of [bundles.iife, bundles.esm]) {
    assert.ok(text.length > 10_000);
    assert.doesNotMatch(text, /["'`]node:/, 'no node: import');
    assert.doesNotMatch(text, /\brequire\(/, 'no require()');
    assert.match(text, /XMLHttpRequest/);
  }
  assert.equal((await readFile(BUNDLES.iife, 'utf8')).length, bundles.iife.length, 'written to dist/');
  assert.match(bundles.esm, /export\s*\{[^}]*\bdefault\b/);

  // What a bundler resolves `import COS from '@cosbox/sdk'` to, for browsers and for Node.
  const inputsFor = async (platform: 'browser' | 'node') => {
    const result = await build({
      stdin: { contents: "import COS from '@cosbox/sdk'; console.log(COS);", resolveDir: process.cwd() },
      bundle: true,
      platform,
      format: 'esm',
      write: false,
      metafile: true,
      external: ['mime-types', 'node:*'],
      logLevel: 'silent',
    });
    return Object.keys(result.metafile.inputs).filter((path) => path.includes('packages/sdk/'));
  };
  const browserInputs = await inputsFor('browser');
  assert.ok(browserInputs.some((p) => /browser\/platform\.[jt]s$/.test(p)), browserInputs.join(' '));
  assert.ok(!browserInputs.some((p) => p.includes('/node/')), 'no Node platform in a browser build');
  const nodeInputs = await inputsFor('node');
  assert.ok(nodeInputs.some((p) => /node\/platform\.[jt]s$/.test(p)) && !nodeInputs.some((p) => p.includes('/browser/')));

  assert.equal(await page.evaluate(() => typeof (globalThis as { COS?: unknown }).COS), 'function', 'the script tag defines COS');
  assert.equal(await page.evaluate(() => (globalThis as { COS?: unknown }).COS === (globalThis as { OfficialCOS?: unknown }).OfficialCOS), false);
});

test('C328 C333 C336 putObject of a string (callback) and of a Blob (Promise) with onProgress, read back by the official Node SDK', { timeout: 60_000 }, async () => {
  const text = `hello from our SDK in Chromium, ${Date.now()} 对象`;
  const put = await inPage<Uploaded>(page, 'putText', { Key: 'sdk/hello.txt', text });
  await assertOk(put);
  assert.equal(put.statusCode, 200);
  assert.equal(put.ETag, `"${md5Hex(text)}"`);
  assert.ok(put.percents && put.percents.length >= 2, `progress reported: ${put.percents}`);
  assert.equal(put.percents.at(-1), 1);
  assert.equal((await stored('sdk/hello.txt')).Body.toString(), text);

  const size = 3 * MB + 5;
  const blob = await inPage<Uploaded>(page, 'putBlob', { Key: 'sdk/blob.bin', size, type: 'image/x-test' });
  await assertOk(blob);
  assert.equal(blob.ETag, `"${md5Hex(bytesOf(size))}"`);
  assert.equal(blob.Location, `${Bucket}.cos.${REGION}.localhost:${h.port}/sdk/blob.bin`);
  assert.equal(blob.percents?.at(-1), 1);
  assert.equal(blob.loaded?.at(-1), size);
  const object = await stored('sdk/blob.bin');
  assert.equal(sha256Hex(object.Body), sha256Hex(bytesOf(size)));
  assert.equal(object.headers?.['content-type'], 'image/x-test', 'the Blob type is the stored Content-Type');
});

test('C339 C340 C338 C332 C344 getObject (string, ArrayBuffer, Blob), headObject, getBucket and deleteObject from the page', { timeout: 60_000 }, async () => {
  const text = 'read me back';
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'sdk/read/a.txt', Body: text, ContentType: 'text/plain' });
  const big = bytesOf(MB + 3);
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'sdk/read/b.bin', Body: big });

  const got = await inPage<Record<string, unknown> & { error?: ErrorFields }>(page, 'getAll', { Key: 'sdk/read/a.txt' });
  await assertOk(got);
  assert.deepEqual(
    [got.textType, got.text, got.ETag, got.statusCode, got.bufferIsArrayBuffer, got.bufferSha256, got.blobIsBlob, got.blobSize, got.blobType],
    ['string', text, `"${md5Hex(text)}"`, 200, true, sha256Hex(text), true, text.length, 'text/plain'],
  );
  const gotBig = await inPage<Record<string, unknown> & { percents?: number[] }>(page, 'getAll', { Key: 'sdk/read/b.bin' });
  assert.equal(gotBig.bufferSha256, sha256Hex(big));
  assert.equal(gotBig.blobSize, big.length);
  assert.equal(gotBig.percents?.at(-1), 1, 'download progress ends at 1');

  const head = await inPage<Record<string, unknown>>(page, 'head', { Key: 'sdk/read/b.bin' });
  assert.deepEqual([head.statusCode, head.ETag, head.length], [200, `"${md5Hex(big)}"`, String(big.length)]);
  assert.match(String(head.RequestId), /./, 'RequestId from the exposed x-cos-request-id');

  const listed = await inPage<{ Keys: string[]; Sizes: string[]; IsTruncated: string }>(page, 'list', { Prefix: 'sdk/read/' });
  assert.deepEqual(listed, { statusCode: 200, Keys: ['sdk/read/a.txt', 'sdk/read/b.bin'], Sizes: [String(text.length), String(big.length)], IsTruncated: 'false' });

  const deleted = await inPage<{ statusCode?: number }>(page, 'del', { Key: 'sdk/read/a.txt' });
  assert.equal(deleted.statusCode, 204);
  assert.equal(await headStatus('sdk/read/a.txt'), 404);
});

test('C357 sliceUploadFile of a 6 MB File in 1 MB parts, with progress and Content-MD5 of every part', { timeout: 120_000 }, async () => {
  const Key = 'sdk/slice.bin';
  const size = 6 * MB + 123;
  const upload = await inPage<Uploaded>(page, 'sliceUpload', { Key, size, ChunkSize: MB });
  await assertOk(upload);
  assert.match(upload.ETag ?? '', /^"[0-9a-f]{32}-7"$/);
  assert.match(upload.UploadId ?? '', /^\d{10}[0-9a-f]{64}$/);
  assert.equal(upload.percents?.at(-1), 1);
  assert.equal(sha256Hex((await stored(Key)).Body), sha256Hex(bytesOf(size)));
  // Every part carried its Content-MD5, computed by the pure-JS MD5 in the page (cosbox checks it).
  const parts = (await outcomes(sent)).filter((r) => !r.preflight && r.method === 'PUT' && r.url.includes('slice.bin') && r.url.includes('partNumber='));
  assert.equal(parts.length, 7);
  for (const part of parts) assert.match(part.headers['content-md5'] ?? '', /^[A-Za-z0-9+/]{22}==$/, part.url);
});

test('C356 uploadFile of a File: one putObject up to SliceSize, parts above it; onFileFinish called', { timeout: 120_000 }, async () => {
  const small = await inPage<Uploaded & { finished: unknown[] }>(page, 'uploadFile', { Key: 'sdk/upload-small.txt', size: 1000, SliceSize: MB });
  await assertOk(small);
  assert.equal(small.ETag, `"${md5Hex(bytesOf(1000))}"`);
  assert.equal(small.percents?.at(-1), 1);
  assert.deepEqual(small.finished, [{ err: null, ETag: small.ETag }]);
  const smallObject = await stored('sdk/upload-small.txt');
  assert.equal(smallObject.headers?.['content-type'], 'text/plain', "the File's type");

  const size = 3 * MB + 1;
  const big = await inPage<Uploaded & { finished: unknown[] }>(page, 'uploadFile', { Key: 'sdk/upload-big.bin', size, SliceSize: MB });
  await assertOk(big);
  assert.match(big.ETag ?? '', /^"[0-9a-f]{32}-4"$/, 'in 1 MB parts');
  assert.equal(big.percents?.at(-1), 1);
  assert.equal(sha256Hex((await stored('sdk/upload-big.bin')).Body), sha256Hex(bytesOf(size)));
});

test('C350 C351 C353 C354 C286 multipartInit / multipartUpload of Blob slices / multipartListPart / multipartComplete through CORS, part ETags exposed', { timeout: 60_000 }, async () => {
  const sizes = [MB, 100_000];
  const result = await inPage<Uploaded & { parts: { ETag: string }[]; listed: { ETag: string; Size: string }[] }>(page, 'multipart', { Key: 'sdk/parts.bin', sizes });
  await assertOk(result);
  const all = bytesOf(sizes[0] + sizes[1]);
  const partMd5s = [md5Hex(all.subarray(0, sizes[0])), md5Hex(all.subarray(sizes[0]))];
  assert.deepEqual(result.parts.map((p) => p.ETag), partMd5s.map((m) => `"${m}"`), 'the ETag of each part is readable');
  assert.deepEqual(result.listed.map((p) => [p.ETag, p.Size]), partMd5s.map((m, i) => [`"${m}"`, String(sizes[i])]));
  const combined = md5Hex(Buffer.concat(partMd5s.map((m) => Buffer.from(m, 'hex'))));
  assert.equal(result.ETag, `"${combined}-2"`);
  const object = await stored('sdk/parts.bin');
  assert.equal(sha256Hex(object.Body), sha256Hex(all));
  assert.equal(object.headers?.['content-type'], 'application/x-parts');
  const preflights = (await outcomes(sent)).filter((r) => r.preflight && r.url.includes('parts.bin'));
  assert.ok(preflights.length > 0 && preflights.every((r) => r.status === 200), 'the calls went through CORS preflights');
});

test('C341 getObjectUrl: a URL signed with the temporary key and its token, fetched by the page', { timeout: 30_000 }, async () => {
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'sdk/url me.txt', Body: 'by URL' });
  const result = await inPage<{ url: string; status: number; text: string }>(page, 'signedUrl', { Key: 'sdk/url me.txt' });
  assert.deepEqual([result.status, result.text], [200, 'by URL']);
  assert.match(result.url, /^http:\/\/[^/]+\.localhost:\d+\/sdk\/url%20me\.txt\?q-sign-algorithm=sha1&q-ak=AKID[^&]+&/);
  assert.match(result.url, /&x-cos-security-token=/);
});

test('C323 C324 an error from the page: NoSuchKey with the official browser SDK shape', { timeout: 30_000 }, async () => {
  const { ours, theirs, headOurs, headTheirs } = await inPage<Record<'ours' | 'theirs' | 'headOurs' | 'headTheirs', ErrorFields>>(page, 'missing', { Key: 'sdk/missing.txt' });
  assert.equal(ours.code, 'NoSuchKey');
  assert.equal(ours.statusCode, 404);
  assert.equal(ours.isError, true);
  assert.equal(ours.error?.Code, 'NoSuchKey');
  assert.match(ours.RequestId ?? '', /./);
  for (const field of ['code', 'message', 'statusCode', 'method', 'url', 'hasHeaders'] as const) {
    assert.deepEqual(ours[field], theirs[field], `err.${field}`);
  }
  assert.deepEqual([ours.error?.Code, ours.error?.Message, ours.error?.Resource], [theirs.error?.Code, theirs.error?.Message, theirs.error?.Resource]);
  // A HEAD has no body: the code is the status, as the official Node SDK reports it (the official
  // browser SDK says 'Error' there: a deliberate difference, see packages/sdk/README.md).
  assert.deepEqual([headOurs.code, headOurs.statusCode, headOurs.message], ['404', 404, 'Not Found']);
  assert.equal(headTheirs.statusCode, 404);
});

test('C359 cancelation: an AbortSignal stops a sliceUploadFile part-way; after a page reload the same File resumes that upload', { timeout: 60_000 }, async () => {
  const Key = 'sdk/aborted.bin';
  const size = 8 * MB;
  const result = await inPage<Uploaded & { loaded: number[] }>(page, 'abortSliceUpload', { Key, size });
  assert.equal(result.error?.code, 'AbortError', JSON.stringify(result));
  assert.match(result.error?.UploadId ?? '', /^\d{10}[0-9a-f]{64}$/, 'the upload to resume is named');
  assert.ok(result.loaded.some((n) => n > 0 && n < size), `aborted part-way: ${result.loaded}`);
  assert.equal(await headStatus(Key), 404);
  const UploadId = result.error!.UploadId!;
  const { Part } = await h.cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId });
  assert.ok(Part.length < 8, `no more parts were sent after the abort: ${Part.length}`);

  // The page is reloaded (no state survives in it) and the same file is given again: the SDK finds
  // the upload on the server, checks the parts there against the file's slices by MD5, and sends the rest.
  await page.reload();
  await page.waitForFunction(() => 'cosboxPage' in globalThis);
  // Listed again now: a part whose body had all reached the server when the request was aborted
  // may still have been committed after the first listing.
  const present = (await h.cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId })).Part.length;
  const before = sent.length;
  const resumed = await inPage<Uploaded>(page, 'sliceUpload', { Key, size, ChunkSize: MB });
  await assertOk(resumed);
  assert.equal(resumed.UploadId, UploadId, 'the aborted upload was resumed');
  assert.match(resumed.ETag ?? '', /^"[0-9a-f]{32}-8"$/);
  assert.equal(sha256Hex((await stored(Key)).Body), sha256Hex(bytesOf(size)));
  const partPuts = (await outcomes(sent)).slice(before).filter((r) => !r.preflight && r.method === 'PUT' && r.url.includes('partNumber='));
  assert.equal(partPuts.length, 8 - present, 'only the missing parts were sent');
});

test('cancelation in flight and before sending (XMLHttpRequest aborted, nothing sent for an aborted signal)', { timeout: 30_000 }, async () => {
  const result = await inPage<{ inFlight: ErrorFields; before: ErrorFields }>(page, 'abortInFlight', { Key: 'flaky/hang', afterMs: 300 });
  assert.equal(result.inFlight?.code, 'AbortError');
  assert.equal(result.before?.code, 'AbortError');
  const hang = pageServer.flaky.get('hang') ?? [];
  assert.equal(hang.length, 1, 'not retried after the abort');
  for (let i = 0; i < 50 && !hang[0].closedEarly; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(hang[0].closedEarly, true, 'the browser dropped the request');
  assert.equal(pageServer.flaky.get('never'), undefined, 'an aborted signal sends nothing');
});

test('retries in the browser: 5xx and a broken-off answer retried with x-cos-sdk-retry, 4xx never', { timeout: 60_000 }, async () => {
  const fiveHundred = await inPage<Uploaded>(page, 'flakyPut', { Key: 'flaky/5xx' });
  assert.equal(fiveHundred.error, undefined, JSON.stringify(fiveHundred.error));
  assert.equal(fiveHundred.ETag, '"5xx-3"');
  assert.deepEqual(pageServer.flaky.get('5xx')?.map((a) => a.retry), [undefined, 'true', 'true']);
  assert.ok(pageServer.flaky.get('5xx')?.every((a) => /^q-sign-algorithm=sha1&q-ak=AKIDflaky&/.test(a.authorization ?? '')), 'every attempt signed');

  const cut = await inPage<Uploaded>(page, 'flakyPut', { Key: 'flaky/cut' });
  assert.equal(cut.error, undefined, JSON.stringify(cut.error));
  assert.equal(cut.ETag, '"cut-2"');
  assert.deepEqual(pageServer.flaky.get('cut')?.map((a) => a.retry), [undefined, 'true']);

  const forbidden = await inPage<Uploaded>(page, 'flakyPut', { Key: 'flaky/4xx' });
  assert.deepEqual([forbidden.error?.code, forbidden.error?.statusCode, forbidden.error?.message], ['AccessDenied', 403, 'Access Denied.']);
  assert.equal(pageServer.flaky.get('4xx')?.length, 1, 'a 4xx is not retried');
});
