import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kysely, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient, type Transaction } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import pg from 'pg';
import type { Database } from './database-schema.ts';

export type Db = Kysely<Database>;
export type DbTransaction = Transaction<Database>;
/** Repository functions take either the database or a transaction, so the service decides the unit of work. */
export type DbExecutor = Db | DbTransaction;

// Dates come back as JavaScript Dates; `date` columns stay plain 'YYYY-MM-DD' strings (no time zone games).
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
// bigint counts (count(*)) are small enough to be numbers here.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number.parseInt(value, 10));

export function createDatabase(
  connectionString: string,
  poolSize: number,
  onIdleClientError: (error: Error) => void = () => undefined,
): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max: poolSize, application_name: 'parley' });
  // An idle connection can be cut by the server (a restart, a failover, or our own shutdown after pool.end(),
  // which does not wait for sockets to close). Without a listener that error would crash the process.
  pool.on('error', onIdleClientError);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool, onIdleClientError) }) });
  return { db, pool };
}

/**
 * Put this at the start of a statement whose best plan depends on its values (a trust's 10,000 conversations or a
 * school's 50; a rare word or a common one): it is then planned afresh each time rather than prepared.
 */
export const planEachTime = sql.raw('/* plan each time */ ');
const planEachTimeMarker = '/* plan each time */';

/** A bound on the statements kept prepared per connection (each costs the server a little memory). */
const preparedStatementsPerConnection = 300;

/** "cached plan must not change result type": a table a prepared statement reads was altered (a deployment's migration). */
function isStalePreparedStatement(error: unknown): boolean {
  return (
    (error as { code?: unknown }).code === '0A000' &&
    String((error as { message?: unknown }).message).includes('cached plan')
  );
}

/**
 * Statements with parameters are prepared once per connection (named after their text) and then reused, so the
 * server parses and rewrites them once, and plans them once when a generic plan is as good as a fresh one (after
 * five runs). Planning was 40-60% of the database's CPU on the hot paths, most of it for the same few statements
 * (docs/performance.md). Statements without parameters (migrations, transaction control) and those marked
 * planEachTime run as before.
 *
 * If a migration changes what a prepared statement returns, PostgreSQL refuses to run it again: that connection is
 * then closed when it goes back to the pool (a new one prepares afresh), and a statement outside a transaction is
 * run again at once, unprepared.
 */
export function preparingPool(pool: pg.Pool, onClientError: (error: Error) => void): PostgresPool {
  return {
    options: pool.options,
    end: () => pool.end(),
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      // The pool listens for errors only on idle connections. A connection checked out between two statements (in a
      // transaction, say) that the server cuts (a restart: "terminating connection due to administrator command")
      // emits 'error' with nobody listening, which would end the process. Listen while it is out; the statement that
      // uses it next fails as usual, and the broken connection is closed rather than returned to the pool.
      let broken = false;
      const onError = (error: Error): void => {
        broken = true;
        onClientError(error);
      };
      client.on('error', onError);
      const parsed = (client as unknown as { connection: { parsedStatements: Record<string, unknown> } }).connection
        .parsedStatements;
      let prepared = Object.keys(parsed).length;
      let inTransaction = false;
      let stale = false;
      const prepareAndRun = async (name: string, text: string, values: unknown[]): Promise<unknown> => {
        try {
          return await client.query({ name, text, values });
        } catch (error) {
          if (!isStalePreparedStatement(error)) throw error;
          stale = true;
          if (inTransaction) throw error;
          return client.query(text, values);
        }
      };
      const query = (text: unknown, values?: readonly unknown[]): unknown => {
        if (typeof text === 'string' && /^\s*(begin|start transaction)\b/i.test(text)) inTransaction = true;
        if (typeof text === 'string' && /^\s*(commit|rollback|end)\b/i.test(text)) inTransaction = false;
        if (typeof text !== 'string' || !values?.length || text.startsWith(planEachTimeMarker) || stale) {
          return client.query(text as string, values as unknown[]);
        }
        const name = `parley_${createHash('sha1').update(text).digest('base64url')}`;
        if (!(name in parsed)) {
          if (prepared >= preparedStatementsPerConnection) return client.query(text, [...values]);
          prepared += 1;
        }
        return prepareAndRun(name, text, [...values]);
      };
      return {
        query: query as PostgresPoolClient['query'],
        release: (destroy?: boolean) => {
          client.off('error', onError);
          client.release(destroy ?? (stale || broken));
        },
      };
    },
  };
}

export const migrationsFolder = path.resolve(import.meta.dirname, '../../migrations');

class FolderMigrationProvider implements MigrationProvider {
  readonly folder: string;
  constructor(folder: string) {
    this.folder = folder;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(this.folder)).filter((file) => /^\d{4}-[a-z0-9-]+\.ts$/.test(file)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      migrations[file.replace(/\.ts$/, '')] = (await import(
        pathToFileURL(path.join(this.folder, file)).href
      )) as Migration;
    }
    return migrations;
  }
}

/** Applies every pending migration; throws (failing the start) if any fails. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new FolderMigrationProvider(migrationsFolder) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(
      `Migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
