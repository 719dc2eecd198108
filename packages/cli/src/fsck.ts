/**
 * `cosbox fsck --data DIR [--repair] [--json]`: checks a stopped server's data directory (see
 * packages/server/src/storage/fsck.ts). Exit status: 0 nothing damaged (leftover files may have been
 * found: the server removes them at start anyway), 1 damaged objects or parts, 2 fsck could not run
 * (a server holds the directory, or it is no data directory).
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { FsckProblem, FsckReport } from '@cosbox/server';

interface FsckOptions {
  data: string;
  sseMasterKey?: string;
  repair?: boolean;
  json?: boolean;
}

function where(p: FsckProblem): string {
  if (p.bucket === undefined) return p.kind === 'temporary' ? `tmp/${p.blob}` : `blob ${p.blob}`;
  const version = p.versionId !== undefined ? ` (version ${p.versionId})` : '';
  const upload = p.uploadId !== undefined ? ` upload ${p.uploadId} part ${p.partNumber}` : '';
  return `${p.bucket}/${p.key}${version}${upload}`;
}

function summary(report: FsckReport, repair: boolean): string {
  const lines = report.problems.map((p) => `${p.kind.padEnd(9)} ${where(p)}: ${p.detail}${p.repaired ? ` [${p.repaired}]` : ''}`);
  const leftovers = report.problems.filter((p) => p.kind === 'orphan' || p.kind === 'temporary').length;
  const mib = (report.bytesRead / 1024 / 1024).toFixed(1);
  lines.push(
    `checked ${report.objects} objects and versions, ${report.parts} parts of uploads in progress; read ${report.blobsRead} blobs (${mib} MiB)` +
      (report.encryptedNotHashed > 0 ? `; ${report.encryptedNotHashed} encrypted with keys fsck does not have (SSE-C): sizes checked, bytes not` : ''),
  );
  lines.push(report.damaged === 0 ? 'no damage found' : `DAMAGED: ${report.damaged} objects or parts${repair ? ' (marked: reads of them answer 500; restore them from a snapshot or delete them)' : ' (run with --repair to mark them)'}`);
  if (leftovers > 0) lines.push(`${leftovers} leftover files of interrupted writes${repair ? ' removed' : ' (harmless; --repair removes them)'}`);
  return lines.join('\n') + '\n';
}

async function run(o: FsckOptions): Promise<number> {
  const { fsck } = await import('@cosbox/server');
  const tty = !o.json && process.stderr.isTTY === true;
  const bar = tty ? new cliProgress.SingleBar({ stream: process.stderr, hideCursor: true, format: 'fsck [{bar}] {value}/{total} blobs' }, cliProgress.Presets.shades_classic) : undefined;
  let started = false;
  const report = await fsck(o.data, {
    repair: o.repair === true,
    sseMasterKey: o.sseMasterKey,
    onProgress: (done, total) => {
      if (!bar) return;
      if (!started) {
        started = true;
        bar.start(total, done);
      } else bar.update(done);
    },
  }).finally(() => bar?.stop());
  if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(summary(report, o.repair === true));
  return report.damaged > 0 ? 1 : 0;
}

export function fsckCommand(program: Command): void {
  program
    .command('fsck')
    .description('check a data directory (with its server stopped): every object, version and part against its blobs')
    .option('--data <dir>', 'data directory', './data')
    .option('--repair', 'remove orphan blobs and temporary files; mark damaged objects so reads of them answer 500 at once')
    .option('--json', 'print the report as JSON')
    .option('--sse-master-key <base64>', "the server's SSE master key, when it is not in <data>/sse.key [env COSBOX_SSE_MASTER_KEY]", process.env.COSBOX_SSE_MASTER_KEY)
    .action(async (o: FsckOptions) => {
      try {
        process.exitCode = await run(o);
      } catch (error) {
        process.stderr.write(`cosbox fsck: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 2;
      }
    });
}
