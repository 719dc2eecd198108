/**
 * Runs the built `cosbox` binary (packages/cli/bin/cosbox.js, compiled by `tsc -b`) as a user would,
 * against a harness server, in a child process: the test process hosts the server, so the child is
 * awaited, never run synchronously.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRET_ID, SECRET_KEY } from './harness.js';

export const root = new URL('../..', import.meta.url).pathname;
export const BIN = join(root, 'packages/cli/bin/cosbox.js');

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  port: number;
  /** A HOME of its own: the config file goes there. */
  home: string;
}

export async function cliEnv(port: number): Promise<CliEnv> {
  assert.ok(existsSync(join(root, 'packages/cli/dist/cli.js')), 'build the CLI first: npx tsc -b');
  return { port, home: await mkdtemp(join(tmpdir(), 'cosbox-cli-home-')) };
}

/** The environment of a child: the endpoint and keys of the harness unless `env` says otherwise. */
export function childEnv(e: CliEnv, env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('COS_') && k !== 'NO_COLOR' && k !== 'XDG_CONFIG_HOME') base[k] = v;
  const merged: NodeJS.ProcessEnv = {
    ...base,
    HOME: e.home,
    COS_ENDPOINT: `http://127.0.0.1:${e.port}`,
    COS_SECRET_ID: SECRET_ID,
    COS_SECRET_KEY: SECRET_KEY,
    ...env,
  };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return merged;
}

export function startCli(e: CliEnv, args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: root, env: childEnv(e, env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

export function cli(e: CliEnv, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return finished(startCli(e, args, env));
}

/** Runs and requires exit 0. */
export async function ok(e: CliEnv, ...args: string[]): Promise<CliResult> {
  const r = await cli(e, args);
  assert.equal(r.status, 0, `cosbox ${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** The `--json` lines of an output, parsed. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
