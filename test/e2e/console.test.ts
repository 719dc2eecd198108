/**
 * The web console in real Chromium (Debian's, through playwright-core), served by cosbox at
 * /-/console/ and talking to it path-style on the same origin: sign in, create a bucket, drop a
 * folder (a real drag of a directory, through the DevTools protocol), upload 30 MB in parts, cancel
 * and retry an upload, browse, preview, share a link fetched anonymously, edit metadata, turn on
 * versioning and restore an old version, set a CORS rule, delete everything, sign out. Screenshots
 * at 1280 and 390 px go to test-artifacts/console/ (not committed).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
// @ts-expect-error: a plain .mjs build script without type declarations.
import { buildConsole } from '../../packages/console/scripts/build.mjs';
import { ensureChromium, launchChromium } from './browser/chromium.js';
import { APPID, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';
import { send } from './raw.js';
import { temporaryCredentials } from './browser/page-server.js';

const MB = 1024 * 1024;
/** Where screenshots go: gitignored, kept by CI as artifacts. */
const ARTIFACTS = new URL('../../test-artifacts/console/', import.meta.url).pathname;
const Bucket = `console-${Date.now().toString(36)}-${APPID}`;
const PNG = gradientPng(360, 180);

/** A small RGB PNG (a colour gradient) for the image preview. */
function gradientPng(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([Math.round((x / width) * 255), Math.round((y / height) * 200), 180], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let files: string;
let origin: string;
const pageErrors: string[] = [];

before(async () => {
  ensureChromium();
  await buildConsole();
  await mkdir(ARTIFACTS, { recursive: true });
  files = await mkdtemp(join(tmpdir(), 'cosbox-console-'));
  await mkdir(join(files, 'photos', 'sub'), { recursive: true });
  await writeFile(join(files, 'photos', 'a.png'), PNG);
  await writeFile(join(files, 'photos', 'b.txt'), 'hello from the console\n');
  await writeFile(join(files, 'photos', 'sub', 'c.json'), '{"deep":true}');
  await writeFile(join(files, 'big.bin'), randomBytes(30 * MB));
  await writeFile(join(files, 'cancel.bin'), randomBytes(24 * MB));
  await writeFile(join(files, 'resume.bin'), randomBytes(24 * MB));
  h = await startHarness();
  origin = `http://127.0.0.1:${h.port}`;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // What the page says (its error messages among it) goes to the test's output, to diagnose a failure.
  page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
});

after(async () => {
  await browser?.close();
  await h?.close();
  if (files) await rm(files, { recursive: true, force: true });
});

/** A screenshot without the passing messages of earlier steps. */
async function shot(name: string): Promise<void> {
  await page.evaluate(() => document.getElementById('toasts')?.replaceChildren());
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}
/** Waits for a message; fails with every message shown (an error toast says why) when it does not come. */
async function toastSays(text: string | RegExp): Promise<void> {
  try {
    await page.locator('#toasts .toast').filter({ hasText: text }).first().waitFor({ timeout: 15_000 });
  } catch (error) {
    const shown = await page.locator('#toasts .toast').allInnerTexts();
    throw new Error(`no message ${String(text)}; the console said: ${JSON.stringify(shown)}`, { cause: error });
  }
}
const listKeys = async () => ((await h.cos.getBucket({ Bucket, Region: REGION })).Contents ?? []).map((c) => c.Key).sort();
const uploadRow = (key: string) => page.locator(`li.upload[data-key="${key}"]`);

/** Waits until an upload's row says Done; fails with what the row says otherwise. */
async function uploadDone(key: string, timeout = 45_000): Promise<void> {
  try {
    // Attached, not visible: once every upload is done the panel folds its list away.
    await page.locator(`li.upload.done[data-key="${key}"]`).waitFor({ state: 'attached', timeout });
  } catch (error) {
    const row = await uploadRow(key).innerText().catch(() => '(no row)');
    throw new Error(`upload of ${key} not done: ${JSON.stringify(row)}`, { cause: error });
  }
}

test('sign in: a wrong key is refused with the server’s message; the right one stays in sessionStorage only', async () => {
  await page.goto(`${origin}/-/console/`);
  await page.getByLabel('SecretId').fill(SECRET_ID);
  await page.getByLabel('SecretKey').fill('not-the-key');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.signin .problem').filter({ hasText: 'SignatureDoesNotMatch' }).waitFor();

  await page.getByLabel('SecretKey').fill(SECRET_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Buckets' }).waitFor();
  const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('cosbox.console.credentials'), local: JSON.stringify(localStorage), cookie: document.cookie, url: location.href }));
  assert.match(stored.session ?? '', new RegExp(SECRET_KEY));
  assert.doesNotMatch(stored.local + stored.cookie + stored.url, new RegExp(SECRET_KEY));
  // The access-keys page is open to this root account's key.
  assert.equal(await page.locator('a.nav-keys').getAttribute('aria-disabled'), null);
});

test('create a bucket: the name rules are checked before the server is asked', async () => {
  await page.getByRole('button', { name: 'Create bucket' }).click();
  const name = page.getByLabel('Name');
  await name.fill(`Bad_Name-${APPID}`);
  await page.locator('dialog .problem').filter({ hasText: 'lower-case' }).waitFor();
  await name.fill(Bucket);
  await page.locator('dialog').getByRole('button', { name: 'Create' }).click();
  await toastSays(`Bucket ${Bucket} created.`);
  await page.getByRole('link', { name: Bucket }).waitFor();
  assert.equal((await h.cos.headBucket({ Bucket, Region: REGION })).statusCode, 200);
  await shot('buckets-1280');
});

test('upload a folder by drag-and-drop: a real drag of a directory, each file with its progress', async () => {
  await page.getByRole('link', { name: Bucket }).click();
  await page.getByText('This folder is empty').waitFor();
  const box = (await page.locator('.drop-zone').boundingBox())!;
  const cdp = await context.newCDPSession(page);
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files: [join(files, 'photos')], dragOperationsMask: 1 };
  await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', ...at, data });
  await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', ...at, data });
  await cdp.send('Input.dispatchDragEvent', { type: 'drop', ...at, data });
  for (const key of ['photos/a.png', 'photos/b.txt', 'photos/sub/c.json']) {
    await uploadDone(key);
    assert.equal(await uploadRow(key).locator('progress').evaluate((p) => (p as HTMLProgressElement).value), 100);
  }
  assert.deepEqual(await listKeys(), ['photos/a.png', 'photos/b.txt', 'photos/sub/c.json']);
  await page.locator('tr[data-key="photos/"]').waitFor();
});

test('upload 30 MB in parts with a progress bar that moves', async () => {
  // Every progress value the bar shows, seen from inside the page.
  await page.evaluate(() => {
    const seen: number[] = ((window as unknown as { seen: number[] }).seen = []);
    new MutationObserver(() => {
      for (const p of document.querySelectorAll('li.upload[data-key="big.bin"] progress')) seen.push(Number((p as HTMLProgressElement).value));
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.locator('input[data-role="upload-files"]').setInputFiles(join(files, 'big.bin'));
  await uploadDone('big.bin');
  const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
  assert.ok(seen.some((v) => v > 0 && v < 100), `intermediate progress shown: ${[...new Set(seen)].join(',')}`);
  assert.match(await uploadRow('big.bin').locator('.size').innerText(), /in parts/);
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'big.bin' });
  assert.equal(head.headers?.['content-length'], String(30 * MB));
  assert.match(String(head.ETag), /-\d+"$/, 'a multipart ETag');
});

test('cancel an upload, then retry it', async () => {
  await page.locator('input[data-role="upload-files"]').setInputFiles(join(files, 'cancel.bin'));
  const row = uploadRow('cancel.bin');
  await row.getByRole('button', { name: 'Cancel cancel.bin' }).click();
  await row.locator('.status', { hasText: 'Canceled' }).waitFor();
  await assert.rejects(h.cos.headObject({ Bucket, Region: REGION, Key: 'cancel.bin' }), (e: { statusCode?: number }) => e.statusCode === 404);
  await row.getByRole('button', { name: 'Retry cancel.bin' }).click();
  await uploadDone('cancel.bin');
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'cancel.bin' });
  assert.equal(head.headers?.['content-length'], String(24 * MB));
  await shot('uploads-1280');
});

test('a multipart upload cut by a reload continues from the parts the server has when the file is picked again', async () => {
  const isPart = (url: string) => url.includes('partNumber=') && url.includes('/resume.bin?');
  const firstPart = page.waitForEvent('requestfinished', (r) => isPart(r.url()) && r.method() === 'PUT');
  await page.locator('input[data-role="upload-files"]').setInputFiles(join(files, 'resume.bin'));
  await firstPart;
  await page.reload();

  const parts: string[] = [];
  const unfinished = page.locator('.unfinished li', { hasText: 'resume.bin' });
  await unfinished.waitFor();
  const chooser = page.waitForEvent('filechooser');
  await unfinished.getByRole('button', { name: 'Resume…' }).click();
  await (await chooser).setFiles(join(files, 'resume.bin'));
  await uploadDone('resume.bin');
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'resume.bin' });
  assert.equal(head.headers?.['content-length'], String(24 * MB));
  assert.ok(parts.length < 5, `only the missing parts are sent again: ${parts.length} of 5`);
  await page.locator('.unfinished li', { hasText: 'resume.bin' }).waitFor({ state: 'detached' });
});

test('browse folders with breadcrumbs, preview an image and a text file', async () => {
  await page.locator('tr[data-key="photos/"] a').click();
  await page.locator('tr[data-key="photos/sub/"]').waitFor();
  await page.locator('tr[data-key="photos/sub/"] a').click();
  await page.locator('tr[data-key="photos/sub/c.json"]').waitFor();
  await page.locator('nav.crumbs').getByRole('link', { name: 'photos' }).click();
  await page.locator('tr[data-key="photos/a.png"]').waitFor();

  await page.locator('tr[data-key="photos/a.png"] button.object').click();
  const image = page.locator('dialog img.preview');
  await image.waitFor();
  assert.equal(await page.waitForFunction(() => (document.querySelector('dialog img.preview') as HTMLImageElement | null)?.naturalWidth).then((w) => w.jsonValue()), 360);
  assert.match(await page.locator('dialog dl.info').innerText(), /CRC-64/);
  await shot('details-1280');
  await page.keyboard.press('Escape');

  await page.locator('tr[data-key="photos/b.txt"] button.object').click();
  await page.locator('dialog pre.preview', { hasText: 'hello from the console' }).waitFor();
});

test('page through a large folder, filter it by prefix, sort it', async () => {
  const keys = Array.from({ length: 105 }, (_, i) => `many/item-${String(i).padStart(3, '0')}.txt`);
  for (let i = 0; i < keys.length; i += 15) {
    await Promise.all(keys.slice(i, i + 15).map((Key, j) => h.cos.putObject({ Bucket, Region: REGION, Key, Body: 'x'.repeat(i + j) })));
  }
  await page.keyboard.press('Escape');
  await page.goto(`${origin}/-/console/#/b/${Bucket}/many%2F`);
  const rows = page.locator('table.objects tbody tr[data-key]');
  await page.locator('tr[data-key="many/item-000.txt"]').waitFor();
  assert.equal(await rows.count(), 100);
  await page.getByRole('button', { name: 'Next ›' }).click();
  await page.locator('tr[data-key="many/item-104.txt"]').waitFor();
  assert.equal(await rows.count(), 5);
  await page.getByRole('button', { name: '‹ Previous' }).click();
  await page.locator('tr[data-key="many/item-000.txt"]').waitFor();

  await page.getByLabel('Filter by prefix').fill('item-10');
  await page.getByLabel('Filter by prefix').press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('table.objects tbody tr[data-key]').length === 5);
  await page.getByLabel('Sort by').selectOption('size');
  assert.equal(await rows.first().getAttribute('data-key'), 'many/item-104.txt', 'largest first');

  // Markdown is rendered from text: markup in it stays text.
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'many/readme.md', Body: '# Title\n\nSome **bold** text <img src=x onerror=alert(1)>\n\n- one\n- two\n' });
  await page.getByLabel('Filter by prefix').fill('readme');
  await page.getByLabel('Filter by prefix').press('Enter');
  await page.locator('tr[data-key="many/readme.md"] button.object').click();
  await page.locator('dialog .markdown h3', { hasText: 'Title' }).waitFor();
  assert.equal(await page.locator('dialog .markdown strong').innerText(), 'bold');
  assert.equal(await page.locator('dialog .markdown li').count(), 2);
  assert.equal(await page.locator('dialog .markdown img').count(), 0);
  await page.keyboard.press('Escape');

  await page.goto(`${origin}/-/console/#/b/${Bucket}/photos%2F`);
  await page.locator('tr[data-key="photos/b.txt"] button.object').click();
  await page.locator('dialog pre.preview', { hasText: 'hello from the console' }).waitFor();
});

test('share a link with an expiry, copied to the clipboard, fetched anonymously', async () => {
  await page.locator('dialog').getByRole('button', { name: 'Share link' }).click();
  const share = page.locator('dialog[aria-label="Share link"]');
  await share.getByLabel('Link expires after').selectOption('900');
  await share.getByRole('button', { name: 'Create and copy link' }).click();
  await toastSays('Link copied to the clipboard.');
  const link = await share.locator('input.share-url').inputValue();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
  assert.doesNotMatch(link, new RegExp(SECRET_KEY));
  const url = new URL(link);
  const res = await send(h, { path: url.pathname + url.search, sign: false });
  assert.equal(res.status, 200);
  assert.equal(res.text, 'hello from the console\n');
  assert.equal((await send(h, { path: url.pathname, sign: false })).status, 403, 'the object itself stays private');
  await share.getByRole('button', { name: 'Close', exact: true }).click();
});

test('edit metadata of an object', async () => {
  const editor = page.locator('dialog form[data-editor="metadata"]');
  await editor.getByRole('button', { name: 'Add' }).click();
  await editor.getByLabel('Metadata name').last().fill('owner');
  await editor.getByLabel('Metadata value').last().fill('alice');
  await editor.getByRole('button', { name: 'Save metadata' }).click();
  await toastSays('Metadata saved.');
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'photos/b.txt' });
  assert.equal(head.headers?.['x-cos-meta-owner'], 'alice');
  assert.equal(head.headers?.['content-type'], 'text/plain');
  await page.keyboard.press('Escape');
});

test('turn on versioning, then restore an old version as current', async () => {
  await page.getByRole('link', { name: 'Bucket settings' }).click();
  await page.getByRole('tab', { name: 'Versioning' }).click();
  await page.getByLabel('Enabled').check();
  await page.getByRole('button', { name: 'Save Versioning' }).click();
  await toastSays('Versioning saved.');
  assert.equal((await h.cos.getBucketVersioning({ Bucket, Region: REGION })).VersioningConfiguration?.Status, 'Enabled');

  await h.cos.putObject({ Bucket, Region: REGION, Key: 'notes.txt', Body: 'version one' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'notes.txt', Body: 'version two' });
  await page.locator('nav.crumbs').getByRole('link', { name: Bucket }).click();
  await page.locator('tr[data-key="notes.txt"] button.object').click();
  const rows = page.locator('dialog section.versions tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('dialog section.versions tbody tr[data-version]').length === 2);
  await rows.nth(1).getByRole('button', { name: 'Restore' }).click();
  await toastSays('Version restored as current.');
  const current = await h.cos.getObject({ Bucket, Region: REGION, Key: 'notes.txt' });
  assert.equal(current.Body.toString(), 'version one');
  await page.waitForFunction(() => document.querySelectorAll('dialog section.versions tbody tr[data-version]').length === 3);
  await page.keyboard.press('Escape');
});

test('set a CORS rule with the form (validated first)', async () => {
  await page.getByRole('link', { name: 'Bucket settings' }).click();
  await page.getByRole('tab', { name: 'CORS' }).click();
  await page.getByRole('button', { name: 'Add CORS rule' }).click();
  await page.getByRole('button', { name: 'Save CORS' }).click();
  await page.locator('.setting .problem', { hasText: 'at least one allowed origin' }).waitFor();
  await page.getByLabel('Allowed origins').fill('https://app.example.com');
  await page.getByLabel('PUT').check();
  await page.getByRole('button', { name: 'Save CORS' }).click();
  await toastSays('CORS saved.');
  const cors = await h.cos.getBucketCors({ Bucket, Region: REGION });
  assert.deepEqual(cors.CORSRules[0].AllowedOrigins ?? cors.CORSRules[0].AllowedOrigin, ['https://app.example.com']);
  await page.locator('details.raw summary').click();
  assert.match(await page.getByLabel('CORS as XML').inputValue(), /<AllowedOrigin>https:\/\/app\.example\.com<\/AllowedOrigin>/);
  await shot('settings-1280');
});

test('lifecycle and tagging forms: checked, saved, read back by the official SDK', async () => {
  await page.getByRole('tab', { name: 'Lifecycle' }).click();
  await page.getByRole('button', { name: 'Add lifecycle rule' }).click();
  await page.getByRole('button', { name: 'Save Lifecycle' }).click();
  await page.locator('.setting .problem', { hasText: 'give an expiration' }).waitFor();
  await page.getByLabel('Prefix').fill('logs/');
  await page.getByLabel('Expire after (days)').fill('30');
  await page.getByRole('button', { name: 'Save Lifecycle' }).click();
  await toastSays('Lifecycle saved.');
  const lifecycle = await h.cos.getBucketLifecycle({ Bucket, Region: REGION });
  assert.equal(lifecycle.Rules[0].Expiration?.Days, '30');

  await page.getByRole('tab', { name: 'Tagging' }).click();
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.getByLabel('Tag key').fill('team');
  await page.getByLabel('Tag value').fill('storage');
  await page.getByRole('button', { name: 'Save Tagging' }).click();
  await toastSays('Tagging saved.');
  const tagging = await h.cos.getBucketTagging({ Bucket, Region: REGION });
  assert.deepEqual(tagging.Tags, [{ Key: 'team', Value: 'storage' }]);
});

test('access keys: add a sub-user (its secret shown once), sign in as it, see AccessDenied spelled out, remove it', async () => {
  await page.getByRole('link', { name: 'Access keys' }).click();
  await page.getByRole('heading', { name: /Root account/ }).waitFor();
  await page.getByRole('button', { name: 'Add sub-user' }).click();
  await page.getByLabel('Sub-user uin').fill('100000000042');
  await page.getByRole('button', { name: 'Add with a key' }).click();
  const secret = page.locator('dialog .secret');
  const secretId = await secret.locator('input.secret-id').inputValue();
  const secretKey = await secret.locator('input.secret-key').inputValue();
  assert.match(secretId, /^AKID/);
  await secret.getByRole('button', { name: 'Done' }).click();
  await page.locator('section.account[data-uin="100000000042"]').getByText(secretId).waitFor();
  assert.equal(await page.getByText(secretKey).count(), 0, 'the secret is not shown again');

  const other = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  try {
    const sub = await other.newPage();
    await sub.goto(`${origin}/-/console/`);
    await sub.getByLabel('SecretId').fill(secretId);
    await sub.getByLabel('SecretKey').fill(secretKey);
    await sub.getByRole('button', { name: 'Sign in' }).click();
    await sub.locator('main .problem', { hasText: 'Access denied: the signed-in key may not do this.' }).waitFor();
    assert.equal(await sub.locator('a.nav-keys').getAttribute('aria-disabled'), 'true', 'access keys greyed out for a sub-user');
    await sub.getByLabel('Bucket name').fill(Bucket);
    await sub.getByRole('button', { name: 'Open bucket' }).click();
    await sub.locator('#toasts .toast.error', { hasText: 'Access denied' }).first().waitFor();
  } finally {
    await other.close();
  }

  const account = page.locator('section.account[data-uin="100000000042"]');
  await account.getByRole('button', { name: 'Remove sub-user' }).click();
  await page.locator('dialog').getByLabel('Type 100000000042 to confirm').fill('100000000042');
  await page.locator('dialog').getByRole('button', { name: 'Remove sub-user' }).click();
  await toastSays('Sub-user 100000000042 removed.');
  assert.equal(await h.server.services.meta.getAccount('100000000042'), undefined);
});

test('sign in with a temporary key: its bucket works, the admin pages are greyed out', async () => {
  const temporary = await temporaryCredentials(h, Bucket);
  const other = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  try {
    const tmp = await other.newPage();
    await tmp.goto(`${origin}/-/console/`);
    await tmp.getByLabel('SecretId').fill(temporary.TmpSecretId);
    await tmp.getByLabel('SecretKey').fill(temporary.TmpSecretKey);
    await tmp.getByLabel('Session token (temporary keys only)').fill(temporary.SecurityToken);
    await tmp.getByRole('button', { name: 'Sign in' }).click();
    await tmp.locator('header.top').waitFor();
    assert.equal(await tmp.locator('a.nav-keys').getAttribute('aria-disabled'), 'true');
    await tmp.goto(`${origin}/-/console/#/b/${Bucket}/photos%2F`);
    await tmp.locator('tr[data-key="photos/b.txt"]').waitFor();
    await tmp.locator('input[data-role="upload-files"]').setInputFiles({ name: 'from-temporary.txt', mimeType: 'text/plain', buffer: Buffer.from('temporary') });
    await tmp.locator('li.upload.done[data-key="photos/from-temporary.txt"]').waitFor({ state: 'attached' });
    const stored = await h.cos.getObject({ Bucket, Region: REGION, Key: 'photos/from-temporary.txt' });
    assert.equal(stored.Body.toString(), 'temporary');
  } finally {
    await other.close();
  }
});

test('at phone width (390 px) the views still fit', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [hash, name] of [[`#/b/${Bucket}/photos%2F`, 'objects-390'], ['#/', 'buckets-390'], [`#/s/${Bucket}/cors`, 'settings-390']] as const) {
    await page.goto(`${origin}/-/console/${hash}`);
    await page.locator('main h1, main nav.crumbs').first().waitFor();
    await page.waitForLoadState('networkidle');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than the screen`);
    await shot(name);
  }
  await page.goto(`${origin}/-/console/#/b/${Bucket}/photos%2F`);
  await page.locator('tr[data-key="photos/a.png"] button.object').click();
  await page.locator('dialog img.preview').waitFor();
  const dialogWidth = await page.locator('dialog').evaluate((d) => d.getBoundingClientRect().width);
  assert.ok(dialogWidth <= 390, `the dialog fits: ${dialogWidth}px`);
  await shot('details-390');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1280, height: 860 });
});

test('delete everything: the objects, then the bucket (named to confirm), then sign out', async () => {
  await page.goto(`${origin}/-/console/#/b/${Bucket}/`);
  await page.locator('tr[data-key="big.bin"]').waitFor();
  await page.getByLabel('Select all').check();
  await page.getByRole('button', { name: /Delete selected/ }).click();
  await page.locator('dialog').getByRole('button', { name: 'Delete' }).click();
  await toastSays(/Deleted \d+ objects/);

  await page.goto(`${origin}/-/console/#/`);
  await page.locator('tr', { hasText: Bucket }).getByRole('button', { name: 'Delete' }).click();
  const confirm = page.locator('dialog');
  const button = confirm.getByRole('button', { name: 'Delete bucket' });
  assert.equal(await button.isDisabled(), true);
  await confirm.getByLabel(`Type ${Bucket} to confirm`).fill(Bucket);
  await button.click();
  await toastSays(`Bucket ${Bucket} deleted.`);
  await assert.rejects(h.cos.headBucket({ Bucket, Region: REGION }), (e: { statusCode?: number }) => e.statusCode === 404);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('cosbox.console.credentials')), null);
  assert.deepEqual(pageErrors, []);
});
