/**
 * The browser proof (issue 5, item 7): the official cos-js-sdk-v5 from npm, unmodified, in headless
 * Debian Chromium, against cosbox: temporary keys from cosbox's /sts through getAuthorization,
 * putObject with onProgress, a 20 MB sliceUploadFile and getObject, every one through real CORS
 * preflights; a plain HTML form POST upload; and a page from an origin the CORS rules do not name,
 * refused. Chromium is installed from Debian's packages when the machine has none.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { allowOrigin, ensureChromium, inPage, launchChromium, outcomes, recordRequests, within, type SentRequest } from './browser/chromium.js';
import { bytesOf, md5Hex, sha256Hex } from './browser/bytes.js';
import { startPageServer, temporaryCredentials, type PageServer } from './browser/page-server.js';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';

const MB = 1024 * 1024;
const BIG = 20 * MB;
const Bucket = bucketName('browser');

let h: Harness;
let pages: PageServer;
let browser: Browser;
/** The page on the allowed origin, shared by the SDK tests, and everything it sent. */
let page: Page;
let sent: SentRequest[];
let cdp: CDPSession;

before(async () => {
  ensureChromium();
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
  pages = await startPageServer(h, Bucket);
  await allowOrigin(h.cos, Bucket, pages.allowedOrigin);
  browser = await launchChromium();
  ({ page, requests: sent, session: cdp } = await openPage(pages.allowedOrigin));
});

after(async () => {
  await cdp?.detach().catch(() => {});
  await browser?.close();
  await pages?.close();
  await h?.close();
});

/** A fresh browser context on `origin`'s test page, its requests recorded, the SDK loaded. */
async function openPage(origin: string): Promise<{ page: Page; requests: SentRequest[]; session: CDPSession }> {
  const context = await browser.newContext();
  const p = await context.newPage();
  p.setDefaultTimeout(30_000);
  const recorded = await recordRequests(p);
  await p.goto(`${origin}/`);
  await p.waitForFunction(() => 'cosboxPage' in globalThis);
  return { page: p, ...recorded };
}

const headStatus = (Key: string) => h.cos.headObject({ Bucket, Region: REGION, Key }).then((r) => r.statusCode, (e: { statusCode?: number }) => e.statusCode);
const toCosbox = (r: SentRequest) => new URL(r.url).host === `${Bucket}.cos.${REGION}.localhost:${h.port}`;

interface SdkResult {
  statusCode?: number;
  ETag?: string;
  percents?: number[];
  error?: { statusCode?: number; code?: string; message?: string };
}

/** Fails with the SDK's error and what cosbox answered the page's requests that did not succeed. */
async function assertSdkOk(result: SdkResult, requests: SentRequest[]): Promise<void> {
  if (!result.error) return;
  const failed = (await outcomes(requests)).filter((r) => toCosbox(r) && !(r.status && r.status < 300));
  const lines = failed.map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search} -> ${r.status ?? r.failed}`);
  assert.fail(`the browser SDK failed: ${JSON.stringify(result.error)}\n  ${[...new Set(lines)].join('\n  ')}`);
}

test('temporary keys: the page server gets them from POST /sts with the root key and hands them to the page', async () => {
  const keys = await temporaryCredentials(h, Bucket);
  assert.match(keys.TmpSecretId, /^AKID/);
  assert.notEqual(keys.TmpSecretId, SECRET_ID);
  assert.ok(keys.TmpSecretKey && keys.SecurityToken);
  assert.ok(Math.abs(keys.ExpiredTime - keys.StartTime - 1800) <= 1, `${keys.StartTime}..${keys.ExpiredTime}`);

  const res = await fetch(`${pages.allowedOrigin}/credentials`);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.deepEqual(Object.keys(JSON.parse(text)).sort(), ['ExpiredTime', 'SecurityToken', 'StartTime', 'TmpSecretId', 'TmpSecretKey']);
  assert.ok(!text.includes(SECRET_KEY) && !text.includes(SECRET_ID), 'the root key stays on the server');
});

test('putObject with onProgress and getObject, from Chromium with the official browser SDK', { timeout: 90_000 }, async () => {
  const text = `hello from Chromium ${Date.now()}`;
  const put = await inPage<SdkResult>(page, 'putWithProgress', { Key: 'browser/hello.txt', text });
  await assertSdkOk(put, sent);
  assert.equal(put.statusCode, 200);
  assert.equal(put.ETag, `"${md5Hex(text)}"`, 'ETag is readable: exposed by the CORS rule');
  assert.ok(put.percents && put.percents.length > 0, 'onProgress was called');
  assert.equal(put.percents.at(-1), 1);

  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'browser/hello.txt' })).Body.toString(), text);
  const got = await inPage<SdkResult & { Body?: string }>(page, 'getText', { Key: 'browser/hello.txt' });
  await assertSdkOk(got, sent);
  assert.equal(got.Body, text);
  assert.equal(got.ETag, put.ETag);
});

test('sliceUploadFile of a 20 MB file in 1 MB parts, read back with getObject, from Chromium', { timeout: 180_000 }, async () => {
  const Key = 'browser/big.bin';
  const upload = await inPage<SdkResult>(page, 'sliceUpload', { Key, size: BIG, ChunkSize: MB }, 150_000);
  await assertSdkOk(upload, sent);
  assert.match(upload.ETag ?? '', /^"[0-9a-f]{32}-20"$/);
  assert.equal(upload.percents?.at(-1), 1);

  const expected = bytesOf(BIG);
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key });
  assert.equal(Number(head.headers?.['content-length']), BIG);
  assert.equal(head.ETag, upload.ETag);
  assert.equal(sha256Hex((await h.cos.getObject({ Bucket, Region: REGION, Key })).Body), sha256Hex(expected));

  const digest = await inPage<SdkResult & { size?: number; sha256?: string }>(page, 'getDigest', { Key }, 60_000);
  await assertSdkOk(digest, sent);
  assert.deepEqual([digest.size, digest.sha256], [BIG, sha256Hex(expected)]);
});

// Over the requests the page sent in the two tests above.
test('every SDK request went through a CORS preflight and was signed with the temporary key and its token', async () => {
  const toServer = (await outcomes(sent)).filter(toCosbox);
  const preflights = toServer.filter((r) => r.preflight);
  const actual = toServer.filter((r) => !r.preflight);
  // PUT (putObject, parts), POST (initiate, complete multipart), GET (getObject, the part list check).
  for (const method of ['PUT', 'POST', 'GET']) {
    assert.ok(preflights.some((r) => r.headers['access-control-request-method'] === method && r.status === 200), `a ${method} preflight answered 200`);
    assert.ok(actual.some((r) => r.method === method), `an actual ${method}`);
  }
  const tmpIds = new Set(pages.issued.map((c) => c.TmpSecretId));
  const tokens = new Set(pages.issued.map((c) => c.SecurityToken));
  assert.ok(tmpIds.size > 0, 'getAuthorization fetched /credentials');
  for (const r of actual) {
    const { headers } = r;
    assert.equal(r.failed, undefined, `${r.method} ${r.url}: ${r.failed}`);
    assert.ok(headers.origin === pages.allowedOrigin, `${r.method} ${r.url} is cross-origin`);
    const ak = /q-ak=([^&]+)/.exec(headers.authorization ?? '')?.[1];
    assert.ok(ak && tmpIds.has(ak), `${r.method} ${r.url} signed with a temporary key, not ${ak}`);
    assert.ok(tokens.has(headers['x-cos-security-token']), `${r.method} ${r.url} carries the token`);
  }
});

test('a plain HTML form POST upload from Chromium, redirected back to the page with bucket, key and etag', { timeout: 60_000 }, async () => {
  const content = `a form upload ${Date.now()}\n`;
  const context = await browser.newContext();
  try {
    const p = await context.newPage();
    p.setDefaultTimeout(30_000);
    await p.goto(`${pages.allowedOrigin}/form`);
    await p.setInputFiles('input[name=file]', { name: 'picked.txt', mimeType: 'text/plain', buffer: Buffer.from(content) });
    await Promise.all([p.waitForURL(`${pages.allowedOrigin}/done?**`), p.click('button[type=submit]')]);
    const shown = JSON.parse((await p.textContent('#result')) ?? '{}') as Record<string, string>;
    assert.deepEqual([shown.bucket, shown.key, shown.etag], [Bucket, 'forms/picked.txt', `"${md5Hex(content)}"`]);
  } finally {
    await within(10_000, 'closing the form page', context.close());
  }
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'forms/picked.txt' })).Body.toString(), content);
});

test('a page from an origin the CORS rules do not name is refused, and nothing is stored', { timeout: 90_000 }, async () => {
  const other = await openPage(pages.otherOrigin);
  try {
    const put = await inPage<SdkResult>(other.page, 'putWithProgress', { Key: 'browser/refused.txt', text: 'must not land' });
    assert.ok(put.error, 'putObject failed');
    assert.deepEqual([put.error.statusCode, put.error.message], [undefined, 'CORS blocked or network error'], 'no response was readable');
    const toServer = (await outcomes(other.requests)).filter(toCosbox);
    const preflights = toServer.filter((r) => r.preflight);
    assert.ok(preflights.length > 0 && preflights.every((r) => r.status === 403), `preflights refused: ${JSON.stringify(preflights.map((r) => r.status))}`);
    const puts = toServer.filter((r) => r.method === 'PUT');
    assert.ok(puts.length > 0 && puts.every((r) => r.status === undefined && /CORS|Preflight/.test(r.failed ?? '')), `every PUT blocked: ${JSON.stringify(puts.map((r) => r.failed))}`);
    assert.equal(await headStatus('browser/refused.txt'), 404);
  } finally {
    await other.session.detach().catch(() => {});
    await within(10_000, 'closing the other page', other.page.context().close());
  }
});
