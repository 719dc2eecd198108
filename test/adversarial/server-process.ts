/**
 * `cosbox serve` (or another cosbox command) as a child process, with extra flags and, optionally,
 * a lower open-files limit (through prlimit), for the fault tests that need a real second process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import COS from 'cos-nodejs-sdk-v5';
import { APPID, SECRET_ID, SECRET_KEY, UIN } from '../e2e/harness.js';

const root = new URL('../..', import.meta.url).pathname;
const running = new Set<ChildProcess>();

export interface CosboxProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

export interface ServeProcess extends CosboxProcess {
  port: number;
  cos: COS;
}

/** Runs `cosbox <args>` (through tsx, on the sources); `nofile` lowers the open-files limit. */
export function runCosbox(args: string[], options: { nofile?: number } = {}): CosboxProcess {
  const command = [process.execPath, '--conditions=cosbox-source', '--import', 'tsx', 'packages/cli/src/cli.ts', ...args];
  const [file, ...argv] = options.nofile === undefined ? command : ['prlimit', `--nofile=${options.nofile}:${options.nofile}`, '--', ...command];
  const child = spawn(file, argv, {
    cwd: root,
    env: { ...process.env, COSBOX_SECRET_ID: SECRET_ID, COSBOX_SECRET_KEY: SECRET_KEY, COSBOX_APPID: APPID, COSBOX_UIN: UIN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => out, exited };
}

/** Starts `cosbox serve --port 0 --data <dataDir> <extra>` and waits for its ready line. */
export async function serveProcess(dataDir: string, extra: string[] = [], options: { nofile?: number } = {}): Promise<ServeProcess> {
  const p = runCosbox(['serve', '--port', '0', '--data', dataDir, '--log-level', 'warn', ...extra], options);
  const port = await new Promise<number>((resolve, reject) => {
    const look = () => {
      const m = /cosbox ready: http:\/\/127\.0\.0\.1:(\d+)/.exec(p.output());
      if (m) resolve(Number(m[1]));
    };
    p.child.stdout!.on('data', look);
    void p.exited.then((code) => reject(new Error(`server exited early with ${code}: ${p.output()}`)));
  });
  const cos = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${port}` } as COS.COSOptions);
  return { ...p, port, cos };
}

/** Kills every process a test left running. */
export function killCosboxProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** How many descriptors a process has open (Linux /proc). */
export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
