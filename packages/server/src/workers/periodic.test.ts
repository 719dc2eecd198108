import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { Services } from '../services.js';
import { PeriodicWorker } from './periodic.js';

class Flaky extends PeriodicWorker {
  rounds = 0;
  failNext = false;
  constructor(intervalMs = 60_000) {
    super({ log: pino({ level: 'silent' }) } as unknown as Services, intervalMs, 'flaky round');
  }
  protected async round(): Promise<void> {
    this.rounds++;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('boom');
    }
  }
}

test('a failed round does not stop the next ones', async () => {
  const worker = new Flaky();
  worker.failNext = true;
  await assert.rejects(worker.runOnce(), /boom/);
  await worker.runOnce();
  await worker.runOnce();
  assert.equal(worker.rounds, 3);
  await worker.stop();
});

test('rounds never overlap, and none runs after stop()', async () => {
  let inside = 0;
  let most = 0;
  class Slow extends PeriodicWorker {
    constructor() {
      super({ log: pino({ level: 'silent' }) } as unknown as Services, 60_000, 'slow round');
    }
    protected async round(): Promise<void> {
      inside++;
      most = Math.max(most, inside);
      await new Promise((done) => setTimeout(done, 5));
      inside--;
    }
  }
  const worker = new Slow();
  await Promise.all([worker.runOnce(), worker.runOnce(), worker.runOnce()]);
  assert.equal(most, 1);
  await worker.stop();
  await worker.runOnce();
  assert.equal(inside, 0);
});

test('the timer runs rounds by itself', async () => {
  const worker = new Flaky(10);
  worker.start();
  await new Promise((done) => setTimeout(done, 80));
  await worker.stop();
  assert.ok(worker.rounds >= 2, `${worker.rounds} rounds`);
});
