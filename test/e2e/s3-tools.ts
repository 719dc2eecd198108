/**
 * The S3 command-line clients of the e2e tests (awscli, boto3, s3cmd, rclone: Debian's, installed by
 * scripts/ensure-s3-clients.sh) pointed at a harness's server: endpoint `http://127.0.0.1:PORT`,
 * path style, region ap-guangzhou, the harness's key pair. Every tool reads its configuration from a
 * scratch directory (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, RCLONE_CONFIG, `s3cmd -c`, and
 * HOME), never from the user's ~/.aws, ~/.s3cfg or ~/.config/rclone, and runs in an environment
 * without the caller's AWS_* / RCLONE_* variables or proxies.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REGION, SECRET_ID, SECRET_KEY, type Harness } from './harness.js';

export const AWS = '/usr/bin/aws';
export const S3CMD = '/usr/bin/s3cmd';
export const RCLONE = '/usr/bin/rclone';
export const PYTHON = '/usr/bin/python3';
export const CURL = '/usr/bin/curl';

/** Per command; the tests' whole budget is a few tens of seconds. */
export const TOOL_TIMEOUT_MS = Number(process.env.COSBOX_S3_TOOL_TIMEOUT_MS ?? 60_000);

/** Installs the Debian packages unless they are there (may take a minute the first time). */
export function ensureS3Clients(): void {
  execFileSync('sh', [new URL('../../scripts/ensure-s3-clients.sh', import.meta.url).pathname], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
}

export interface S3Tools {
  dir: string;
  endpoint: string;
  env: NodeJS.ProcessEnv;
  /** Runs a tool; rejects with its output when it exits non-zero. */
  run(file: string, args: string[], options?: { input?: string }): Promise<string>;
  aws(...args: string[]): Promise<string>;
  /** `aws ... --output json`, parsed (an empty answer is undefined). */
  awsJson(...args: string[]): Promise<any>;
  rclone(...args: string[]): Promise<string>;
  s3cmd(...args: string[]): Promise<string>;
  /** Runs a Python program with Debian's boto3, COSBOX_* variables describing the endpoint. */
  python(program: string): Promise<string>;
  close(): Promise<void>;
}

/** A clean environment: PATH and locale, HOME in the scratch directory, no AWS_*, RCLONE_* or proxy variables. */
function cleanEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONIOENCODING: 'utf-8',
    NO_PROXY: '127.0.0.1,localhost',
  };
}

export async function s3Tools(h: Harness): Promise<S3Tools> {
  const dir = await mkdtemp(join(tmpdir(), 'cosbox-s3-'));
  const endpoint = `http://127.0.0.1:${h.port}`;
  const awsConfig = join(dir, 'aws-config');
  const awsCredentials = join(dir, 'aws-credentials');
  const rcloneConfig = join(dir, 'rclone.conf');
  const s3cmdConfig = join(dir, 's3cfg');
  // Small multipart thresholds so that a few-MB file exercises each tool's multipart path.
  await writeFile(
    awsConfig,
    `[default]\nregion = ${REGION}\ns3 =\n    addressing_style = path\n    multipart_threshold = 5MB\n    multipart_chunksize = 5MB\n`,
  );
  await writeFile(awsCredentials, `[default]\naws_access_key_id = ${SECRET_ID}\naws_secret_access_key = ${SECRET_KEY}\n`);
  await writeFile(
    rcloneConfig,
    `[cosbox]\ntype = s3\nprovider = Other\nendpoint = ${endpoint}\nregion = ${REGION}\nforce_path_style = true\n` +
      `access_key_id = ${SECRET_ID}\nsecret_access_key = ${SECRET_KEY}\nupload_cutoff = 5M\nchunk_size = 5M\n`,
  );
  await writeFile(
    s3cmdConfig,
    `[default]\naccess_key = ${SECRET_ID}\nsecret_key = ${SECRET_KEY}\nhost_base = 127.0.0.1:${h.port}\nhost_bucket = 127.0.0.1:${h.port}\n` +
      `bucket_location = ${REGION}\nuse_https = False\nsignature_v2 = False\nmultipart_chunk_size_mb = 5\ncheck_ssl_certificate = False\n`,
  );
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(dir),
    AWS_CONFIG_FILE: awsConfig,
    AWS_SHARED_CREDENTIALS_FILE: awsCredentials,
    AWS_EC2_METADATA_DISABLED: 'true',
    RCLONE_CONFIG: rcloneConfig,
    COSBOX_ENDPOINT: endpoint,
    COSBOX_REGION: REGION,
    COSBOX_SECRET_ID: SECRET_ID,
    COSBOX_SECRET_KEY: SECRET_KEY,
  };
  const run = (file: string, args: string[], options: { input?: string } = {}) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(file, args, { env, cwd: dir, timeout: TOOL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      });
      if (options.input !== undefined) child.stdin?.end(options.input);
    });
  const aws = (...args: string[]) => run(AWS, ['--endpoint-url', endpoint, ...args]);
  return {
    dir,
    endpoint,
    env,
    run,
    aws,
    async awsJson(...args: string[]) {
      const out = await aws(...args, '--output', 'json');
      return out.trim() === '' ? undefined : JSON.parse(out);
    },
    rclone: (...args: string[]) => run(RCLONE, args),
    s3cmd: (...args: string[]) => run(S3CMD, ['-c', s3cmdConfig, ...args]),
    python: (program: string) => run(PYTHON, ['-c', program]),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The files under `dir`, by relative path, with their bytes in base64: two trees compare with deepEqual. */
export async function treeOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = (await readFile(path)).toString('base64');
  }
  return out;
}
