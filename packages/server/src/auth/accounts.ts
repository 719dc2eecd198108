/**
 * Accounts and their key pairs, kept in the metadata store (managed with `cosbox keys`). A root
 * account is a uin plus an appid (the number in every bucket name it owns); a sub-user has its own
 * uin under a root account; a key pair is a SecretId/SecretKey that signs as one of them.
 */
import type { MetadataStore } from '../storage/metadata/store.js';

export interface Account {
  uin: string;
  appid: string;
  /** The root account: the account itself for a root account. */
  rootUin: string;
}

export interface Credential {
  secretId: string;
  secretKey: string;
  account: Account;
  /** When the key pair was added: a pair removed and added again is another pair. */
  createdAt: number;
}

/** The CAM id COS prints for an account: `qcs::cam::uin/<root>:uin/<uin>` (C118). */
export function camId(account: Pick<Account, 'uin'> & Partial<Pick<Account, 'rootUin'>>): string {
  return `qcs::cam::uin/${account.rootUin ?? account.uin}:uin/${account.uin}`;
}

export class Accounts {
  constructor(private readonly meta: MetadataStore) {}

  /** The key pair and its account, looked up on every request so that new keys work at once. */
  async credential(secretId: string): Promise<Credential | undefined> {
    const key = await this.meta.getAccessKey(secretId);
    const account = key && (await this.meta.getAccount(key.uin));
    if (!key || !account) return undefined;
    return { secretId, secretKey: key.secretKey, account: { uin: account.uin, appid: account.appid, rootUin: account.rootUin }, createdAt: key.createdAt };
  }
}

/** Makes the configured root account and its key pair exist: the environment credentials are the first root account. */
export async function ensureRootAccount(meta: MetadataStore, root: { uin: string; appid: string; secretId: string; secretKey: string }, now: number): Promise<void> {
  const existing = await meta.getAccount(root.uin);
  await meta.putAccount({ uin: root.uin, appid: root.appid, rootUin: root.uin, createdAt: existing?.createdAt ?? now });
  const key = await meta.getAccessKey(root.secretId);
  await meta.putAccessKey({ secretId: root.secretId, secretKey: root.secretKey, uin: root.uin, createdAt: key?.createdAt ?? now });
}
