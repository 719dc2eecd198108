/**
 * A private PostgreSQL cluster for tests: initdb in a temporary directory, pg_ctl start on a free
 * loopback port (and a Unix socket in the same directory), one database, stopped and removed by
 * stop(). Debian's binaries (/usr/lib/postgresql/<ver>/bin) are installed by
 * scripts/ensure-postgres.sh when missing. PostgreSQL refuses to run as root, which CI is: as root
 * the cluster belongs to the `postgres` user and every binary runs through `runuser`.
 * fsync is off: a test cluster need not survive a power cut, and it starts and commits faster.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCluster {
  /** postgres://user@127.0.0.1:port/db */
  url: string;
  port: number;
  /** Stops the server and removes its directory. */
  stop(): void;
}

function binDir(): string {
  const base = '/usr/lib/postgresql';
  const find = () =>
    existsSync(base)
      ? readdirSync(base)
          .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
          .sort((a, b) => Number(b) - Number(a))
      : [];
  if (find().length === 0) {
    const script = new URL('../../../../../../scripts/ensure-postgres.sh', import.meta.url).pathname;
    execFileSync('sh', [script], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
  }
  const versions = find();
  if (versions.length === 0) throw new Error('PostgreSQL is not installed (scripts/ensure-postgres.sh)');
  return join(base, versions[0], 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `durable`: fsync on, as in production (the benchmark); tests leave it off. */
export async function startTestCluster(database = 'cosbox', options: { durable?: boolean } = {}): Promise<TestCluster> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? 'postgres' : (process.env.USER ?? 'postgres');
  const dir = mkdtempSync(join(tmpdir(), 'cosbox-pg-'));
  chmodSync(dir, 0o700);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const cmd = asRoot ? ['runuser', '-u', 'postgres', '--', join(bin, tool), ...args] : [join(bin, tool), ...args];
    return execFileSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).toString();
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--locale=C', ...(options.durable ? [] : ['--no-sync'])]);
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const speed = options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
    const settings = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=200${speed}`;
    try {
      run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', '-o', settings, 'start']);
      break;
    } catch (error) {
      if (attempt >= 2) throw error;
    }
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already gone: nothing to stop.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', user, database]);
  return { url: `postgres://${user}@127.0.0.1:${port}/${database}`, port, stop };
}
