/**
 * The fuzzed server's process: startServer on port 0 in the data directory FUZZ_DATA_DIR with the
 * root credentials FUZZ_CREDENTIALS (JSON), printing `listening <port>` once it accepts. A crash
 * (an uncaught exception, an unhandled rejection) ends this process, which is how the suite tells
 * a crash from a refusal. Internal errors are logged (pino JSON on stdout) so that a failing case
 * can name their cause.
 */
import { startServer } from '@cosbox/server';

const dataDir = process.env.FUZZ_DATA_DIR;
const credentials = process.env.FUZZ_CREDENTIALS;
if (!dataDir || !credentials) throw new Error('FUZZ_DATA_DIR and FUZZ_CREDENTIALS are required');
const server = await startServer({ dataDir, port: 0, credentials: JSON.parse(credentials), logLevel: 'error' });
process.stdout.write(`listening ${server.port}\n`);
// The suite holds our stdin open; when it goes away, however it ended, so do we.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
