// @ts-check
/**
 * Runs s3rver in its own process so that its RSS and CPU are measured apart from the load generator.
 * Unsigned path-style requests are accepted by s3rver (no Authorization header means anonymous).
 *
 * Usage: node bench/s3rver-child.mjs --port 0 --data DIR   (prints "s3rver ready http://127.0.0.1:PORT")
 */
import S3rver from 's3rver';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, data: { type: 'string' } } });
if (!values.data) throw new Error('--data DIR is required');

const s3rver = new S3rver({
  port: Number(values.port),
  address: '127.0.0.1',
  directory: values.data,
  silent: true,
  configureBuckets: [{ name: 'bench' }, { name: 'list' }],
});
const { port } = await s3rver.run();
console.log(`s3rver ready http://127.0.0.1:${port}`);

process.on('SIGTERM', () => {
  s3rver.close(() => process.exit(0));
});
