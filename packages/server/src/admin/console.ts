/**
 * The web console's static files (packages/console/dist, built by `npm install` / `npm test`),
 * served at `/-/console/` on the service host. Files are read from a fixed list made at start-up:
 * no request path ever reaches the file system, so `..`, encoded slashes and NUL bytes find nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CosError } from '@cosbox/protocol';
import type { ResponseSpec } from '../http/context.js';

export const CONSOLE_PREFIX = '/-/console/';

/** Where the build puts the console: packages/console/dist, beside this package (src/ and dist/ alike). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * The page may load only its own scripts and styles and talk only to its own origin; media and
 * previews come from the same origin or from blob: URLs the page makes.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "connect-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  type: string;
}

export class ConsoleAssets {
  private constructor(private readonly files: Map<string, Asset>) {}

  /** Loads every file of the built console; none when it was not built (the page then says how to build it). */
  static async load(dir: string): Promise<ConsoleAssets> {
    const files = new Map<string, Asset>();
    let names: string[] = [];
    try {
      names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const name of names) {
      const type = TYPES[extname(name)];
      if (type) files.set(name.split(sep).join('/'), { body: await readFile(join(dir, name)), type });
    }
    return new ConsoleAssets(files);
  }

  /** Answers GET or HEAD of `/-/console/<file>`; `/-/console` and `/-/console/` are the app's page. */
  serve(method: string, pathname: string): ResponseSpec {
    if (pathname === '/-/console') return { status: 301, headers: { Location: CONSOLE_PREFIX } };
    if (method !== 'GET' && method !== 'HEAD') throw new CosError('MethodNotAllowed');
    const name = pathname.slice(CONSOLE_PREFIX.length) || 'index.html';
    const asset = this.files.get(name);
    if (!asset) {
      if (name === 'index.html') return notBuilt();
      throw new CosError('NoSuchKey', `The console has no file ${JSON.stringify(name.slice(0, 200))}.`);
    }
    return {
      status: 200,
      headers: {
        'Content-Type': asset.type,
        // The page itself is small and must follow upgrades; its assets are revalidated too (no hashes in names).
        'Cache-Control': 'no-cache',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'X-Frame-Options': 'DENY',
      },
      body: asset.body,
    };
  }
}

function notBuilt(): ResponseSpec {
  return {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' },
    body: 'The cosbox console is not built: run `npm install` (or `npm run build`) in the cosbox checkout.\n',
  };
}
