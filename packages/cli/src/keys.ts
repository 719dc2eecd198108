/**
 * `cosbox keys add | list | remove`: accounts (root accounts and their sub-users) and their key
 * pairs, stored in the data directory's metadata, usable by a running server at once.
 * `cosbox keys grant | revoke | grants`: the CAM-style policy statements a root account attaches to
 * a sub-user (what it may do beyond the ACLs: create buckets, list them, act on the root's buckets).
 */
import type { Command } from 'commander';
import type { openMetadata } from '@cosbox/server';

/** The server package, loaded only by the keys commands (the client commands never need it). */
const server = () => import('@cosbox/server');

interface AddOptions {
  data: string;
  uin: string;
  appid?: string;
  parent?: string;
  secretId?: string;
  secretKey?: string;
}

async function add(o: AddOptions): Promise<void> {
  const meta = await (await server()).openMetadata(o.data, process.env.COSBOX_METADATA_URL);
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
    const generated = (await server()).newAccessKey();
    const key = { secretId: o.secretId ?? generated.secretId, secretKey: o.secretKey ?? generated.secretKey };
    await meta.putAccessKey({ ...key, uin: o.uin, createdAt: now });
    process.stdout.write(`SecretId  ${key.secretId}\nSecretKey ${key.secretKey}\nuin       ${o.uin}${rootUin === o.uin ? ' (root account)' : ` (sub-user of ${rootUin})`}\nappid     ${appid}\n`);
  } finally {
    await meta.close();
  }
}

async function list(o: { data: string }): Promise<void> {
  const meta = await (await server()).openMetadata(o.data, process.env.COSBOX_METADATA_URL);
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
  const meta = await (await server()).openMetadata(o.data, process.env.COSBOX_METADATA_URL);
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

interface GrantOptions {
  data: string;
  uin: string;
  action: string[];
  resource?: string[];
  deny?: boolean;
}

/** `name/cos:PutBucket`, `name/cos:Get*`, `name/cos:*` or `*`, as CAM policies name COS actions. */
const ACTION = /^(\*|name\/cos:[A-Za-z0-9*]+)$/;
/** `qcs::cos:<region>:uid/<appid>:<bucket>/<key>` with `*` anywhere, or `*`: printable ASCII, no spaces. */
const RESOURCE = /^[\x21-\x7e]+$/;

/** The statements a grant or revoke names: every action on every resource (default `*`). */
function statementsOf(o: GrantOptions): Array<{ uin: string; effect: 'allow' | 'deny'; action: string; resource: string }> {
  const bad = o.action.find((a) => !ACTION.test(a));
  if (bad !== undefined) throw new Error(`--action ${bad}: name a COS action like name/cos:PutBucket, name/cos:* or *`);
  const resources = o.resource ?? ['*'];
  const badResource = resources.find((r) => !RESOURCE.test(r));
  if (badResource !== undefined) throw new Error(`--resource ${JSON.stringify(badResource)}: a resource like qcs::cos:<region>:uid/<appid>:<bucket>/<key>, * anywhere`);
  const effect = o.deny ? 'deny' : 'allow';
  return o.action.flatMap((action) => resources.map((resource) => ({ uin: o.uin, effect, action, resource }) as const));
}

async function printGrants(meta: Awaited<ReturnType<typeof openMetadata>>, uin: string): Promise<void> {
  const grants = await meta.listGrants(uin);
  if (grants.length === 0) process.stdout.write(`sub-user ${uin} has no grants\n`);
  for (const g of grants) process.stdout.write(`${g.effect.padEnd(5)}  ${g.action}  ${g.resource}\n`);
}

async function grant(o: GrantOptions): Promise<void> {
  const meta = await (await server()).openMetadata(o.data, process.env.COSBOX_METADATA_URL);
  try {
    const account = await meta.getAccount(o.uin);
    if (!account || account.rootUin === account.uin) throw new Error(`no sub-user ${o.uin}: grants are for sub-users (a root account may do everything with its buckets)`);
    const now = Date.now();
    for (const statement of statementsOf(o)) await meta.putGrant({ ...statement, createdAt: now });
    await printGrants(meta, o.uin);
  } finally {
    await meta.close();
  }
}

async function revoke(o: GrantOptions): Promise<void> {
  const meta = await (await server()).openMetadata(o.data, process.env.COSBOX_METADATA_URL);
  try {
    let removed = 0;
    for (const statement of statementsOf(o)) if (await meta.deleteGrant(statement)) removed++;
    if (removed === 0) throw new Error(`sub-user ${o.uin} has no such grant`);
    await printGrants(meta, o.uin);
  } finally {
    await meta.close();
  }
}

async function grants(o: { data: string; uin: string }): Promise<void> {
  const meta = await (await server()).openMetadata(o.data, process.env.COSBOX_METADATA_URL);
  try {
    await printGrants(meta, o.uin);
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
  const statementOptions = (command: Command) =>
    command
      .requiredOption('--uin <uin>', 'the sub-user')
      .requiredOption('--action <action...>', 'COS actions: name/cos:PutBucket, name/cos:GetService, name/cos:*, ...')
      .option('--resource <resource...>', 'resources: qcs::cos:<region>:uid/<appid>:<bucket>/<key>, * anywhere (default *)')
      .option('--deny', 'a deny statement: it wins over any allow and over the ACLs')
      .option('--data <dir>', 'data directory', './data');
  statementOptions(keys.command('grant').description("attach policy statements to a sub-user: what it may do with its root account's rights")).action(action(grant));
  statementOptions(keys.command('revoke').description('remove policy statements from a sub-user')).action(action(revoke));
  keys
    .command('grants')
    .description("list a sub-user's policy statements")
    .requiredOption('--uin <uin>', 'the sub-user')
    .option('--data <dir>', 'data directory', './data')
    .action(action(grants));
}
