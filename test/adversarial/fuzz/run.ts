/**
 * How long and with what seed the properties run. Under `npm test` every property has a fixed
 * number of runs, a time budget and a fixed seed, so that the suite is bounded and repeatable;
 * `npm run fuzz -- --seconds N [--seed S]` (scripts/fuzz.mjs) sets FUZZ_SECONDS (the budget of each
 * property), FUZZ_SEED and FUZZ_PATH (replay one counterexample) through the environment.
 */
import fc from 'fast-check';
import { CaseFailure, type World } from './world.js';

const seconds = Number(process.env.FUZZ_SECONDS ?? '0');
const long = Number.isFinite(seconds) && seconds > 0;
export const SEED = process.env.FUZZ_SEED !== undefined && process.env.FUZZ_SEED !== '' ? Number(process.env.FUZZ_SEED) : long ? Date.now() ^ (Math.random() * 0x7fffffff) : 20261126;
const PATH = process.env.FUZZ_PATH || undefined;
/** Only the properties whose name contains this run (a replay names one). */
const GREP = process.env.FUZZ_GREP || undefined;
/**
 * Exploration (FUZZ_COLLECT=1, `npm run fuzz -- --collect`): a failing case does not stop the
 * property; every kind of failure is counted and its smallest example printed at the end.
 */
const COLLECT = process.env.FUZZ_COLLECT === '1';

export interface Budget {
  /** Runs under `npm test`. */
  runs: number;
  /** Milliseconds under `npm test`. */
  ms: number;
}

/**
 * Runs one property against the live server. A failing case is shrunk (the server is started again
 * after a crash so that shrinking can go on) and reported with its request bytes, the seed and the
 * replay path; the property then fails.
 */
export async function fuzz<T>(
  name: string,
  world: World,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  budget: Budget,
  /** In exploration, what tells failures of one case apart from another's besides the problem itself. */
  classify?: (value: T) => string,
): Promise<void> {
  if (GREP !== undefined && !name.includes(GREP)) {
    console.log(`# fuzz ${name}: not run (FUZZ_GREP=${GREP})`);
    return;
  }
  console.log(`# fuzz ${name}: seed ${SEED}${PATH ? ` path ${PATH}` : ''}${long ? `, ${seconds} s` : `, ${budget.runs} runs or ${budget.ms} ms`}`);
  const live = world.live;
  const restartsBefore = live.restarts;
  world.statuses.clear();
  // The time limit abandons a run in progress rather than waiting for it; wait for it here, so that
  // it cannot touch the server while the next property runs.
  let inflight: Promise<void> | undefined;
  const found = new Map<string, { count: number; size: number; label: string; message: string }>();
  const run = (value: T) =>
    (inflight = (async () => {
      await live.ready();
      try {
        await predicate(value);
      } catch (error) {
        if (!COLLECT || !(error instanceof CaseFailure)) throw error;
        const kind = `${classify?.(value) ?? ''} ${error.kind}`.trim();
        const seen = found.get(kind);
        if (!seen || error.size < seen.size) found.set(kind, { count: (seen?.count ?? 0) + 1, size: error.size, label: fc.stringify(value).slice(0, 300), message: error.message });
        else seen.count++;
      }
    })());
  const details = await fc.check(fc.asyncProperty(arbitrary, run), {
    seed: SEED,
    path: PATH,
    numRuns: long ? Number.MAX_SAFE_INTEGER : budget.runs,
    interruptAfterTimeLimit: long ? seconds * 1000 : budget.ms,
    markInterruptAsFailure: false,
  });
  await inflight?.catch(() => undefined);
  for (const [kind, f] of found) console.log(`# fuzz ${name}: FOUND (${f.count}x) ${kind}\n#   case: ${f.label}\n#   ${f.message.replace(/\n/g, '\n#   ')}`);
  const crashes = live.restarts - restartsBefore;
  const statuses = [...world.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}x${n}`).join(' ');
  console.log(`# fuzz ${name}: ${details.numRuns} runs${details.interrupted ? ' (time budget reached)' : ''}${crashes ? `, ${crashes} server restarts after crashes` : ''}; answers ${statuses}`);
  if (found.size > 0) throw new Error(`property "${name}": ${found.size} kinds of failure (seed ${details.seed}), listed above`);
  if (!details.failed) return;
  const error = details.errorInstance;
  const detail = error instanceof CaseFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  const replay = `npm run fuzz -- --seed ${details.seed} --path ${details.counterexamplePath} --grep ${JSON.stringify(name)}`;
  console.log(`# fuzz ${name}: FAILED, seed ${details.seed}, replay: ${replay}`);
  throw new Error(`property "${name}" failed after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath}; replay: ${replay}):\n  ${detail}`);
}
