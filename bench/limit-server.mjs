// @ts-check
/**
 * The "limit" reference server: the least a durable object store must do, so that cosbox's figures
 * can be read as a fraction of what node:http and the disk allow on this machine.
 *
 *   PUT  stream the body to a temp file while computing its MD5, fsync, rename into place; 200 + ETag.
 *   GET  stream the file back (404 if missing).
 *   anything else: 400.
 *
 * No auth, no metadata, no listing. File name = SHA-256 of the request path, so no path ever
 * reaches the file system. Plain .mjs (type-checked by bench/tsconfig.json) so that it runs without
 * a TypeScript loader and its RSS and CPU are its own.
 *
 * GET reads in 1 MiB chunks: 64 KiB (the stream default) cost a third more CPU per GiB, which
 * would make this ceiling lower than what Node allows.
 *
 * Usage: node bench/limit-server.mjs --port N --data DIR [--workers N]   (prints "limit ready http://127.0.0.1:PORT")
 * With --workers N, N processes share the port (node:cluster), as `cosbox serve --workers N` does.
 */
import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, data: { type: 'string' }, workers: { type: 'string', default: '1' } } });
if (!values.data) throw new Error('--data DIR is required');
const workers = Number(values.workers);
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  let listening = 0;
  cluster.on('listening', (_worker, address) => {
    if (++listening === workers) console.log(`limit ready http://127.0.0.1:${address.port}`);
  });
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
}
const objectsDir = join(values.data, 'objects');
const tmpDir = join(values.data, 'tmp');
if (workers <= 1 || cluster.isWorker) await serve();

async function serve() {
await mkdir(objectsDir, { recursive: true });
await mkdir(tmpDir, { recursive: true });

let tmpSeq = 0;

/** @param {string} url */
function fileOf(url) {
  const pathname = url.split('?', 1)[0] ?? '';
  return join(objectsDir, createHash('sha256').update(pathname).digest('hex'));
}

/** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
async function put(req, res) {
  const tmp = join(tmpDir, `${process.pid}.${tmpSeq++}`);
  const md5 = createHash('md5');
  await pipeline(
    req,
    async function* (/** @type {AsyncIterable<Buffer>} */ source) {
      for await (const chunk of source) {
        md5.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(tmp, { flush: true }), // flush: fsync before close, so the rename publishes durable bytes
  );
  await rename(tmp, fileOf(req.url ?? '/'));
  res.writeHead(200, { etag: `"${md5.digest('hex')}"`, 'content-length': 0 }).end();
}

/** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
async function get(req, res) {
  let fh;
  try {
    fh = await open(fileOf(req.url ?? '/'), 'r');
  } catch {
    res.writeHead(404, { 'content-length': 0 }).end();
    return;
  }
  const { size } = await fh.stat();
  res.writeHead(200, { 'content-length': size });
  await pipeline(fh.createReadStream({ highWaterMark: 1024 * 1024 }), res); // the read stream closes fh
}

const server = http.createServer({ keepAlive: true }, (req, res) => {
  const handler = req.method === 'PUT' ? put : req.method === 'GET' ? get : undefined;
  if (!handler) {
    req.resume();
    res.writeHead(400, { 'content-length': 0 }).end();
    return;
  }
  handler(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(500, { 'content-length': 0 }).end();
    else res.destroy();
  });
});
// Longer than any pause between benchmark phases, so idle keep-alive sockets are not torn down mid-run.
server.keepAliveTimeout = 65_000;

server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected server address');
  if (workers <= 1) console.log(`limit ready http://127.0.0.1:${address.port}`);
});

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
}
