import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../src/config.ts';
import { freePort } from './ports.ts';

/** Parley started as a real process (`node src/main.ts`, as `npm start`, `npm run web` or `npm run worker` do). */
export interface ParleyProcess {
  child: ChildProcess;
  /** The web port, for processes that serve the web. */
  port: number;
  url: string;
  readyMs: number;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

/**
 * Starts the service and waits until it is ready: a web process answers /ready; a worker logs "Parley is ready".
 * The environment is only what is passed (plus PATH), so nothing leaks in from the test runner.
 */
export async function startParley(options: {
  mode?: 'all' | 'web' | 'worker';
  env: Record<string, string>;
  timeoutMs?: number;
}): Promise<ParleyProcess> {
  const mode = options.mode ?? 'all';
  const port = mode === 'worker' ? 0 : await freePort();
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['src/main.ts', ...(mode === 'all' ? [] : [`--${mode}`])], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Parley (${mode}) exited with ${child.exitCode}:\n${output}`);
    if (mode === 'worker') {
      if (output.includes('Parley is ready')) break;
    } else {
      const ready = await fetch(`${url}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (Date.now() >= deadline) {
    child.kill('SIGKILL');
    throw new Error(`Parley (${mode}) was not ready in time:\n${output}`);
  }
  return {
    child,
    port,
    url,
    readyMs: Math.round(performance.now() - startedAt),
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited(child);
    },
  };
}
