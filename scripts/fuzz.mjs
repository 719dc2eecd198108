#!/usr/bin/env node
// Runs the adversarial suite's properties (test/adversarial/fuzz-*.test.ts) for longer than
// `npm test` does, against a live cosbox:
//
//   npm run fuzz -- --seconds N [--seed S] [--path P] [--grep NAME] [file substrings...]
//
// --seconds  the time budget of each property (default 60); runs are unbounded within it
// --seed     fast-check's seed (default: a random one, printed first, so that any run can be replayed)
// --path     with --seed: replay exactly one counterexample (fast-check's path, printed on failure)
// --grep     only the properties whose name contains NAME
// --collect  explore: a failure does not stop a property; each kind is counted, its smallest case printed
// Everything reaches the test files through the environment (FUZZ_SECONDS, FUZZ_SEED, FUZZ_PATH, FUZZ_GREP).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values, positionals } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string' }, path: { type: 'string' }, grep: { type: 'string' }, collect: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('--seconds must be a positive number');
  process.exit(2);
}
const seed = values.seed ?? String((Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0);
const dir = join(root, 'test', 'adversarial');
const files = readdirSync(dir)
  .filter((f) => /^fuzz-.*\.test\.ts$/.test(f))
  .filter((f) => positionals.length === 0 || positionals.some((s) => f.includes(s)))
  .map((f) => join('test', 'adversarial', f))
  .sort();
if (files.length === 0) {
  console.error('no fuzz test files match');
  process.exit(2);
}
console.log(`fuzz: seed ${seed}, ${seconds} s per property${values.path ? `, replaying path ${values.path}` : ''}; replay with: npm run fuzz -- --seed ${seed} --seconds ${seconds}`);
const result = spawnSync(
  process.execPath,
  ['--conditions=cosbox-source', '--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=0', ...files],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      FUZZ_SECONDS: String(seconds),
      FUZZ_SEED: seed,
      ...(values.path ? { FUZZ_PATH: values.path } : {}),
      ...(values.grep ? { FUZZ_GREP: values.grep } : {}),
      ...(values.collect ? { FUZZ_COLLECT: '1' } : {}),
    },
  },
);
console.log(`fuzz: seed ${seed}${result.status === 0 ? '' : ' (failed; the failing properties print their seed, path and replay command above)'}`);
process.exit(result.status ?? 1);
