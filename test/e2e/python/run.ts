/**
 * Non-Node clients for the e2e tests: Debian's python3 (with requests) and curl, installed by
 * scripts/ensure-python-clients.sh when missing, and the runner of the Python steps (steps.py).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPID, REGION, SECRET_ID, SECRET_KEY, UIN, type Harness } from '../harness.js';

/** Debian's interpreter, whatever python3 comes first on PATH: the one python3-requests belongs to. */
export const PYTHON = '/usr/bin/python3';
export const CURL = '/usr/bin/curl';
const STEPS = new URL('./steps.py', import.meta.url).pathname;

/** Installs python3, python3-requests and curl from Debian unless they are there (may take a minute). */
export function ensurePythonClients(): void {
  execFileSync('sh', [new URL('../../../scripts/ensure-python-clients.sh', import.meta.url).pathname], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
}

export interface StepResult {
  step: string;
  ok: boolean;
  error?: string;
  trace?: string;
  ms: number;
}

/** The names of the steps, in order. */
export function pythonStepNames(): string[] {
  return JSON.parse(execFileSync(PYTHON, [STEPS, '--list'], { encoding: 'utf8', timeout: 30_000 })) as string[];
}

/**
 * Runs steps.py against the harness's server and collects one result per step. Resolves (never
 * rejects) when the process ends or after `timeoutMs`, killing it then; `exit` says how it ended.
 */
export async function runPythonSteps(h: Harness, options: { timeoutMs: number; requestTimeoutS: number }): Promise<{ results: Map<string, StepResult>; exit: string }> {
  const scratch = await mkdtemp(join(tmpdir(), 'cosbox-py-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONIOENCODING: 'utf-8',
    // Only the loopback: a proxy from the environment must not take the requests elsewhere.
    NO_PROXY: '',
    COSBOX_PORT: String(h.port),
    COSBOX_SECRET_ID: SECRET_ID,
    COSBOX_SECRET_KEY: SECRET_KEY,
    COSBOX_APPID: APPID,
    COSBOX_UIN: UIN,
    COSBOX_REGION: REGION,
    COSBOX_TMP: scratch,
    COSBOX_PY_TIMEOUT: String(options.requestTimeoutS),
  };
  const results = new Map<string, StepResult>();
  try {
    const exit = await new Promise<string>((resolve) => {
      const child = spawn(PYTHON, [STEPS], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(`killed after ${options.timeoutMs} ms; stderr: ${stderr.slice(-2000)}`);
      }, options.timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        let nl: number;
        while ((nl = stdout.indexOf('\n')) >= 0) {
          const line = stdout.slice(0, nl).trim();
          stdout = stdout.slice(nl + 1);
          if (line.startsWith('{')) {
            const r = JSON.parse(line) as StepResult;
            results.set(r.step, r);
          }
        }
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve(`exited with ${signal ?? code}${stderr ? `; stderr: ${stderr.slice(-2000)}` : ''}`);
      });
    });
    return { results, exit };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
