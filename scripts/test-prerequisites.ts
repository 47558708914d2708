import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Tools from Debian that the tests need. `npm test` installs them itself when it can (as root, with apt-get), so the
 * README's `npm install && npm test` is enough on a fresh Debian machine; otherwise it stops with the exact command.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const clamdPath = process.env.CLAMD_PATH ?? '/usr/sbin/clamd';

/** Chromium for the browser tests, clamd for the malware scanner tests, and fonts so pages render the same. */
export const debianPackages = ['chromium', 'clamav-daemon', 'fonts-liberation'] as const;

/** The commands that install them, in order: apt-get's package lists first, as a fresh machine has none. */
export const installCommands: readonly (readonly string[])[] = [
  ['apt-get', 'update'],
  ['apt-get', 'install', '-y', '--no-install-recommends', ...debianPackages],
];

export interface MissingTool {
  /** What the tool is for and where it was looked for. */
  reason: string;
}

export function missingTools(
  needs: { browser: boolean; clamd: boolean },
  exists: (file: string) => boolean = existsSync,
): MissingTool[] {
  const missing: MissingTool[] = [];
  if (needs.browser && !exists(chromiumPath)) {
    missing.push({ reason: `Chromium is needed for the browser tests but ${chromiumPath} does not exist.` });
  }
  if (needs.clamd && !exists(clamdPath)) {
    missing.push({ reason: `ClamAV's clamd is needed for the malware scanner tests but ${clamdPath} does not exist.` });
  }
  return missing;
}

export type InstallPlan =
  | { action: 'none' }
  | { action: 'install'; commands: readonly (readonly string[])[] }
  | { action: 'stop'; message: string };

/** What to do about missing tools: nothing, install them (root with apt-get), or stop and say how to install them. */
export function installPlan(
  missing: readonly MissingTool[],
  machine: { isRoot: boolean; hasAptGet: boolean },
): InstallPlan {
  if (missing.length === 0) return { action: 'none' };
  if (machine.isRoot && machine.hasAptGet) return { action: 'install', commands: installCommands };
  const command = installCommands.map((words) => words.join(' ')).join(' && ');
  const howTo = machine.hasAptGet
    ? `Install them as root (then run the tests again):\n  sudo sh -c '${command}'`
    : `This machine has no apt-get. On Debian or Ubuntu, as root:\n  ${command}\n` +
      'Elsewhere, install Chromium and ClamAV (clamd) and set CHROMIUM_PATH and CLAMD_PATH to where they are.';
  return { action: 'stop', message: [...missing.map((tool) => tool.reason), howTo].join('\n') };
}

export function hasExecutable(name: string, searchPath = process.env.PATH ?? ''): boolean {
  return searchPath
    .split(path.delimiter)
    .filter(Boolean)
    .some((directory) => {
      try {
        accessSync(path.join(directory, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

function runShown(words: readonly string[]): Promise<number> {
  const [command, ...args] = words;
  if (!command) return Promise.resolve(1);
  process.stdout.write(`\n$ ${words.join(' ')}\n`);
  return new Promise((resolve) => {
    // apt-get's own progress goes straight to the terminal (or the CI log).
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * Makes sure the tools are there: installs the Debian packages when missing and allowed to, or returns the message to
 * stop with. Resolves to undefined when the tests can run.
 */
export async function ensureTools(needs: { browser: boolean; clamd: boolean }): Promise<string | undefined> {
  const missing = missingTools(needs);
  const plan = installPlan(missing, {
    isRoot: process.getuid?.() === 0,
    hasAptGet: hasExecutable('apt-get'),
  });
  if (plan.action === 'none') return undefined;
  if (plan.action === 'stop') return plan.message;
  process.stdout.write(
    `${missing.map((tool) => tool.reason).join('\n')}\n` +
      `Installing the Debian packages ${debianPackages.join(', ')} (running as root with apt-get; this takes a few minutes).\n`,
  );
  for (const [index, words] of plan.commands.entries()) {
    process.stdout.write(`\n[${index + 1}/${plan.commands.length}] `);
    const code = await runShown(words);
    if (code !== 0) {
      const command = plan.commands.map((each) => each.join(' ')).join(' && ');
      return `\`${words.join(' ')}\` failed (exit code ${code}). Fix the problem above, or install by hand:\n  ${command}`;
    }
  }
  const stillMissing = missingTools(needs);
  if (stillMissing.length) {
    return `${stillMissing.map((tool) => tool.reason).join('\n')}\nThe packages were installed but the tools are still missing.`;
  }
  process.stdout.write('\nThe Debian packages are installed.\n\n');
  return undefined;
}
