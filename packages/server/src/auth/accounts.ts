/**
 * Accounts and their key pairs. A root account is a uin plus an appid (the number in every bucket
 * name it owns); a key pair is a SecretId/SecretKey that signs as that account.
 */
export interface Account {
  uin: string;
  appid: string;
}

export interface Credential {
  secretId: string;
  secretKey: string;
  account: Account;
}

/** The CAM id COS prints for a root account: `qcs::cam::uin/<uin>:uin/<uin>` (C118). */
export function camId(account: Account): string {
  return `qcs::cam::uin/${account.uin}:uin/${account.uin}`;
}

export class Accounts {
  private readonly byId = new Map<string, Credential>();

  constructor(credentials: readonly Credential[]) {
    for (const c of credentials) this.byId.set(c.secretId, c);
  }

  credential(secretId: string): Credential | undefined {
    return this.byId.get(secretId);
  }
}
