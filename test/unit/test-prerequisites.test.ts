import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { installCommands, installPlan, missingTools } from '../../scripts/test-prerequisites.ts';

describe('npm test on a fresh machine', () => {
  const nothing = (): boolean => false;
  const missing = missingTools({ browser: true, clamd: true }, nothing);

  test('names each missing tool, only for the layers being run', () => {
    assert.equal(missing.length, 2);
    assert.match(missing[0]?.reason ?? '', /^Chromium is needed for the browser tests/);
    assert.match(missing[1]?.reason ?? '', /^ClamAV's clamd is needed for the malware scanner tests/);
    assert.deepEqual(missingTools({ browser: false, clamd: false }, nothing), []);
    assert.deepEqual(
      missingTools({ browser: true, clamd: true }, () => true),
      [],
    );
  });

  test('nothing to do when nothing is missing', () => {
    assert.deepEqual(installPlan([], { isRoot: false, hasAptGet: false }), { action: 'none' });
  });

  test('as root with apt-get: update the package lists, then install the packages', () => {
    assert.deepEqual(installPlan(missing, { isRoot: true, hasAptGet: true }), {
      action: 'install',
      commands: installCommands,
    });
    assert.deepEqual(
      installCommands.map((words) => words.join(' ')),
      ['apt-get update', 'apt-get install -y --no-install-recommends chromium clamav-daemon fonts-liberation'],
    );
  });

  test('otherwise: stop with the exact command to run', () => {
    const notRoot = installPlan(missing, { isRoot: false, hasAptGet: true });
    assert.ok(notRoot.action === 'stop');
    assert.match(
      notRoot.message,
      /sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends chromium clamav-daemon fonts-liberation'/,
    );
    const noApt = installPlan(missing, { isRoot: true, hasAptGet: false });
    assert.ok(noApt.action === 'stop');
    assert.match(noApt.message, /no apt-get/);
    assert.match(noApt.message, /CHROMIUM_PATH and CLAMD_PATH/);
  });
});
