/**
 * Requests to `/-/...` on the service host: path style with `-` as the bucket, a name no bucket can
 * have. They are served here, outside the COS operations: the console's files and the admin API.
 */
import { CosError } from '@cosbox/protocol';
import type { Caller } from '../auth/authenticate.js';
import type { ResponseSpec } from '../http/context.js';
import type { Address } from '../routing/address.js';
import type { Services } from '../services.js';
import { CONSOLE_PREFIX, ConsoleAssets } from './console.js';
import { KEYS_PREFIX, serveKeys } from './keys.js';
import { HEALTH_PATH, READY_PATH, serveHealth, type Readiness } from './health.js';
import { METRICS_PATH, type Metrics } from './metrics.js';

export interface AdminRequest {
  method: string;
  /** The decoded path, `/-/...`. */
  pathname: string;
  caller: Caller;
  services: Services;
  now: number;
  header(name: string): string | undefined;
  readBody(limit: number): Promise<Buffer>;
}

export interface AdminOptions {
  /** The built console to serve at /-/console/, or none (`--no-console`). */
  console?: ConsoleAssets;
  /** `/-/metrics`, when the server keeps metrics. */
  metrics?: Metrics;
  /** `/-/ready`; without it the route answers like `/-/health`. */
  readiness?: Readiness;
}

/** Whether a request is for the admin routes rather than for a bucket. */
export function isAdminAddress(address: Address): boolean {
  return address.bucket === '-' && address.kind !== 'service' && address.pathname.startsWith('/-');
}

export class AdminRoutes {
  constructor(private readonly options: AdminOptions) {}

  /**
   * The routes that need no signature (health, readiness, metrics), answered before authentication
   * so that a probe or a scraper's `Authorization: Bearer` is not read as a COS signature; undefined
   * for every other path.
   */
  serveUnsigned(method: string, pathname: string, header: (name: string) => string | undefined): Promise<ResponseSpec> | ResponseSpec | undefined {
    if (pathname === HEALTH_PATH) return serveHealth(method);
    if (pathname === READY_PATH) return this.options.readiness ? this.options.readiness.serve(method) : serveHealth(method);
    if (pathname === METRICS_PATH && this.options.metrics) return this.options.metrics.serve(method, header);
    return undefined;
  }

  serve(req: AdminRequest): Promise<ResponseSpec> | ResponseSpec {
    if (req.pathname === '/-/console' || req.pathname.startsWith(CONSOLE_PREFIX)) {
      if (!this.options.console) throw new CosError('NoSuchKey', 'The console is switched off on this server (--no-console).');
      return this.options.console.serve(req.method, req.pathname);
    }
    if (req.pathname.startsWith(KEYS_PREFIX)) return serveKeys(req);
    throw new CosError('NoSuchKey', `cosbox has nothing at ${req.pathname.slice(0, 200)}.`);
  }
}
