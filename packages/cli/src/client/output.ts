/**
 * What the client commands print. On a terminal: colour and progress bars (on stderr). Elsewhere:
 * plain lines and no bars. With `--json`: one JSON object per line on stdout, for every listed
 * object and every transferred file, with stable field names. `--quiet` leaves out the lines about
 * transfers (errors are still printed on stderr).
 */
import cliProgress from 'cli-progress';
import pc from 'picocolors';
import { describeFailure, failureInfo } from './errors.js';

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  /** commander's `--no-color` */
  color?: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `1.5 MiB`; bytes below 1 KiB as `512 B`. */
export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(bytes)} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Text for a terminal: keys and paths may hold control characters, which could move the cursor or
 * rewrite the screen. All but line breaks and colour (SGR) sequences are shown escaped (`\x1b`).
 */
export function printable(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m|[\x00-\x09\x0b-\x1f\x7f-\x9f]/g, (m) =>
    m.length > 1 ? m : `\\x${m.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  /** Progress bars are drawn: stderr is a terminal and nothing asked for plain output. */
  readonly bars: boolean;
  readonly c: Colors;

  constructor(
    options: OutputOptions,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.json = options.json === true;
    this.quiet = options.quiet === true;
    const tty = stdout.isTTY === true;
    const colour = tty && !this.json && options.color !== false && !env.NO_COLOR && env.TERM !== 'dumb';
    this.c = pc.createColors(colour);
    this.bars = stderr.isTTY === true && !this.json && !this.quiet && env.TERM !== 'dumb';
  }

  /** A listed thing (ls, du, stat, ...): printed whatever `--quiet` says. */
  record(fields: Record<string, unknown>, text: string): void {
    this.write(this.json ? JSON.stringify(fields) : text);
  }

  /** A transfer or deletion done (or skipped): left out with `--quiet`. */
  event(fields: Record<string, unknown>, text: string): void {
    if (this.quiet) return;
    this.write(this.json ? JSON.stringify(fields) : text);
  }

  /** A failure of one item: a JSON record too with `--json`, and always a line on stderr. */
  failure(fields: Record<string, unknown>, what: string, error: unknown): void {
    if (this.json) this.write(JSON.stringify({ ...fields, status: 'error', error: failureInfo(error) }));
    this.warn(`${what}: ${describeFailure(error)}`);
  }

  warn(text: string): void {
    this.progress?.log(`${this.c.red('error')} ${printable(text)}\n`);
    if (!this.progress) this.stderr.write(`cosbox: ${printable(text)}\n`);
  }

  info(text: string): void {
    if (this.quiet || this.json) return;
    this.stderr.write(`${text}\n`);
  }

  private write(line: string): void {
    // Lines go above the bars when both share the terminal; stdout redirected gets them itself.
    if (this.json) this.stdout.write(line + '\n');
    else if (this.progress && this.stdout.isTTY) this.progress.log(printable(line) + '\n');
    else this.stdout.write(printable(line) + '\n');
  }

  private progress?: Progress;

  /** Bars for a transfer of `files` files of `bytes` bytes in all (none when not on a terminal). */
  startProgress(files: number, bytes: number): Progress | undefined {
    if (!this.bars || files === 0) return undefined;
    this.progress = new Progress(this.stderr, this.c, files, bytes);
    return this.progress;
  }

  stopProgress(): void {
    this.progress?.stop();
    this.progress = undefined;
  }
}

interface BarPayload {
  label: string;
  bytes: number;
  total: number;
  started: number;
}

const FILE_BAR_MIN_SIZE = 1024 * 1024;
const MAX_FILE_BARS = 8;

/** An overall bar (files, bytes, speed, ETA) and one bar per large file in flight. */
export class Progress {
  private readonly multi: cliProgress.MultiBar;
  private readonly overall: cliProgress.SingleBar;
  private readonly started = Date.now();
  private loaded = 0;
  private done = 0;
  private fileBars = 0;

  constructor(stream: NodeJS.WriteStream, c: Colors, private readonly files: number, private readonly bytes: number) {
    this.multi = new cliProgress.MultiBar(
      {
        stream,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barsize: 24,
        fps: 10,
        format: (options, params, payload: BarPayload) => {
          const size = options.barsize ?? 24;
          const filled = Math.round(params.progress * size);
          const bar = c.cyan('█'.repeat(filled)) + c.dim('░'.repeat(size - filled));
          const elapsed = (Date.now() - payload.started) / 1000;
          // Too early a speed says nothing.
          const speed = elapsed >= 0.5 || (elapsed > 0 && payload.bytes >= payload.total) ? payload.bytes / elapsed : 0;
          const eta = speed > 0 ? (payload.total - payload.bytes) / speed : Infinity;
          const percent = `${Math.floor(params.progress * 100)}%`.padStart(4);
          return `${bar} ${percent} ${humanSize(payload.bytes)}/${humanSize(payload.total)} ${humanSize(speed)}/s ETA ${duration(eta)} ${payload.label}`;
        },
      },
      cliProgress.Presets.shades_grey,
    );
    this.overall = this.multi.create(Math.max(bytes, 1), 0, this.overallPayload());
  }

  private overallPayload(): BarPayload {
    return { label: `${this.done}/${this.files} files`, bytes: this.loaded, total: this.bytes, started: this.started };
  }

  /**
   * A bar for one file; `update` with the bytes of this file done so far. Only files large enough
   * to watch get a bar of their own, and only a few at once (the overall bar counts them all).
   */
  file(label: string, size: number): { update(loaded: number): void; finish(): void } {
    const started = Date.now();
    const own = this.files > 1 && size >= FILE_BAR_MIN_SIZE && this.fileBars < MAX_FILE_BARS;
    const bar = own ? this.multi.create(Math.max(size, 1), 0, { label, bytes: 0, total: size, started }) : undefined;
    if (bar) this.fileBars++;
    let last = 0;
    const update = (loaded: number) => {
      const now = Math.min(loaded, size);
      this.loaded += now - last;
      last = now;
      bar?.update(now, { label, bytes: now, total: size, started });
      this.overall.update(this.loaded, this.overallPayload());
    };
    return {
      update,
      finish: () => {
        update(size);
        this.done++;
        this.overall.update(this.loaded, this.overallPayload());
        if (bar) {
          this.multi.remove(bar);
          this.fileBars--;
        }
      },
    };
  }

  log(text: string): void {
    this.multi.log(text);
  }

  stop(): void {
    this.overall.update(this.loaded, this.overallPayload());
    // Draws once more, which also prints the lines logged since the last frame.
    this.multi.update();
    this.multi.stop();
  }
}
