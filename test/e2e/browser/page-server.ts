/**
 * The test page's own server, the part of a web app that a browser page talks to besides COS: it
 * serves the page, the official cos-js-sdk-v5 bundle from node_modules, temporary keys at
 * /credentials (got from cosbox's POST /sts with the root key, which never reaches the browser),
 * and an HTML upload form signed for cosbox's POST Object, whose redirect comes back to /done.
 *
 * It listens on two ports of 127.0.0.1, two origins with the same pages: CORS rules name the first
 * one only.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { postPolicySignature } from '@cosbox/protocol';
import { nodeCrypto } from '../../../packages/server/src/auth/node-crypto.js';
import { APPID, REGION, SECRET_ID, SECRET_KEY, type Harness } from '../harness.js';
import { nowSeconds, send } from '../raw.js';

const sdkBundle = join(dirname(createRequire(import.meta.url).resolve('cos-js-sdk-v5')), 'cos-js-sdk-v5.js');
const pageScript = new URL('./page.js', import.meta.url);

export interface TemporaryCredentials {
  TmpSecretId: string;
  TmpSecretKey: string;
  SecurityToken: string;
  StartTime: number;
  ExpiredTime: number;
}

export interface PageServer {
  /** The origin the bucket's CORS rules allow, `http://127.0.0.1:<port>`. */
  allowedOrigin: string;
  /** Another origin serving the same pages, which the rules do not name. */
  otherOrigin: string;
  /** The virtual-hosted endpoint the browser SDK and the form use, `{Bucket}.cos.{Region}.localhost:<port>`. */
  domain: string;
  /** Temporary keys handed out at /credentials so far. */
  issued: TemporaryCredentials[];
  close(): Promise<void>;
}

/** Temporary keys from cosbox's POST /sts, signed with the root key, scoped to one bucket. */
export async function temporaryCredentials(h: Harness, bucket: string): Promise<TemporaryCredentials> {
  const body = JSON.stringify({
    DurationSeconds: 1800,
    Policy: {
      version: '2.0',
      statement: [{ effect: 'allow', action: ['name/cos:*'], resource: [`qcs::cos:${REGION}:uid/${APPID}:${bucket}/*`] }],
    },
  });
  const res = await send(h, { method: 'POST', path: '/sts', headers: { 'content-type': 'application/json' }, body });
  if (res.status !== 200) throw new Error(`POST /sts answered ${res.status}: ${res.text}`);
  const sts = JSON.parse(res.text) as { Credentials: { TmpSecretId: string; TmpSecretKey: string; Token: string }; StartTime: number; ExpiredTime: number };
  const { TmpSecretId, TmpSecretKey, Token } = sts.Credentials;
  return { TmpSecretId, TmpSecretKey, SecurityToken: Token, StartTime: sts.StartTime, ExpiredTime: sts.ExpiredTime };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function indexPage(config: { Bucket: string; Region: string; Domain: string }): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>cosbox browser test</title></head>
<body>
<script>window.COSBOX = ${JSON.stringify(config)};</script>
<script src="/cos-js-sdk-v5.js"></script>
<script src="/page.js"></script>
</body></html>`;
}

/** A real HTML form for POST Object: a policy limited to `forms/` keys, signed with the root key. */
function formPage(bucket: string, cosboxPort: number, redirect: string): string {
  const policy = JSON.stringify({
    expiration: new Date(Date.now() + 600_000).toISOString(),
    conditions: [{ bucket }, ['starts-with', '$key', 'forms/'], ['content-length-range', 1, 1024 * 1024]],
  });
  const keyTime = `${nowSeconds() - 60};${nowSeconds() + 600}`;
  const fields: Record<string, string> = {
    key: 'forms/${filename}',
    success_action_redirect: redirect,
    policy: Buffer.from(policy).toString('base64'),
    'q-sign-algorithm': 'sha1',
    'q-ak': SECRET_ID,
    'q-key-time': keyTime,
    'q-signature': postPolicySignature(nodeCrypto, SECRET_KEY, keyTime, policy),
  };
  const hidden = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>upload form</title></head>
<body>
<form method="post" enctype="multipart/form-data" action="http://${bucket}.cos.${REGION}.localhost:${cosboxPort}/">
${hidden.join('\n')}
<input type="file" name="file">
<button type="submit">Upload</button>
</form>
</body></html>`;
}

/** The redirect target of the form: shows the query cosbox added, as JSON. */
function donePage(url: URL): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>uploaded</title></head>
<body><pre id="result">${escapeHtml(JSON.stringify(Object.fromEntries(url.searchParams)))}</pre></body></html>`;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startPageServer(h: Harness, bucket: string): Promise<PageServer> {
  const issued: TemporaryCredentials[] = [];
  const domain = `{Bucket}.cos.{Region}.localhost:${h.port}`;
  let allowedOrigin = '';

  const reply = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://page');
    switch (url.pathname) {
      case '/':
        return reply(res, 200, 'text/html; charset=utf-8', indexPage({ Bucket: bucket, Region: REGION, Domain: domain }));
      case '/cos-js-sdk-v5.js':
        return reply(res, 200, 'text/javascript', await readFile(sdkBundle));
      case '/page.js':
        return reply(res, 200, 'text/javascript', await readFile(pageScript));
      case '/credentials': {
        const credentials = await temporaryCredentials(h, bucket);
        issued.push(credentials);
        return reply(res, 200, 'application/json', JSON.stringify(credentials));
      }
      case '/form':
        return reply(res, 200, 'text/html; charset=utf-8', formPage(bucket, h.port, `${allowedOrigin}/done`));
      case '/done':
        return reply(res, 200, 'text/html; charset=utf-8', donePage(url));
      default:
        return reply(res, 404, 'text/plain', 'not found');
    }
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: Error) => reply(res, 502, 'text/plain', err.message));
  };

  const servers = [createServer(onRequest), createServer(onRequest)];
  const [allowedPort, otherPort] = await Promise.all(servers.map(listen));
  allowedOrigin = `http://127.0.0.1:${allowedPort}`;
  return {
    allowedOrigin,
    otherOrigin: `http://127.0.0.1:${otherPort}`,
    domain,
    issued,
    async close() {
      await Promise.all(
        servers.map((s) => new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        })),
      );
    },
  };
}
