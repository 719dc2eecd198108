/**
 * cos-python-sdk-v5's requests against cosbox: test/e2e/python/cos_client.py shapes every request as
 * the Python SDK does (same library, same signing, same bodies, same reading of the answers), and
 * steps.py walks its high-level API, one reported step per call family. The official package
 * itself cannot be installed here (no PyPI), see README "Compatibility".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHarness } from './harness.js';
import { ensurePythonClients, pythonStepNames, runPythonSteps } from './python/run.js';

const TIMEOUT_MS = Number(process.env.COSBOX_PYTHON_TIMEOUT_MS ?? 180_000);
const REQUEST_TIMEOUT_S = Number(process.env.COSBOX_PYTHON_REQUEST_TIMEOUT_S ?? 30);

test('cos-python-sdk-v5 request shapes against cosbox', { timeout: TIMEOUT_MS + 60_000 }, async (t) => {
  ensurePythonClients();
  const names = pythonStepNames();
  assert.ok(names.length > 20, 'the step list');
  const h = await startHarness();
  try {
    const { results, exit } = await runPythonSteps(h, { timeoutMs: TIMEOUT_MS, requestTimeoutS: REQUEST_TIMEOUT_S });
    for (const name of names) {
      await t.test(name, (step) => {
        const r = results.get(name);
        assert.ok(r, `no result for this step: steps.py ${exit}`);
        step.diagnostic(`${r.ms} ms in Python`);
        assert.ok(r.ok, `${r.error}\n${r.trace ?? ''}`);
      });
    }
  } finally {
    await h.close();
  }
});
