/** What every view shares: the signed-in session, the SDK client, the regions of the buckets. */
import type COS from '@cosbox/sdk';
import type { Credentials } from './session.js';

export interface App {
  credentials: Credentials;
  cos: COS;
  /** Bucket name -> region, from the last bucket list. */
  regions: Map<string, string>;
  /** Whether the key may use the admin API (a root account's permanent key). */
  isRoot: boolean;
  /** The appid of the account, when known (admin API, or the buckets' names). */
  appid?: string;
  /** The region new buckets get by default. */
  defaultRegion: string;
  /** Re-renders the current route. */
  refresh(): void;
}

export function regionOf(app: App, bucket: string): string {
  return app.regions.get(bucket) ?? app.defaultRegion;
}

export function go(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** `#/b/<bucket>/<prefix>`: the parts of a route, decoded. */
export function parseRoute(hash: string): { view: string; bucket?: string; rest?: string } {
  const path = hash.replace(/^#\/?/, '');
  const [view = '', bucket, ...rest] = path.split('/');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return { view, bucket: bucket === undefined ? undefined : decode(bucket), rest: rest.length ? decode(rest.join('/')) : undefined };
}

export function bucketHash(bucket: string, prefix = ''): string {
  return `#/b/${encodeURIComponent(bucket)}/${encodeURIComponent(prefix)}`;
}
