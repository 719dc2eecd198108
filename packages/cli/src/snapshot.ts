/**
 * `cosbox snapshot --data DIR --out DIR2`: a consistent copy of a data directory, taken while its
 * server runs (see packages/server/src/storage/snapshot.ts); `cosbox serve --data DIR2` starts from it.
 */
import type { Command } from 'commander';

interface SnapshotOptions {
  data: string;
  out: string;
}

export function snapshotCommand(program: Command): void {
  program
    .command('snapshot')
    .description('copy a data directory consistently, while its server runs (hard links to the blobs where it can)')
    .option('--data <dir>', 'data directory', './data')
    .requiredOption('--out <dir>', 'where the snapshot goes (a new or empty directory, best on the same filesystem)')
    .action(async (o: SnapshotOptions) => {
      try {
        const { snapshot } = await import('@cosbox/server');
        const r = await snapshot(o.data, o.out);
        const mib = (r.bytes / 1024 / 1024).toFixed(1);
        process.stdout.write(`snapshot of ${o.data} in ${o.out}: metadata and ${r.blobs} blobs (${mib} MiB; ${r.linked} hard links, ${r.copied} copies)\n`);
      } catch (error) {
        process.stderr.write(`cosbox snapshot: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 2;
      }
    });
}
