/**
 * Headless Debian Chromium driven by playwright-core (which never downloads a browser of its own),
 * installed by scripts/ensure-chromium.sh when the machine has none yet.
 */
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import type COS from 'cos-nodejs-sdk-v5';
import { REGION } from '../harness.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Installs Debian's chromium package unless it is there already (may take minutes on a fresh machine). */
export function ensureChromium(): void {
  execFileSync('sh', [new URL('../../../scripts/ensure-chromium.sh', import.meta.url).pathname], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
}

/** `extraArgs` are added to the Chromium flags (the HTTPS test's trusted certificate). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    // The machine's network is loopback only: no background connections, no QUIC, no sandbox as root.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/** Rejects when `promise` has not settled after `ms` (page.evaluate itself waits forever). */
export function within<T>(ms: number, label: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Calls one of the page's `window.cosboxPage` functions (test/e2e/browser/page.js) with `arg`. */
export function inPage<T>(page: Page, name: string, arg: unknown, ms = 60_000): Promise<T> {
  type PageApi = { cosboxPage: Record<string, (a: unknown) => Promise<T>> };
  return within(ms, `page ${name}`, page.evaluate(([n, a]) => (globalThis as unknown as PageApi).cosboxPage[n as string](a), [name, arg] as const));
}

export interface SentRequest {
  method: string;
  url: string;
  /** A CORS preflight: OPTIONS with Access-Control-Request-Method, sent by Chromium itself. */
  preflight: boolean;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** The status of the response, or undefined when none was readable (refused or failed). */
  status?: number;
  failed?: string;
}

/**
 * Every request the page sends, CORS preflights included: Playwright's own request events leave
 * preflights out, the DevTools protocol's Network domain reports them.
 */
export async function recordRequests(page: Page): Promise<{ requests: SentRequest[]; session: CDPSession }> {
  const session = await page.context().newCDPSession(page);
  const requests: SentRequest[] = [];
  const byId = new Map<string, SentRequest>();
  /** Headers as sent on the wire (Origin among them), which may be reported before or after the request. */
  const wireHeaders = new Map<string, Record<string, string>>();
  const lowerCased = (headers: Record<string, unknown>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  session.on('Network.requestWillBeSent', (e) => {
    const headers = { ...lowerCased(e.request.headers), ...wireHeaders.get(e.requestId) };
    const preflight = e.request.method === 'OPTIONS' && 'access-control-request-method' in headers;
    const r: SentRequest = { method: e.request.method, url: e.request.url, preflight, headers };
    byId.set(e.requestId, r);
    requests.push(r);
  });
  session.on('Network.requestWillBeSentExtraInfo', (e) => {
    const headers = lowerCased(e.headers);
    wireHeaders.set(e.requestId, headers);
    const r = byId.get(e.requestId);
    if (r) Object.assign(r.headers, headers);
  });
  session.on('Network.responseReceived', (e) => {
    const r = byId.get(e.requestId);
    if (r) r.status = e.response.status;
  });
  session.on('Network.loadingFailed', (e) => {
    const r = byId.get(e.requestId);
    if (r) r.failed = e.errorText + (e.corsErrorStatus ? ` (${e.corsErrorStatus.corsError})` : '');
  });
  await session.send('Network.enable');
  return { requests, session };
}

/**
 * Waits (up to `ms`) until every recorded request has its outcome, a status or a failure: the
 * DevTools events may come a little after the page has seen the result.
 */
export async function outcomes(requests: SentRequest[], ms = 5_000): Promise<SentRequest[]> {
  const deadline = Date.now() + ms;
  while (requests.some((r) => r.status === undefined && r.failed === undefined) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return requests;
}

/** Lets pages from `origin` use the bucket through CORS, with the headers SDKs read exposed. */
export async function allowOrigin(cos: COS, Bucket: string, origin: string): Promise<void> {
  await cos.putBucketCors({
    Bucket,
    Region: REGION,
    CORSRules: [
      {
        AllowedOrigin: [origin],
        AllowedMethod: ['GET', 'PUT', 'POST', 'HEAD', 'DELETE'],
        AllowedHeader: ['*'],
        ExposeHeader: ['ETag', 'Content-Length', 'x-cos-request-id', 'x-cos-hash-crc64ecma'],
        MaxAgeSeconds: 600,
      },
    ],
  });
}
