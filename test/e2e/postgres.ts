/**
 * PostgreSQL for e2e tests: one private cluster per test file (process), started on first use and
 * stopped when the process exits, and a fresh database for each server or group of gateways.
 * `COSBOX_TEST_METADATA=postgres` makes every harness server of the process use it.
 */
import pg from 'pg';
import { startTestCluster, type TestCluster } from '../../packages/server/src/storage/metadata/postgres/test-cluster.js';

let cluster: Promise<TestCluster> | undefined;
let databases = 0;

export function usePostgres(): boolean {
  return process.env.COSBOX_TEST_METADATA === 'postgres';
}

/** The URL of a new, empty database on this process's cluster. */
export async function freshDatabase(): Promise<string> {
  cluster ??= startTestCluster('postgres_admin');
  const { url } = await cluster;
  const name = `cosbox_${process.pid}_${databases++}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return url.replace(/\/[^/]*$/, `/${name}`);
}

/** Stops the cluster now (it is also stopped when the process exits). */
export async function stopPostgres(): Promise<void> {
  if (cluster) (await cluster).stop();
  cluster = undefined;
}
