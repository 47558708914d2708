/**
 * The benchmark's own database: a dedicated embedded cluster (`bench-postgres`, its own port and folder, never the
 * development or test data) unless DATABASE_URL names a server, and on it a database `parley_bench`.
 */
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../src/config.ts';
import { createDatabase, migrateToLatest } from '../src/platform/db.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/platform/embedded-postgres.ts';
import { freePort } from '../test/support/ports.ts';

export const benchDatabaseName = 'parley_bench';

export interface BenchServer {
  /** A connection string for a database on the server. */
  url(database: string): string;
  embedded: boolean;
  stop(): Promise<void>;
}

export { freePort };

export async function startBenchServer(log: (line: string) => void): Promise<BenchServer> {
  const given = process.env.DATABASE_URL;
  if (given) {
    log(`PostgreSQL: the server at DATABASE_URL`);
    return {
      url: (database) => {
        const url = new URL(given);
        url.pathname = `/${database}`;
        return url.toString();
      },
      embedded: false,
      stop: () => Promise.resolve(),
    };
  }
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres({
    projectRoot,
    dataDir: path.join(projectRoot, '.data'),
    port: await freePort(),
    clusterName: 'bench-postgres',
  });
  log(`PostgreSQL: embedded cluster bench-postgres in ${embedded.dataDir}, port ${embedded.port}`);
  // A bulk load writes several GB of WAL: fewer checkpoints while it runs (this cluster is the benchmark's own).
  await withClient(embedded.connectionString('postgres'), async (client) => {
    await client.query(`alter system set max_wal_size = '8GB'`);
    await client.query(`select pg_reload_conf()`);
  });
  return { url: (database) => embedded.connectionString(database), embedded: true, stop: () => embedded.stop() };
}

export async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, application_name: 'parley-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** What the database holds, recorded as its comment once a load has finished. */
export async function loadedScale(server: BenchServer): Promise<number | null> {
  return withClient(server.url('postgres'), async (client) => {
    const { rows } = await client.query<{ comment: string | null }>(
      `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
      [benchDatabaseName],
    );
    const match = /^parley-bench scale=([\d.]+)$/.exec(rows[0]?.comment ?? '');
    return match?.[1] ? Number(match[1]) : null;
  });
}

export async function markLoaded(server: BenchServer, scale: number): Promise<void> {
  await withClient(server.url('postgres'), (client) =>
    client.query(`comment on database ${benchDatabaseName} is 'parley-bench scale=${scale}'`),
  );
}

/** A new, empty, migrated parley_bench (any earlier one is dropped). */
export async function recreateDatabase(server: BenchServer): Promise<void> {
  await withClient(server.url('postgres'), async (client) => {
    await client.query(`drop database if exists ${benchDatabaseName} with (force)`);
    await client.query(`create database ${benchDatabaseName}`);
  });
  const { db } = createDatabase(server.url(benchDatabaseName), 2);
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

/** Applies migrations added since the data was loaded (an index being tried, say). */
export async function migrate(server: BenchServer): Promise<string[]> {
  const { db } = createDatabase(server.url(benchDatabaseName), 2);
  try {
    return await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}
