/**
 * Where the client commands get their endpoint and credentials: flags, then COS_* environment
 * variables, then a profile of ~/.config/cosbox/config.toml (`cosbox config set|get|list`).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { UsageError } from './errors.js';

/** The settings of one connection; every field may come from a flag, the environment or a profile. */
export interface Settings {
  endpoint?: string;
  region?: string;
  secretId?: string;
  secretKey?: string;
  token?: string;
}

export const SETTING_NAMES = ['endpoint', 'region', 'secret_id', 'secret_key', 'token'] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

const FIELD_OF: Record<SettingName, keyof Settings> = {
  endpoint: 'endpoint',
  region: 'region',
  secret_id: 'secretId',
  secret_key: 'secretKey',
  token: 'token',
};

const ENV_OF: Record<keyof Settings, string> = {
  endpoint: 'COS_ENDPOINT',
  region: 'COS_REGION',
  secretId: 'COS_SECRET_ID',
  secretKey: 'COS_SECRET_KEY',
  token: 'COS_SECURITY_TOKEN',
};

/** `$XDG_CONFIG_HOME/cosbox/config.toml`, else `~/.config/cosbox/config.toml`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'cosbox', 'config.toml');
}

export type Profiles = Record<string, Partial<Record<SettingName, string>>>;

/** The profiles of the file: `[profiles.NAME]` tables of string settings. A missing file has none. */
export async function readProfiles(path: string): Promise<Profiles> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${path} is not valid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
  const profiles: Profiles = {};
  const tables = (doc.profiles ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, table] of Object.entries(tables)) {
    if (typeof table !== 'object' || table === null) continue;
    const profile: Partial<Record<SettingName, string>> = {};
    for (const setting of SETTING_NAMES) if (typeof table[setting] === 'string') profile[setting] = table[setting] as string;
    profiles[name] = profile;
  }
  return profiles;
}

/** Writes the file with mode 0600 (it holds secret keys), through a temporary file and a rename. */
export async function writeProfiles(path: string, profiles: Profiles): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, stringify({ profiles }) + '\n', { mode: 0o600 });
  await rename(temp, path);
}

export function settingName(name: string): SettingName {
  const normalized = name.replace(/-/g, '_').toLowerCase();
  if (!(SETTING_NAMES as readonly string[]).includes(normalized)) {
    throw new UsageError(`unknown setting ${JSON.stringify(name)}: one of ${SETTING_NAMES.join(', ')}`);
  }
  return normalized as SettingName;
}

/** Flags beat the environment, the environment beats the profile. */
export function resolveSettings(flags: Settings, env: NodeJS.ProcessEnv, profile: Partial<Record<SettingName, string>>): Settings {
  const settings: Settings = {};
  for (const setting of SETTING_NAMES) {
    const field = FIELD_OF[setting];
    const value = flags[field] ?? nonEmpty(env[ENV_OF[field]]) ?? profile[setting];
    if (value !== undefined) settings[field] = value;
  }
  return settings;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The profile named by `--profile`, else COS_PROFILE, else `default` (which may be absent). */
export async function loadSettings(flags: Settings & { profile?: string }, env: NodeJS.ProcessEnv = process.env): Promise<Settings> {
  const path = configPath(env);
  const profiles = await readProfiles(path);
  const name = flags.profile ?? nonEmpty(env.COS_PROFILE) ?? 'default';
  const profile = profiles[name];
  if (!profile && (flags.profile !== undefined || env.COS_PROFILE)) throw new UsageError(`no profile ${JSON.stringify(name)} in ${path}`);
  return resolveSettings(flags, env, profile ?? {});
}

/** What `config get|list` shows of a secret: enough to recognise it. */
export function masked(setting: SettingName, value: string): string {
  if (setting !== 'secret_key' && setting !== 'token') return value;
  return value.length <= 4 ? '****' : `${'*'.repeat(Math.min(12, value.length - 4))}${value.slice(-4)}`;
}
