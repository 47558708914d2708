import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { projectRoot } from '../../src/config.ts';
import { createAccountsService } from '../../src/accounts/service.ts';
import { createDatabase } from '../../src/platform/db.ts';
import { testDatabaseUrl } from '../support/context.ts';
import { createOrganisation, createStaff } from '../support/factories.ts';

/**
 * The admin command line as an operator runs it: a real child process against the test database, with the password
 * in PARLEY_NEW_PASSWORD and stdin not a terminal.
 */

const cliPath = path.join(projectRoot, 'src/admin/cli.ts');
const password = `admin-cli-${randomUUID()}`;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const { db } = createDatabase(testDatabaseUrl(), 2);
after(() => db.destroy());

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], options: { password?: string } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: testDatabaseUrl() };
  if (options.password !== undefined) env.PARLEY_NEW_PASSWORD = options.password;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function name(label: string): string {
  return `${label} ${randomUUID()}`;
}

function email(label: string): string {
  return `${label}-${randomUUID()}@admin-cli.example`;
}

/** Runs a command that should succeed and returns what it printed on stdout. */
async function succeed(args: string[], options: { password?: string } = {}): Promise<string> {
  const run = await runCli(args, options);
  assert.equal(run.code, 0, `exit ${String(run.code)}\n${run.stderr}`);
  return run.stdout.trim();
}

/** Runs a command that should be refused as a usage error and returns its stderr lines. */
async function refuse(args: string[], options: { password?: string } = {}): Promise<string[]> {
  const run = await runCli(args, options);
  assert.equal(run.code, 2, `exit ${String(run.code)}\n${run.stdout}\n${run.stderr}`);
  assert.equal(run.stdout, '', 'nothing is printed on stdout when a command is refused');
  return run.stderr.trim().split('\n');
}

async function userCount(address: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('email', '=', address.toLowerCase())
    .executeTakeFirstOrThrow();
  return row.count;
}

test('sets up a trust, a school, a member of staff and a jobseeker who can then sign in', async () => {
  const trustName = name('Admin CLI Trust');
  const schoolName = name('Admin CLI Primary School');

  const trustId = await succeed(['create-organisation', '--name', trustName, '--kind', 'multi_academy_trust']);
  assert.match(trustId, uuid);
  const schoolId = await succeed(['create-organisation', '--name', schoolName, '--kind', 'school']);
  assert.match(schoolId, uuid);
  const organisations = await db
    .selectFrom('organisations')
    .select(['id', 'name', 'kind'])
    .where('id', 'in', [trustId, schoolId])
    .execute();
  assert.deepEqual(
    organisations.sort((a, b) => a.name.localeCompare(b.name)),
    [
      { id: schoolId, name: schoolName, kind: 'school' },
      { id: trustId, name: trustName, kind: 'multi_academy_trust' },
    ].sort((a, b) => a.name.localeCompare(b.name)),
  );

  // The group by its id, the school by its name in another case.
  const added = await succeed(['add-school-to-group', '--group', trustId, '--school', schoolName.toUpperCase()]);
  assert.equal(added, `${JSON.stringify(schoolName)} is now in ${JSON.stringify(trustName)}`);
  const again = await succeed(['add-school-to-group', '--group', trustName, '--school', schoolId]);
  assert.equal(again, `${JSON.stringify(schoolName)} was already in ${JSON.stringify(trustName)}`);
  const members = await db.selectFrom('school_group_members').selectAll().where('group_id', '=', trustId).execute();
  assert.deepEqual(members, [{ group_id: trustId, school_id: schoolId }]);

  const staffEmail = email('Staff');
  const staffId = await succeed(
    [
      'create-staff',
      '--email',
      `  ${staffEmail.toUpperCase()} `,
      '--name',
      'Claire Davies',
      '--organisation',
      trustName,
    ],
    { password },
  );
  assert.match(staffId, uuid);
  const jobseekerEmail = email('jobseeker');
  const jobseekerId = await succeed(['create-jobseeker', '--email', jobseekerEmail, '--name', 'Sam Taylor'], {
    password,
  });
  assert.match(jobseekerId, uuid);

  const users = await db
    .selectFrom('users')
    .select(['id', 'kind', 'email', 'full_name'])
    .where('id', 'in', [staffId, jobseekerId])
    .execute();
  assert.deepEqual(
    users.sort((a, b) => a.kind.localeCompare(b.kind)),
    [
      { id: jobseekerId, kind: 'jobseeker', email: jobseekerEmail.toLowerCase(), full_name: 'Sam Taylor' },
      { id: staffId, kind: 'staff', email: staffEmail.toLowerCase(), full_name: 'Claire Davies' },
    ],
  );
  const memberships = await db.selectFrom('staff_memberships').selectAll().where('user_id', '=', staffId).execute();
  // The bootstrap account administers its organisation: it invites everyone else in the web pages.
  assert.deepEqual(memberships, [{ user_id: staffId, organisation_id: trustId, role: 'admin' }]);

  const accounts = createAccountsService({ db, signInAttemptsPer15Minutes: 10 });
  const clientAddress = `admin-cli-test-${randomUUID()}`;
  const staff = await accounts.signIn({ email: staffEmail, password, clientAddress });
  assert.equal(staff.outcome, 'signed-in');
  assert.deepEqual(staff.user, {
    id: staffId,
    kind: 'staff',
    email: staffEmail.toLowerCase(),
    fullName: 'Claire Davies',
    organisationNames: [trustName],
    emailVerified: true,
  });
  const jobseeker = await accounts.signIn({ email: jobseekerEmail, password, clientAddress });
  assert.equal(jobseeker.outcome, 'signed-in');
  assert.equal(
    (await accounts.signIn({ email: jobseekerEmail, password: 'not-the-password', clientAddress })).outcome,
    'wrong-credentials',
  );
});

test('a member of staff may belong to several organisations', async () => {
  const school = await createOrganisation(db, 'school', name('Admin CLI School'));
  const authority = await createOrganisation(db, 'local_authority', name('Admin CLI Council'));
  const staffEmail = email('two-places');
  const staffId = await succeed(
    [
      'create-staff',
      '--email',
      staffEmail,
      '--name',
      'Eve Morgan',
      '--organisation',
      school.id,
      '--organisation',
      authority.name,
      '--organisation',
      school.name,
    ],
    { password },
  );
  const memberships = await db
    .selectFrom('staff_memberships')
    .select('organisation_id')
    .where('user_id', '=', staffId)
    .execute();
  assert.deepEqual(memberships.map((m) => m.organisation_id).sort(), [school.id, authority.id].sort());
});

test('help, --help and no arguments print the usage and succeed', async () => {
  for (const args of [[], ['help'], ['--help']]) {
    const run = await runCli(args);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: npm run admin -- <command> \[options\]$/m);
    assert.match(run.stdout, /never accepted as a command line argument/);
  }
});

describe('refuses bad commands with exit code 2 and a clear message', { concurrency: true }, () => {
  test('an unknown command', async () => {
    const lines = await refuse(['create-school', '--name', 'Oakfield']);
    assert.equal(
      lines[0],
      'Unknown command "create-school": the commands are create-organisation, add-school-to-group, create-staff, create-jobseeker, help',
    );
  });

  test('a missing --name', async () => {
    const lines = await refuse(['create-organisation', '--kind', 'school']);
    assert.deepEqual(lines, [
      'Missing --name, like --name "Oakfield Primary School"',
      'Run `npm run admin -- help` to see how to use it.',
    ]);
  });

  test('a bad --kind, together with every other problem', async () => {
    const lines = await refuse([
      'create-organisation',
      '--name',
      name('Never created'),
      '--kind',
      'academy',
      '--colour',
      'blue',
    ]);
    assert.deepEqual(lines.slice(0, 2), [
      'Unknown option --colour',
      '--kind "academy" is not a kind of organisation: use school, multi_academy_trust, local_authority',
    ]);
  });

  test('an invalid email address', async () => {
    const lines = await refuse(['create-jobseeker', '--email', 'sam.taylor-at-example.com', '--name', 'Sam Taylor'], {
      password,
    });
    assert.equal(
      lines[0],
      '--email "sam.taylor-at-example.com" is not a valid email address: give one like name@example.com',
    );
  });

  test('an unknown organisation, listed with the other unknown ones', async () => {
    const staffEmail = email('nowhere');
    const missingName = name('No Such School');
    const missingId = randomUUID();
    const lines = await refuse(
      [
        'create-staff',
        '--email',
        staffEmail,
        '--name',
        'Nobody',
        '--organisation',
        missingName,
        '--organisation',
        missingId,
      ],
      { password },
    );
    assert.deepEqual(lines, [
      `--organisation ${JSON.stringify(missingName)}: no organisation has that name`,
      `--organisation "${missingId}": no organisation has that id`,
      'Nothing was changed.',
    ]);
    assert.equal(await userCount(staffEmail), 0);
  });

  test('an ambiguous organisation name', async () => {
    const shared = name('Admin CLI Twin');
    const first = await createOrganisation(db, 'school', shared);
    const second = await createOrganisation(db, 'school', shared.toLowerCase());
    const staffEmail = email('twin');
    const lines = await refuse(['create-staff', '--email', staffEmail, '--name', 'Twin', '--organisation', shared], {
      password,
    });
    assert.match(
      lines[0] ?? '',
      new RegExp(`^--organisation ".+" matches 2 organisations: use the id of the one you mean, `),
    );
    assert.ok(lines[0]?.includes(`${first.id} (school)`) && lines[0].includes(`${second.id} (school)`));
    assert.equal(await userCount(staffEmail), 0);
  });

  test('a school given as a group', async () => {
    const school = await createOrganisation(db, 'school', name('Admin CLI Lone School'));
    const other = await createOrganisation(db, 'school', name('Admin CLI Other School'));
    const lines = await refuse(['add-school-to-group', '--group', school.name, '--school', other.name]);
    assert.deepEqual(lines, [
      `--group ${JSON.stringify(school.name)} is a school, not a multi-academy trust or local authority`,
      'Nothing was changed.',
    ]);
    const rows = await db.selectFrom('school_group_members').selectAll().where('group_id', '=', school.id).execute();
    assert.deepEqual(rows, []);
  });

  test('an email address that already has an account, in any case', async () => {
    const school = await createOrganisation(db, 'school', name('Admin CLI Taken School'));
    const existing = await createStaff(db, [school.id]);
    const lines = await refuse(
      ['create-jobseeker', '--email', existing.email.toUpperCase(), '--name', 'Someone Else'],
      { password },
    );
    assert.deepEqual(lines, ['An account with that email address already exists', 'Nothing was changed.']);
    const staffLines = await refuse(
      ['create-staff', '--email', existing.email, '--name', 'Someone Else', '--organisation', school.id],
      { password },
    );
    assert.deepEqual(staffLines, ['An account with that email address already exists', 'Nothing was changed.']);
    assert.equal(await userCount(existing.email), 1);
  });

  test('a short password', async () => {
    const jobseekerEmail = email('short');
    const lines = await refuse(['create-jobseeker', '--email', jobseekerEmail, '--name', 'Short Password'], {
      password: 'elevenchars',
    });
    assert.equal(lines[0], 'PARLEY_NEW_PASSWORD is too short: a password must be at least 12 characters (it has 11)');
    assert.equal(await userCount(jobseekerEmail), 0);
  });

  test('no password, and no terminal to ask in', async () => {
    const jobseekerEmail = email('no-password');
    const lines = await refuse(['create-jobseeker', '--email', jobseekerEmail, '--name', 'No Password']);
    assert.equal(lines[0], 'No password given: set PARLEY_NEW_PASSWORD, or run this in a terminal to be asked for one');
    assert.equal(await userCount(jobseekerEmail), 0);
  });

  test('a password on the command line, without repeating it', async () => {
    const secret = `on-the-command-line-${randomUUID()}`;
    const run = await runCli(
      ['create-jobseeker', '--email', email('argv'), '--name', 'Argv Password', '--password', secret],
      { password },
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^Passwords are never accepted on the command line \(shell history keeps them\)/);
    assert.ok(!run.stderr.includes(secret));
  });
});
