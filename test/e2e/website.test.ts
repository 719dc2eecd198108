/**
 * Static websites (issue 16 item 2): the configuration through the official SDK with COS's errors,
 * and the website endpoint on `<bucket>.cos-website.<region>.<domain>` and `/-/website/<bucket>/`:
 * index documents, the error document with its status, routing-rule redirects, AutoAddressing,
 * RedirectAllRequestsTo, private objects 403.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, md5Base64, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
const Bucket = bucketName('site');
const websiteHost = (bucket = Bucket) => `${bucket}.cos-website.${REGION}.myqcloud.com`;
const visit = (path: string, method = 'GET') => send(h, { method, path, host: websiteHost(), sign: false });

before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
  const put = (Key: string, Body: string, ACL = 'public-read') => h.cos.putObject({ Bucket, Region: REGION, Key, Body, ACL, ContentType: 'text/html' } as COS.PutObjectParams);
  await put('index.html', '<h1>home</h1>');
  await put('docs/index.html', '<h1>docs</h1>');
  await put('about.html', '<h1>about</h1>');
  await put('404.html', '<h1>not found</h1>');
  await put('secret.html', 'secret', 'private');
});
after(() => h.close());

const config: COS.WebsiteConfiguration = {
  IndexDocument: { Suffix: 'index.html' },
  ErrorDocument: { Key: '404.html' },
  RoutingRules: [
    { Condition: { KeyPrefixEquals: 'old/' }, Redirect: { Protocol: 'https', ReplaceKeyPrefixWith: 'docs/', HttpRedirectCode: '302' } },
    { Condition: { HttpErrorCodeReturnedEquals: '404', KeyPrefixEquals: 'gone/' }, Redirect: { ReplaceKeyWith: 'index.html' } },
  ],
} as unknown as COS.WebsiteConfiguration;

test('PUT/GET/DELETE Bucket website through the SDK; NoSuchWebsiteConfiguration when none', async () => {
  const raw = await sendToBucket(h, Bucket, { path: '/?website' });
  assertCosError(raw, 404, 'NoSuchWebsiteConfiguration');
  await h.cos.putBucketWebsite({ Bucket, Region: REGION, WebsiteConfiguration: config });
  const got = await h.cos.getBucketWebsite({ Bucket, Region: REGION });
  const wc = got.WebsiteConfiguration as unknown as Record<string, any>;
  assert.equal(wc.IndexDocument.Suffix, 'index.html');
  assert.equal(wc.ErrorDocument.Key, '404.html');
  assert.equal(wc.RoutingRules.length, 2);
  assert.equal(wc.RoutingRules[0].Redirect.ReplaceKeyPrefixWith, 'docs/');
  assert.equal(wc.RoutingRules[1].Condition.HttpErrorCodeReturnedEquals, '404');
  await h.cos.deleteBucketWebsite({ Bucket, Region: REGION });
  assertCosError(await visit('/'), 404, 'NoSuchWebsiteConfiguration');
  assertCosError(await sendToBucket(h, Bucket, { path: '/?website' }), 404, 'NoSuchWebsiteConfiguration');
});

test('bad website configurations: MalformedXML and InvalidArgument', async () => {
  const put = (body: string) => sendToBucket(h, Bucket, { method: 'PUT', path: '/?website', headers: { 'content-md5': md5Base64(body) }, body });
  const wrap = (inner: string) => `<WebsiteConfiguration>${inner}</WebsiteConfiguration>`;
  assertCosError(await put('<WebsiteConfiguration><IndexDocument>'), 400, 'MalformedXML');
  assertCosError(await put('<Other/>'), 400, 'MalformedXML');
  assertCosError(await put(wrap('')), 400, 'MalformedXML');
  assertCosError(await put(wrap('<IndexDocument><Suffix>a/b.html</Suffix></IndexDocument>')), 400, 'InvalidArgument');
  assertCosError(await put(wrap('<IndexDocument><Suffix>i.html</Suffix></IndexDocument><RedirectAllRequestsTo><Protocol>ftp</Protocol></RedirectAllRequestsTo>')), 400, 'InvalidArgument');
  const rule = (c: string, r: string) => wrap(`<IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition>${c}</Condition><Redirect>${r}</Redirect></RoutingRule></RoutingRules>`);
  assertCosError(await put(rule('<HttpErrorCodeReturnedEquals>200</HttpErrorCodeReturnedEquals>', '<ReplaceKeyWith>x</ReplaceKeyWith>')), 400, 'InvalidArgument');
  assertCosError(await put(rule('<KeyPrefixEquals>a</KeyPrefixEquals>', '<HttpRedirectCode>200</HttpRedirectCode>')), 400, 'InvalidArgument');
  assertCosError(await put(rule('<KeyPrefixEquals>a</KeyPrefixEquals>', '<ReplaceKeyWith>x</ReplaceKeyWith><ReplaceKeyPrefixWith>y</ReplaceKeyPrefixWith>')), 400, 'InvalidArgument');
  assertCosError(await put(rule('', '<ReplaceKeyWith>x</ReplaceKeyWith>')), 400, 'InvalidArgument');
  const big = wrap(`<IndexDocument><Suffix>${'a'.repeat(70 * 1024)}</Suffix></IndexDocument>`);
  assert.equal((await put(big)).status, 400);
  assertCosError(await sendToBucket(h, Bucket, { path: '/?website' }), 404, 'NoSuchWebsiteConfiguration');
});

test('the website serves index documents, the error document with 404, redirects and 403 for private objects', async () => {
  await h.cos.putBucketWebsite({ Bucket, Region: REGION, WebsiteConfiguration: config });
  const home = await visit('/');
  assert.equal(home.status, 200);
  assert.equal(home.text, '<h1>home</h1>');
  assert.equal(home.headers['content-type'], 'text/html');
  assert.equal((await visit('/docs/')).text, '<h1>docs</h1>');
  const folder = await visit('/docs');
  assert.equal(folder.status, 302);
  assert.equal(folder.headers.location, '/docs/');
  const missing = await visit('/nothing-here.html');
  assert.equal(missing.status, 404);
  assert.equal(missing.text, '<h1>not found</h1>');
  const head = await visit('/about.html', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String('<h1>about</h1>'.length));
  const moved = await visit('/old/page.html');
  assert.equal(moved.status, 302);
  assert.equal(moved.headers.location, `https://${websiteHost()}/docs/page.html`);
  const gone = await visit('/gone/x.html');
  assert.equal(gone.status, 301);
  assert.equal(gone.headers.location, `http://${websiteHost()}/index.html`);
  const secret = await visit('/secret.html');
  assert.equal(secret.status, 403);
  assert.equal(secret.text, '<h1>not found</h1>', 'the error document answers 403 too');
  assertCosError(await send(h, { method: 'PUT', path: '/x.html', host: websiteHost(), sign: false, body: 'x' }), 405, 'MethodNotAllowed');
  // The loopback path form reaches the same website.
  const viaPath = await send(h, { path: `/-/website/${Bucket}/docs/`, sign: false });
  assert.equal(viaPath.status, 200);
  assert.equal(viaPath.text, '<h1>docs</h1>');
  const folderViaPath = await send(h, { path: `/-/website/${Bucket}/docs`, sign: false });
  assert.equal(folderViaPath.status, 302);
  assert.equal(folderViaPath.headers.location, `/-/website/${Bucket}/docs/`);
  const movedViaPath = await send(h, { path: `/-/website/${Bucket}/old/a%20b.html`, sign: false });
  assert.equal(movedViaPath.headers.location, `https://127.0.0.1:${h.port}/-/website/${Bucket}/docs/a%20b.html`);
  // The REST endpoint is unchanged: no index documents there.
  assertCosError(await send(h, { path: '/docs/', host: `${Bucket}.cos.${REGION}.myqcloud.com`, sign: false }), 403, 'AccessDenied');
});

test('AutoAddressing, OriginalHttpStatus Disabled and RedirectAllRequestsTo', async () => {
  await h.cos.putBucketWebsite({
    Bucket,
    Region: REGION,
    WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: '404.html', OriginalHttpStatus: 'Disabled' }, AutoAddressing: { Status: 'Enabled' } },
  } as unknown as COS.PutBucketWebsiteParams);
  assert.equal((await visit('/about')).text, '<h1>about</h1>');
  const missing = await visit('/nope');
  assert.equal(missing.status, 200);
  assert.equal(missing.text, '<h1>not found</h1>');
  await h.cos.putBucketWebsite({ Bucket, Region: REGION, WebsiteConfiguration: { RedirectAllRequestsTo: { Protocol: 'https' } } } as unknown as COS.PutBucketWebsiteParams);
  const all = await visit('/about.html');
  assert.equal(all.status, 301);
  assert.equal(all.headers.location, `https://${websiteHost()}/about.html`);
  await h.cos.deleteBucketWebsite({ Bucket, Region: REGION });
});

test('others may not configure a website', async () => {
  const anonymous = await send(h, { method: 'PUT', path: '/?website', host: `${Bucket}.cos.${REGION}.myqcloud.com`, sign: false, body: '<WebsiteConfiguration/>' });
  assertCosError(anonymous, 403, 'AccessDenied');
  await sdkRejects(h.client({ SecretId: 'AKIDnobody', SecretKey: 'x' }).getBucketWebsite({ Bucket, Region: REGION }), 403);
});
