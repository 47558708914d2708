import { existsSync } from 'node:fs';

/** Tools from Debian that the tests need, and exactly how to install each. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const clamdPath = process.env.CLAMD_PATH ?? '/usr/sbin/clamd';

export function missingTools(needs: { browser: boolean; clamd: boolean }): string[] {
  const missing: string[] = [];
  if (needs.browser && !existsSync(chromiumPath)) {
    missing.push(
      `Chromium is needed for the browser tests but ${chromiumPath} does not exist. Install it with:\n  apt-get install -y chromium`,
    );
  }
  if (needs.clamd && !existsSync(clamdPath)) {
    missing.push(
      `ClamAV's clamd is needed for the malware scanner tests but ${clamdPath} does not exist. Install it with:\n  apt-get install -y clamav-daemon`,
    );
  }
  return missing;
}
