/**
 * Starts the servers under test as child processes (so each one's RSS and CPU are its own), each on
 * 127.0.0.1 with a fresh temporary data directory, and guarantees they are killed and their
 * directories removed: on stop, on process exit and on SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CREDENTIALS, type ServerName } from './client.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** Script and extra environment of each server; all take `--port N --data DIR` and print a ready line. */
const COMMANDS: Record<ServerName, { script: string; args: string[]; env: Record<string, string> }> = {
  cosbox: {
    script: join(ROOT, 'packages/cli/bin/cosbox.js'),
    args: ['serve'],
    env: { COSBOX_SECRET_ID: CREDENTIALS.secretId, COSBOX_SECRET_KEY: CREDENTIALS.secretKey, COSBOX_APPID: CREDENTIALS.appId },
  },
  limit: { script: join(ROOT, 'bench/limit-server.mjs'), args: [], env: {} },
  s3rver: { script: join(ROOT, 'bench/s3rver-child.mjs'), args: [], env: {} },
};

export interface RunningServer {
  name: ServerName;
  port: number;
  pid: number;
  child: ChildProcess;
  dataDir: string;
}

const live = new Set<RunningServer>();

/** Last-resort cleanup; synchronous so it also works from 'exit' and signal handlers. */
function killAllSync(): void {
  for (const s of live) {
    s.child.kill('SIGKILL');
    rmSync(s.dataDir, { recursive: true, force: true });
  }
  live.clear();
}
process.on('exit', killAllSync);
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    killAllSync();
    process.exit(code);
  });
}

/** A port that was free a moment ago; servers are started with it explicitly, then the ready line is trusted. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves with the port from the first stdout line containing `http://127.0.0.1:PORT`. */
function waitReady(child: ChildProcess, stderrTail: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(`no ready line within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) done(() => resolve(Number(m[1])));
    };
    const onExit = (code: number | null, signal: string | null): void => fail(`exited (${signal ?? code}) before ready`);
    const onError = (err: Error): void => fail(err.message);
    function done(settle: () => void): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      child.stdout?.resume(); // keep draining: a server logging to a full pipe would stall
      settle();
    }
    function fail(why: string): void {
      done(() => reject(new Error(`${why}; stdout: ${out.slice(-500).trim()} stderr: ${stderrTail().trim()}`)));
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/** `extra.args` go after the defaults (`--workers N` for the scaling runs); `extra.dataDir` is a directory shared with other servers (several gateways). */
export async function startServer(name: ServerName, extra: { args?: string[]; dataDir?: string } = {}): Promise<RunningServer> {
  const { script, args, env } = COMMANDS[name];
  if (!existsSync(script)) throw new Error(`${name} did not start: ${script} not found (build with \`npx tsc -b\`)`);
  const dataDir = extra.dataDir ?? (await mkdtemp(join(tmpdir(), `cosbox-bench-${name}-`)));
  const port = await freePort();
  const child = spawn(process.execPath, [script, ...args, '--port', String(port), '--data', dataDir, ...(extra.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  const server: RunningServer = { name, port, pid: child.pid ?? -1, child, dataDir };
  live.add(server);
  try {
    server.port = await waitReady(child, () => stderr);
  } catch (err) {
    await stopServer(server);
    throw new Error(`${name} did not start: ${(err as Error).message}`);
  }
  return server;
}

/** SIGTERM, SIGKILL if it lingers, then remove the data directory. */
export async function stopServer(s: RunningServer): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) {
    const exited = new Promise<void>((resolve) => s.child.once('exit', () => resolve()));
    s.child.kill('SIGTERM');
    const timer = setTimeout(() => s.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
  live.delete(s);
  await rm(s.dataDir, { recursive: true, force: true });
}

/** A `VmRSS` / `VmHWM` style field of /proc/<pid>/status, in MiB (undefined once the process is gone). */
export async function procStatusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the process's VmRSS every 50 ms until the returned function is called; that returns the peak. */
export function sampleRss(pid: number): () => number {
  let peak = 0;
  const timer = setInterval(() => {
    void procStatusMiB(pid, 'VmRSS').then((mib) => {
      if (mib !== undefined && mib > peak) peak = mib;
    });
  }, 50);
  return () => {
    clearInterval(timer);
    return peak;
  };
}
