/**
 * HTTP proxies, as the official Node SDK's request library uses them: the `Proxy` option, else
 * HTTPS_PROXY / HTTP_PROXY (and lower-case) from the environment unless NO_PROXY names the host
 * (its lib/getProxyFromURI.js). A plain-http request goes to the proxy with the absolute URL as its
 * path; an https one through a CONNECT tunnel, TLS end to end with the bucket's host.
 */
import http from 'node:http';
import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';

export interface ProxyTarget {
  protocol: 'http:' | 'https:';
  hostname: string;
  port?: number;
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/** Whether NO_PROXY (comma-separated host suffixes, optionally :port; '*' for all) exempts the target. */
function exempt(target: ProxyTarget, noProxy: string): boolean {
  if (noProxy === '*') return true;
  const port = String(target.port ?? defaultPort(target.protocol));
  const host = '.' + target.hostname.replace(/^\.*/, '').toLowerCase();
  return noProxy.split(',').some((zone) => {
    const [zoneHost, zonePort] = zone.trim().toLowerCase().split(':', 2);
    if (!zoneHost) return false;
    const suffix = '.' + zoneHost.replace(/^\.*/, '');
    return host.endsWith(suffix) && (zonePort === undefined || zonePort === port);
  });
}

/** The proxy URL for a request, or undefined to go direct. */
export function proxyFor(target: ProxyTarget, option: string, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  let proxy = option;
  if (!proxy) {
    if (exempt(target, env.NO_PROXY || env.no_proxy || '')) return undefined;
    proxy =
      (target.protocol === 'https:' ? env.HTTPS_PROXY || env.https_proxy : undefined) || env.HTTP_PROXY || env.http_proxy || '';
  }
  if (!proxy) return undefined;
  return new URL(/^[a-z]+:\/\//i.test(proxy) ? proxy : `http://${proxy}`);
}

/** `Proxy-Authorization` for a proxy URL with user:password. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username) return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return 'Basic ' + Buffer.from(credentials).toString('base64');
}

/**
 * A createConnection for https.request that opens a CONNECT tunnel through the proxy and speaks TLS
 * inside it (Node calls it with a callback and waits).
 */
export function tunnelConnection(proxy: URL, target: ProxyTarget, tlsOptions: tls.ConnectionOptions) {
  return (_options: unknown, done: (err: Error | null, socket?: Socket) => void): undefined => {
    const authority = `${target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname}:${target.port ?? 443}`;
    const auth = proxyAuthorization(proxy);
    const connect = http.request({
      hostname: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || defaultPort(proxy.protocol),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(auth ? { 'proxy-authorization': auth } : {}) },
    });
    connect.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        done(Object.assign(new Error(`Proxy CONNECT answered ${res.statusCode}`), { code: 'ECONNREFUSED', statusCode: res.statusCode }));
        return;
      }
      // SNI names a host, never an address.
      const servername = isIP(target.hostname) ? undefined : target.hostname;
      const secure = tls.connect({ ...tlsOptions, socket, ...(servername ? { servername } : {}) });
      secure.once('secureConnect', () => done(null, secure));
      secure.once('error', (e) => done(e));
    });
    connect.once('error', (e) => done(e));
    connect.end();
    return undefined;
  };
}
