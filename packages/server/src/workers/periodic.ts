/**
 * What every background worker shares: a round every `intervalMs` (the first after one interval) and
 * on demand (`runOnce()`, for tests and the `run*()` handles). Rounds never overlap; a round slower
 * than the interval is not queued behind by more; a failed round is logged and the next runs as
 * usual; `stop()` waits for the round in progress, so the stores can close under it.
 */
import type { Services } from '../services.js';

export abstract class PeriodicWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private busy = false;

  constructor(
    protected readonly services: Services,
    private readonly intervalMs: number,
    /** Names the round in the log line of a failure. */
    private readonly what: string,
    /** Told how each round ended (the metrics). */
    private readonly onRound?: (outcome: 'ok' | 'failed') => void,
  ) {}

  /** One round of the worker's job. */
  protected abstract round(): Promise<void>;

  /** Long rounds look at this between items, to end early once the worker is stopped. */
  protected get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    if (this.stopped || this.timer) return;
    this.timer = setInterval(() => {
      if (this.busy) return;
      void this.runOnce().catch((err: unknown) => this.services.log.error({ err }, `${this.what} failed`));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One round now, after the one in progress (if any); rejects when this round fails. */
  runOnce(): Promise<void> {
    const round = this.running
      .catch(() => undefined)
      .then(async () => {
        if (this.stopped) return;
        this.busy = true;
        try {
          await this.round();
          this.onRound?.('ok');
        } catch (error) {
          this.onRound?.('failed');
          throw error;
        } finally {
          this.busy = false;
        }
      });
    this.running = round;
    return round;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running.catch(() => undefined);
  }
}
