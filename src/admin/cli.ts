import net from 'node:net';
import { ConfigError, loadConfig, type AppConfig } from '../config.ts';
import { hashPassword } from '../accounts/password.ts';
import { createDatabase, migrateToLatest, type Db } from '../platform/db.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../platform/embedded-postgres.ts';
import {
  commandNeedsPassword,
  newPasswordProblems,
  newPasswordVariable,
  parseAdminArguments,
  passwordSourceProblems,
  usageText,
} from './arguments.ts';
import { checkAdminCommand, runAdminCommand, type DatabaseCommand } from './commands.ts';
import { askHidden } from './password-prompt.ts';

/**
 * `npm run admin -- <command> [options]`: the I/O around the pure parsing in arguments.ts and the transaction in
 * commands.ts. Connects like the app (DATABASE_URL, or the embedded PostgreSQL), applies migrations, runs one
 * command, stops everything.
 */

export const exitCodes = { done: 0, failed: 1, usage: 2, cancelled: 130 } as const;

export interface CliStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const helpHint = 'Run `npm run admin -- help` to see how to use it.';

function writeLines(stream: NodeJS.WritableStream, lines: readonly string[]): void {
  if (lines.length) stream.write(`${lines.join('\n')}\n`);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

class CliProblem extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The resources one run holds, released in reverse order whatever happens. */
class Connection {
  db: Db | undefined;
  embedded: EmbeddedDatabase | undefined;
  private closing: Promise<void> | undefined;

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.db?.destroy();
      await this.embedded?.stop();
    })();
    return this.closing;
  }
}

async function connect(config: AppConfig, connection: Connection, stderr: NodeJS.WritableStream): Promise<Db> {
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    const port = config.database.embeddedPort;
    // Starting the embedded server would stop one already running for this data folder, under a running Parley.
    if (await isListening(port)) {
      throw new CliProblem(
        `Port ${port} is already in use, probably by a running Parley and its embedded PostgreSQL: stop it first, or set DATABASE_URL`,
        exitCodes.failed,
      );
    }
    stderr.write('Starting the embedded PostgreSQL...\n');
    connection.embedded = await startEmbeddedPostgres({
      projectRoot: config.projectRoot,
      dataDir: config.dataDir,
      port,
    });
    await connection.embedded.createDatabaseIfMissing('parley');
    databaseUrl = connection.embedded.connectionString('parley');
  }
  const { db } = createDatabase(databaseUrl, 2);
  connection.db = db;
  const applied = await migrateToLatest(db);
  if (applied.length) stderr.write(`Applied migrations: ${applied.join(', ')}\n`);
  return db;
}

/** Asks twice, as nobody can see what they typed. Only called when stdin is a terminal. */
async function promptForNewPassword(streams: CliStreams): Promise<string> {
  const password = await askHidden('New password: ', streams.stdin, streams.stderr);
  if (password === undefined) throw new CliProblem('Cancelled: nothing was changed', exitCodes.cancelled);
  const problems = newPasswordProblems(password, 'The password');
  if (problems.length) throw new CliProblem(problems.join('\n'), exitCodes.usage);
  const again = await askHidden('Type the password again: ', streams.stdin, streams.stderr);
  if (again === undefined) throw new CliProblem('Cancelled: nothing was changed', exitCodes.cancelled);
  if (again !== password) throw new CliProblem('The passwords do not match: nothing was changed', exitCodes.usage);
  return password;
}

async function execute(
  command: DatabaseCommand,
  environmentPassword: string | undefined,
  config: AppConfig,
  connection: Connection,
  streams: CliStreams,
): Promise<number> {
  const db = await connect(config, connection, streams.stderr);
  let passwordHash: string | undefined;
  if (commandNeedsPassword(command.command)) {
    let password = environmentPassword;
    if (password === undefined) {
      // Say what is wrong before asking someone to type a password.
      const problems = await checkAdminCommand(db, command);
      if (problems.length) {
        writeLines(streams.stderr, [...problems, 'Nothing was changed.']);
        return exitCodes.usage;
      }
      password = await promptForNewPassword(streams);
    }
    passwordHash = await hashPassword(password);
  }
  const outcome = await runAdminCommand(db, command, passwordHash);
  if (!outcome.ok) {
    writeLines(streams.stderr, [...outcome.problems, 'Nothing was changed.']);
    return exitCodes.usage;
  }
  writeLines(streams.stdout, [outcome.output]);
  writeLines(streams.stderr, outcome.notes);
  return exitCodes.done;
}

/** Runs one admin command and returns the exit code. Reads the environment it is given, never process.env. */
export async function runAdminCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  streams: CliStreams,
): Promise<number> {
  const parsed = parseAdminArguments(argv);
  if (parsed.ok && parsed.command.command === 'help') {
    streams.stdout.write(usageText);
    return exitCodes.done;
  }
  const problems = parsed.ok ? [] : [...parsed.problems];
  const environmentPassword = env[newPasswordVariable];
  const commandName = parsed.ok ? parsed.command.command : parsed.command;
  if (commandName && commandNeedsPassword(commandName)) {
    problems.push(...passwordSourceProblems(environmentPassword, streams.stdin.isTTY));
  }
  if (!parsed.ok || problems.length) {
    writeLines(streams.stderr, [...problems, helpHint]);
    return exitCodes.usage;
  }
  const command = parsed.command;
  if (command.command === 'help') return exitCodes.done; // handled above; narrows the type

  let config: AppConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      writeLines(streams.stderr, [error.message]);
      return exitCodes.failed;
    }
    throw error;
  }

  const connection = new Connection();
  const stopOnSignal = (signal: NodeJS.Signals): void => {
    streams.stderr.write(`\n${signal}: stopping\n`);
    void connection.close().finally(() => process.exit(exitCodes.cancelled));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    return await execute(command, environmentPassword, config, connection, streams);
  } catch (error) {
    if (error instanceof CliProblem) {
      writeLines(streams.stderr, [error.message]);
      return error.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    writeLines(streams.stderr, [`The admin command failed: ${detail}`]);
    return exitCodes.failed;
  } finally {
    await connection.close();
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  }
}

if (import.meta.main) {
  const exitCode = await runAdminCli(process.argv.slice(2), process.env, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  });
  // Explicitly: once loaded, embedded-postgres (through async-exit-hook) turns 'beforeExit' into process.exit(0),
  // which would lose process.exitCode.
  process.exit(exitCode);
}
