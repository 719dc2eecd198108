/**
 * `cosbox keys add | list | remove`: accounts (root accounts and their sub-users) and their key
 * pairs, stored in the data directory's metadata, usable by a running server at once.
 */
import type { Command } from 'commander';
import { newAccessKey, openMetadataStore } from '@cosbox/server';

interface AddOptions {
  data: string;
  uin: string;
  appid?: string;
  parent?: string;
  secretId?: string;
  secretKey?: string;
}

async function add(o: AddOptions): Promise<void> {
  const meta = openMetadataStore(o.data);
  try {
    let appid = o.appid;
    let rootUin = o.uin;
    if (o.parent !== undefined) {
      const parent = await meta.getAccount(o.parent);
      if (!parent || parent.rootUin !== parent.uin) throw new Error(`no root account ${o.parent}: add it first`);
      if (appid !== undefined && appid !== parent.appid) throw new Error(`a sub-user has its root account's appid, ${parent.appid}`);
      appid = parent.appid;
      rootUin = parent.uin;
    }
    const existing = await meta.getAccount(o.uin);
    if (existing && existing.rootUin !== rootUin) throw new Error(`account ${o.uin} exists under root account ${existing.rootUin}`);
    appid ??= existing?.appid;
    if (appid === undefined || !/^\d+$/.test(appid)) throw new Error('a new root account needs --appid (a number, like 1250000000)');
    if (!/^\d+$/.test(o.uin)) throw new Error('--uin must be a number');
    const now = Date.now();
    await meta.putAccount({ uin: o.uin, appid, rootUin, createdAt: existing?.createdAt ?? now });
    const generated = newAccessKey();
    const key = { secretId: o.secretId ?? generated.secretId, secretKey: o.secretKey ?? generated.secretKey };
    await meta.putAccessKey({ ...key, uin: o.uin, createdAt: now });
    process.stdout.write(`SecretId  ${key.secretId}\nSecretKey ${key.secretKey}\nuin       ${o.uin}${rootUin === o.uin ? ' (root account)' : ` (sub-user of ${rootUin})`}\nappid     ${appid}\n`);
  } finally {
    await meta.close();
  }
}

async function list(o: { data: string }): Promise<void> {
  const meta = openMetadataStore(o.data);
  try {
    const accounts = new Map((await meta.listAccounts()).map((a) => [a.uin, a]));
    const rows = [['SecretId', 'uin', 'root uin', 'appid', 'created']];
    for (const k of await meta.listAccessKeys()) {
      const a = accounts.get(k.uin);
      rows.push([k.secretId, k.uin, a?.rootUin ?? '?', a?.appid ?? '?', new Date(k.createdAt).toISOString()]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) process.stdout.write(r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd() + '\n');
  } finally {
    await meta.close();
  }
}

async function remove(secretId: string | undefined, o: { data: string; account?: string }): Promise<void> {
  const meta = openMetadataStore(o.data);
  try {
    if (o.account !== undefined) {
      await meta.deleteAccount(o.account);
      process.stdout.write(`removed account ${o.account} and its keys\n`);
      return;
    }
    if (secretId === undefined) throw new Error('name a SecretId, or --account UIN');
    if (!(await meta.deleteAccessKey(secretId))) throw new Error(`no key ${secretId}`);
    process.stdout.write(`removed key ${secretId}\n`);
  } finally {
    await meta.close();
  }
}

/** Runs an action, turning a thrown error into one line on stderr and exit status 1. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      process.stderr.write(`cosbox keys: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  };
}

export function keysCommand(program: Command): void {
  const keys = program.command('keys').description('manage accounts and their key pairs in a data directory');
  keys
    .command('add')
    .description('add a key pair for an account, creating the account (root, or --parent for a sub-user) when new')
    .requiredOption('--uin <uin>', 'the account uin')
    .option('--appid <appid>', 'APPID of a new root account')
    .option('--parent <uin>', 'make the account a sub-user of this root account')
    .option('--secret-id <id>', 'SecretId to use instead of a generated one')
    .option('--secret-key <key>', 'SecretKey to use instead of a generated one')
    .option('--data <dir>', 'data directory', './data')
    .action(action(add));
  keys.command('list').description('list key pairs with their accounts').option('--data <dir>', 'data directory', './data').action(action(list));
  keys
    .command('remove [secretId]')
    .description('remove a key pair, or with --account an account with its keys (and sub-users)')
    .option('--account <uin>', 'remove this account instead')
    .option('--data <dir>', 'data directory', './data')
    .action(action(remove));
}
