/**
 * `npm run profile -- get|put|large [seconds]`: runs cosbox (release build) under one workload of the
 * benchmark with `node --cpu-prof`, then prints where its main thread spent the time (self and
 * inclusive, by function). The .cpuprofile is kept in bench/results/ for Chrome DevTools.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CREDENTIALS, Target } from './client.js';
import { drive } from './workloads.js';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'bench/results');
const mode = process.argv[2] ?? 'get';
const seconds = Number(process.argv[3] ?? 5);
if (!['get', 'put', 'large'].includes(mode)) throw new Error('usage: profile get|put|large [seconds]');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self and inclusive time per function, as percentages of the profile. */
function summarise(profile: Profile, rows = 25): string {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    self.set(name(nodes.get(id)!), (self.get(name(nodes.get(id)!)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const key = name(nodes.get(cur)!);
      if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
      seen.add(key);
    }
  });
  const table = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, rows).map(([k, t]) => `${((t / total) * 100).toFixed(1).padStart(6)}%  ${k}`).join('\n');
  return `self time:\n${table(self)}\n\ninclusive time:\n${table(inclusive)}`;
}

const data = mkdtempSync(join(tmpdir(), 'cosbox-profile-'));
const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${OUT}`, join(ROOT, 'packages/cli/bin/cosbox.js'), 'serve', '--port', '0', '--data', data], {
  env: { ...process.env, COSBOX_SECRET_ID: CREDENTIALS.secretId, COSBOX_SECRET_KEY: CREDENTIALS.secretKey, COSBOX_APPID: CREDENTIALS.appId },
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      const m = /127\.0\.0\.1:(\d+)/.exec(c.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`cosbox exited with ${code}`)));
  });
  const target = new Target('cosbox', port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  await target.ok(agent, { method: 'PUT', key: '' });
  const small = Buffer.alloc(4096, 'x');
  const large = Buffer.alloc(64 * 1024 * 1024, 'y');
  for (let i = 0; i < 64; i++) await target.ok(agent, { method: 'PUT', key: `k${i}`, body: small });
  const result =
    mode === 'large'
      ? await drive(4, seconds, 1e9, async (i) => (await target.ok(agent, { method: 'PUT', key: `large${i % 8}`, body: large }), large.length))
      : await drive(32, seconds, 1e9, async (i) =>
          (await target.ok(agent, mode === 'get' ? { method: 'GET', key: `k${i % 64}` } : { method: 'PUT', key: `p${i}`, body: small })).bytes,
        );
  agent.destroy();
  console.log(`${mode}: ${result.opsPerSec.toFixed(0)} ops/s, ${result.mibPerSec.toFixed(1)} MiB/s, p50 ${result.p50Ms.toFixed(1)} ms`);
} finally {
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  rmSync(data, { recursive: true, force: true });
}
const file = readdirSync(OUT).filter((f) => f.endsWith('.cpuprofile')).sort().pop();
if (file) {
  console.log(`\nprofile: bench/results/${file}\n`);
  console.log(summarise(JSON.parse(readFileSync(join(OUT, file), 'utf8')) as Profile));
}
