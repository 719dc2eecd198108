/**
 * The signed-in key and the clients made with it. The key lives in this tab's sessionStorage only:
 * never in a URL, a cookie or localStorage, never logged; signing out removes it.
 */
import { md5 } from '@cosbox/protocol';
import COS from '@cosbox/sdk';

export interface Credentials {
  secretId: string;
  secretKey: string;
  /** The session token of a temporary key. */
  securityToken?: string;
}

const STORAGE_KEY = 'cosbox.console.credentials';

export function storedCredentials(): Credentials | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Credentials | null;
    return value && typeof value.secretId === 'string' && typeof value.secretKey === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function storeCredentials(c: Credentials): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(c));
}

export function forgetCredentials(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * The SDK, talking path-style to this page's own origin (`/<bucket>/<key>`): no CORS, no other host.
 * Bucket requests go to `<origin>/<bucket>`, GET Service to `<origin>/`.
 */
export function newClient(c: Credentials): COS {
  return new COS({
    SecretId: c.secretId,
    SecretKey: c.secretKey,
    SecurityToken: c.securityToken || '',
    Protocol: location.protocol as 'http:' | 'https:',
    Domain: `${location.host}/{Bucket}`,
    ServiceDomain: location.host,
    ProgressInterval: 200,
    SliceSize: 8 * 1024 * 1024,
    ChunkSize: 5 * 1024 * 1024,
    ChunkRetryTimes: 1,
    FileParallelLimit: 3,
  });
}

/** An error from a raw request, shaped like the SDK's (code, message, statusCode). */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

/**
 * A signed request with fetch, for what the SDK methods do not expose as such: bucket settings as
 * raw XML and the admin API. `path` is the request path (`/<bucket>/` or `/-/admin/keys`).
 */
export async function signedFetch(c: Credentials, method: string, path: string, options: { query?: Record<string, string>; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const query = options.query ?? {};
  const headers: Record<string, string> = { ...options.headers };
  if (c.securityToken) headers['x-cos-security-token'] = c.securityToken;
  // COS requires Content-MD5 on configuration bodies (CORS, lifecycle, tagging...): always sent.
  if (options.body !== undefined) headers['Content-MD5'] = btoa(String.fromCharCode(...md5(options.body)));
  const authorization = COS.getAuthorization({ SecretId: c.secretId, SecretKey: c.secretKey, Method: method, Pathname: path, Query: query, Headers: headers, Expires: 300 });
  const search = new URLSearchParams(query).toString().replace(/=(?=&|$)/g, '');
  const url = path.split('/').map(encodeURIComponent).join('/') + (search ? `?${search}` : '');
  const res = await fetch(url, { method, headers: { ...headers, Authorization: authorization }, body: options.body, cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw await errorOf(res);
  return res;
}

async function errorOf(res: Response): Promise<RequestError> {
  const text = await res.text().catch(() => '');
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  const code = doc.querySelector('Error > Code')?.textContent ?? `HTTP ${res.status}`;
  const message = doc.querySelector('Error > Message')?.textContent ?? (text.slice(0, 200) || res.statusText);
  return new RequestError(code, message, res.status);
}
