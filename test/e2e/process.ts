/**
 * cosbox as a separate process (`cosbox serve` through tsx), for tests that kill it or measure it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import COS from 'cos-nodejs-sdk-v5';
import { APPID, SECRET_ID, SECRET_KEY, UIN } from './harness.js';

const root = new URL('../..', import.meta.url).pathname;
const running = new Set<ChildProcess>();

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  cos: COS;
  /** Waits for the process to exit; resolves with its exit code. */
  exited: Promise<number | null>;
}

/** `extraArgs` go to `cosbox serve` after the defaults (e.g. `--no-console`). */
export async function startServerProcess(dataDir: string, extraArgs: string[] = []): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=cosbox-source', '--import', 'tsx', 'packages/cli/src/cli.ts', 'serve', '--port', '0', '--data', dataDir, '--log-level', 'warn', ...extraArgs],
    {
      cwd: root,
      env: { ...process.env, COSBOX_SECRET_ID: SECRET_ID, COSBOX_SECRET_KEY: SECRET_KEY, COSBOX_APPID: APPID, COSBOX_UIN: UIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`server exited early with ${code}: ${out}`)));
  });
  const cos = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${port}` } as COS.COSOptions);
  return { child, port, cos, exited };
}

/** Kills every server process a test left running. */
export function killServerProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}
