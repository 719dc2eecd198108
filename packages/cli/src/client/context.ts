/**
 * What every client command shares: the connection options, the output options, the exit codes,
 * and Ctrl-C (which aborts the requests in flight; an upload in parts stays on the server, so a
 * rerun resumes it).
 */
import { setMaxListeners } from 'node:events';
import { Command, CommanderError } from 'commander';
import { loadSettings, type Settings } from './config.js';
import { describeFailure, failureInfo, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PartialFailure, UsageError } from './errors.js';
import { Output, printable, type OutputOptions } from './output.js';
import { connect, type ClientTuning, type Connection } from './remote.js';

export interface ClientFlags extends Settings, OutputOptions {
  profile?: string;
  threads?: number;
  partSize?: number;
  partThreads?: number;
}

export interface Context {
  out: Output;
  flags: ClientFlags;
  signal: AbortSignal;
  /** The SDK client, made on first use (commands that only read local files need none). */
  connection(): Promise<Connection>;
}

/** A client command with the options every one takes; a usage error exits 2. */
export function clientCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option('--endpoint <url>', 'server URL, e.g. http://127.0.0.1:9000 for cosbox (default: COS) [env COS_ENDPOINT]')
    .option('--region <region>', 'region of the buckets [env COS_REGION]')
    .option('--secret-id <id>', 'SecretId [env COS_SECRET_ID]')
    .option('--secret-key <key>', 'SecretKey [env COS_SECRET_KEY]')
    .option('--token <token>', 'session token of temporary keys [env COS_SECURITY_TOKEN]')
    .option('--profile <name>', 'profile of ~/.config/cosbox/config.toml [env COS_PROFILE]')
    .option('--json', 'one JSON object per line on stdout')
    .option('--quiet', 'no progress and no line per file')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .exitOverride((err: CommanderError) => {
      process.exit(err.exitCode === 0 ? EXIT_OK : EXIT_USAGE);
    });
}

/** Runs a command body and exits with its code: 0 done, 1 something failed, 2 usage, 130 Ctrl-C. */
export async function runCommand(command: Command, body: (ctx: Context) => Promise<void>): Promise<void> {
  const flags = command.opts<ClientFlags>();
  const out = new Output(flags);
  const controller = new AbortController();
  // Every request in flight listens to it: thousands at once are expected, not a leak.
  setMaxListeners(0, controller.signal);
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let connection: Promise<Connection> | undefined;
  const ctx: Context = {
    out,
    flags,
    signal: controller.signal,
    connection: () => (connection ??= loadSettings(flags).then((settings) => connect(settings, tuningOf(flags)))),
  };
  let code = EXIT_OK;
  try {
    await body(ctx);
  } catch (error) {
    out.stopProgress();
    if (error instanceof UsageError) {
      process.stderr.write(`cosbox: ${printable(error.message)}\n`);
      code = EXIT_USAGE;
    } else if (error instanceof PartialFailure) {
      process.stderr.write(`cosbox: ${error.message}\n`);
      code = EXIT_FAILED;
    } else if (!interrupted) {
      if (out.json) process.stdout.write(JSON.stringify({ status: 'error', error: failureInfo(error) }) + '\n');
      process.stderr.write(`cosbox: ${printable(describeFailure(error))}\n`);
      code = EXIT_FAILED;
    }
  }
  process.off('SIGINT', onSigint);
  if (interrupted) {
    out.stopProgress();
    process.stderr.write('cosbox: interrupted; run the same command again to resume\n');
    code = EXIT_INTERRUPTED;
  }
  // Kept-alive sockets would hold the process open.
  process.exit(code);
}

function tuningOf(flags: ClientFlags): ClientTuning {
  return { partSize: flags.partSize, partThreads: flags.partThreads, fileThreads: flags.threads };
}
