/**
 * HTTPS in a browser (issue 12 item 1): headless Debian Chromium loads pages that cosbox serves over
 * HTTPS with a `cosbox cert` certificate, once told to trust that certificate (its SPKI hash, the
 * headless way to trust one certificate without a system store), and refuses them otherwise.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import COS from 'cos-nodejs-sdk-v5';
import type { Browser } from 'playwright-core';
import { makeCertificates } from '../../packages/cli/src/cert.js';
import { ensureChromium, launchChromium } from './browser/chromium.js';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';

let dir: string;
let h: Harness;
let spki: string;
const browsers: Browser[] = [];

before(async () => {
  ensureChromium();
  dir = await mkdtemp(join(tmpdir(), 'cosbox-https-browser-'));
  const certs = await makeCertificates({ outDir: dir, regions: [REGION] });
  const der = createPublicKey(await readFile(certs.certPath, 'utf8')).export({ type: 'spki', format: 'der' });
  spki = createHash('sha256').update(der).digest('base64');
  h = await startHarness({ tlsCert: certs.certPath, tlsKey: certs.keyPath, httpPort: 0 });
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

test('Chromium trusting the certificate loads /-/health and a public object over HTTPS from cosbox', async () => {
  const port = Number(new URL(h.server.httpUrl!).port);
  const plain = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${port}` } as COS.COSOptions);
  const Bucket = bucketName('tlspage');
  await plain.putBucket({ Bucket, Region: REGION, ACL: 'public-read' });
  await plain.putObject({ Bucket, Region: REGION, Key: 'index.html', Body: '<title>cosbox over TLS</title><p id="x">served by cosbox</p>', ContentType: 'text/html' });

  const browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spki}`]);
  browsers.push(browser);
  const page = await browser.newPage();
  const health = await page.goto(`https://localhost:${h.port}/-/health`, { timeout: 30_000 });
  assert.equal(health?.status(), 200);
  assert.match((await health?.text()) ?? '', /"status":"ok"/);
  assert.equal((await health?.securityDetails())?.protocol?.startsWith('TLS'), true);

  // A virtual-hosted bucket: Chromium resolves *.localhost to the loopback itself.
  const object = await page.goto(`https://${Bucket}.cos.${REGION}.localhost:${h.port}/index.html`, { timeout: 30_000 });
  assert.equal(object?.status(), 200);
  assert.equal(await page.title(), 'cosbox over TLS');
  assert.equal(await page.textContent('#x'), 'served by cosbox');
  assert.equal(new URL(page.url()).protocol, 'https:');
});

test('Chromium without that trust refuses the certificate', async () => {
  const browser = await launchChromium();
  browsers.push(browser);
  const page = await browser.newPage();
  await assert.rejects(page.goto(`https://localhost:${h.port}/-/health`, { timeout: 30_000 }), /ERR_CERT_AUTHORITY_INVALID/);
});
