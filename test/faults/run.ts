/**
 * `npm run test:faults`: the fault suite. Each file starts its own PostgreSQL (an embedded cluster it can stop), SMTP
 * server, clamd where needed, and Parley as real processes, then breaks one thing under load. The files run one
 * after the other (each drives two web processes and a worker on its own), and print one FAULT REPORT line each.
 */
import { spawn } from 'node:child_process';
import { glob } from 'node:fs/promises';
import { projectRoot } from '../../src/config.ts';
import { ensureTools } from '../../scripts/test-prerequisites.ts';

// As `npm test` does: on a fresh Debian machine, as root, ClamAV is installed; otherwise the command says how.
const problem = await ensureTools({ browser: false, clamd: true });
if (problem) {
  process.stderr.write(`\n${problem}\n\n`);
  process.exit(1);
}
const filters = process.argv.slice(2);
const files: string[] = [];
for await (const file of glob('test/faults/*.test.ts', { cwd: projectRoot })) {
  if (filters.length === 0 || filters.some((filter) => file.includes(filter))) files.push(file);
}
files.sort();
const child = spawn(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=600000', ...files],
  { stdio: 'inherit', cwd: projectRoot, env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
