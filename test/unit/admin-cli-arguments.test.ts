import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  newPasswordProblems,
  newPasswordVariable,
  organisationReference,
  parseAdminArguments,
  passwordSourceProblems,
  usageText,
  type ParsedArguments,
} from '../../src/admin/arguments.ts';
import { chooseOrganisation, type OrganisationCandidate } from '../../src/admin/organisation-match.ts';
import { typeHidden } from '../../src/admin/password-prompt.ts';

const trustId = '6f1c1c1e-0000-4000-8000-000000000001';

function problemsOf(result: ParsedArguments): string[] {
  assert.equal(result.ok, false, `expected problems, got ${JSON.stringify(result)}`);
  return result.problems;
}

describe('parseAdminArguments: commands that parse', () => {
  const cases: { argv: string[]; expected: unknown }[] = [
    { argv: [], expected: { command: 'help' } },
    { argv: ['help'], expected: { command: 'help' } },
    { argv: ['--help'], expected: { command: 'help' } },
    { argv: ['-h'], expected: { command: 'help' } },
    { argv: ['create-staff', '--help'], expected: { command: 'help' } },
    { argv: ['frobnicate', '--help'], expected: { command: 'help' } },
    {
      argv: ['create-organisation', '--name', '  Oakfield Primary School ', '--kind', 'school'],
      expected: { command: 'create-organisation', name: 'Oakfield Primary School', kind: 'school' },
    },
    {
      argv: ['--kind=multi_academy_trust', 'create-organisation', '--name=Oakfield Academy Trust'],
      expected: { command: 'create-organisation', name: 'Oakfield Academy Trust', kind: 'multi_academy_trust' },
    },
    {
      argv: ['create-organisation', '--name', 'Northshire County Council', '--kind', 'local_authority'],
      expected: { command: 'create-organisation', name: 'Northshire County Council', kind: 'local_authority' },
    },
    {
      argv: ['add-school-to-group', '--group', trustId.toUpperCase(), '--school', 'Oakfield Primary School'],
      expected: {
        command: 'add-school-to-group',
        group: { by: 'id', id: trustId, text: trustId.toUpperCase() },
        school: { by: 'name', name: 'Oakfield Primary School', text: 'Oakfield Primary School' },
      },
    },
    {
      argv: [
        'create-staff',
        '--email',
        ' Amara.Okafor@Oakfield.example ',
        '--name',
        'Amara Okafor',
        '--organisation',
        'A',
        '--organisation',
        trustId,
      ],
      expected: {
        command: 'create-staff',
        email: 'amara.okafor@oakfield.example',
        fullName: 'Amara Okafor',
        organisations: [
          { by: 'name', name: 'A', text: 'A' },
          { by: 'id', id: trustId, text: trustId },
        ],
      },
    },
    {
      argv: ['create-jobseeker', '--email', 'SAM@example.com', '--name', 'Sam Taylor'],
      expected: { command: 'create-jobseeker', email: 'sam@example.com', fullName: 'Sam Taylor' },
    },
  ];
  for (const { argv, expected } of cases) {
    test(JSON.stringify(argv), () => {
      assert.deepEqual(parseAdminArguments(argv), { ok: true, command: expected });
    });
  }
});

describe('parseAdminArguments: problems, all at once, one line each', () => {
  const cases: { argv: string[]; problems: string[] }[] = [
    {
      argv: ['frobnicate', '--name', 'x'],
      problems: [
        'Unknown command "frobnicate": the commands are create-organisation, add-school-to-group, create-staff, create-jobseeker, help',
      ],
    },
    {
      argv: ['--name', 'x'],
      problems: [
        'Missing command: start with one of create-organisation, add-school-to-group, create-staff, create-jobseeker',
      ],
    },
    {
      argv: ['create-organisation'],
      problems: ['Missing --name, like --name "Oakfield Primary School"', 'Missing --kind, like --kind school'],
    },
    {
      argv: ['create-organisation', '--name', '--kind', 'school'],
      problems: ['--name needs a value, like --name "Oakfield Primary School"'],
    },
    {
      argv: ['create-organisation', '--kind', 'school', '--name'],
      problems: ['--name needs a value, like --name "Oakfield Primary School"'],
    },
    {
      argv: ['create-organisation', '--kind', 'school', '--name', '   '],
      problems: ['--name needs a value, like --name "Oakfield Primary School"'],
    },
    {
      argv: ['create-organisation', '--name', 'Oakfield', '--kind', 'academy'],
      problems: ['--kind "academy" is not a kind of organisation: use school, multi_academy_trust, local_authority'],
    },
    {
      argv: ['create-organisation', '--name', 'Oakfield', 'Primary', '--kind', 'school'],
      problems: ['Unexpected argument "Primary" (put a value with spaces in quotes)'],
    },
    {
      argv: ['create-organisation', '--name', 'A', '--name', 'B', '--kind', 'school', '--colour', 'blue', '-x'],
      problems: ['Unknown option --colour', 'Unknown option -x', 'Give --name only once'],
    },
    {
      argv: ['create-organisation', '--name', 'x'.repeat(201), '--kind', 'school'],
      problems: ['--name must be at most 200 characters'],
    },
    {
      argv: ['create-organisation', '--name', 'A', '--kind', 'school', '--email', 'a@example.com'],
      problems: ['create-organisation does not take --email'],
    },
    {
      argv: ['add-school-to-group', '--group', 'Trust'],
      problems: ['Missing --school, like --school "Oakfield Primary School"'],
    },
    {
      argv: [
        'create-staff',
        '--email',
        'not-an-email',
        '--name',
        'Amara Okafor',
        '--password',
        'hunter2-hunter2',
        '--organization',
        'A',
      ],
      problems: [
        'Passwords are never accepted on the command line (shell history keeps them): set PARLEY_NEW_PASSWORD or run in a terminal to be asked',
        'Unknown option --organization: did you mean --organisation?',
        'Missing --organisation, like --organisation "Oakfield Primary School"',
        '--email "not-an-email" is not a valid email address: give one like name@example.com',
      ],
    },
    {
      argv: ['create-jobseeker', '--email', 'sam@', '--name', 'Sam', '--password=hunter2-hunter2'],
      problems: [
        'Passwords are never accepted on the command line (shell history keeps them): set PARLEY_NEW_PASSWORD or run in a terminal to be asked',
        '--email "sam@" is not a valid email address: give one like name@example.com',
      ],
    },
  ];
  for (const { argv, problems } of cases) {
    test(JSON.stringify(argv), () => {
      assert.deepEqual(problemsOf(parseAdminArguments(argv)), problems);
    });
  }

  test('never repeats a password given on the command line', () => {
    const problems = problemsOf(
      parseAdminArguments([
        'create-jobseeker',
        '--email',
        'a@example.com',
        '--name',
        'A',
        '--password',
        'my-secret-pass',
      ]),
    );
    assert.ok(problems.every((problem) => !problem.includes('my-secret-pass')));
    const inline = problemsOf(
      parseAdminArguments(['create-jobseeker', '--email', 'a@example.com', '--name', 'A', '--password=my-secret-pass']),
    );
    assert.ok(inline.every((problem) => !problem.includes('my-secret-pass')));
  });

  test('a failed parse still names a recognised command, so the password source can be checked too', () => {
    const result = parseAdminArguments(['create-staff', '--email', 'x']);
    assert.equal(result.ok, false);
    assert.equal(result.command, 'create-staff');
  });
});

describe('organisationReference', () => {
  test('an id (any case, spaces trimmed) is looked up by id, anything else by name', () => {
    assert.deepEqual(organisationReference(` ${trustId.toUpperCase()} `), {
      by: 'id',
      id: trustId,
      text: trustId.toUpperCase(),
    });
    assert.deepEqual(organisationReference(' Oakfield '), { by: 'name', name: 'Oakfield', text: 'Oakfield' });
    assert.equal(organisationReference('6f1c1c1e-0000-4000-8000').by, 'name');
  });
});

describe('new passwords', () => {
  test('at least 12 characters, counted as a person counts them', () => {
    assert.deepEqual(newPasswordProblems('correct-hors', 'The password'), []);
    assert.deepEqual(newPasswordProblems('eleven-char', 'The password'), [
      'The password is too short: a password must be at least 12 characters (it has 11)',
    ]);
    assert.deepEqual(newPasswordProblems('', newPasswordVariable), [
      'PARLEY_NEW_PASSWORD is empty: a password must be at least 12 characters',
    ]);
    assert.equal(newPasswordProblems('🧑‍🏫'.repeat(11), 'The password').length, 1);
    assert.equal(
      newPasswordProblems('x'.repeat(1001), 'The password')[0],
      'The password is too long: a password must be at most 1000 characters',
    );
  });

  test('come from the environment, or from a prompt in a terminal', () => {
    assert.deepEqual(passwordSourceProblems('long-enough-password', false), []);
    assert.deepEqual(passwordSourceProblems(undefined, true), []);
    assert.deepEqual(passwordSourceProblems(undefined, false), [
      'No password given: set PARLEY_NEW_PASSWORD, or run this in a terminal to be asked for one',
    ]);
    assert.deepEqual(passwordSourceProblems('short', true), [
      'PARLEY_NEW_PASSWORD is too short: a password must be at least 12 characters (it has 5)',
    ]);
  });

  test('the usage text says a password is never a command line argument', () => {
    assert.match(usageText, /never accepted as a command line argument/);
    assert.match(usageText, /PARLEY_NEW_PASSWORD/);
  });

  test('the usage text says the command line is for bootstrapping: the first organisation and its administrator', () => {
    assert.match(usageText, /^Parley admin: bootstrap a deployment/);
    assert.match(usageText, /first\norganisation and that organisation's first administrator/);
  });
});

describe('chooseOrganisation', () => {
  const school = (name: string, id = trustId): OrganisationCandidate => ({ id, name, kind: 'school' });
  const trust: OrganisationCandidate = { id: 'trust-id', name: 'Oakfield', kind: 'multi_academy_trust' };
  const groups = ['multi_academy_trust', 'local_authority'] as const;
  const byName = organisationReference('Oakfield');

  test('one candidate of a fitting kind is chosen', () => {
    assert.deepEqual(chooseOrganisation('--group', byName, [trust], groups), { ok: true, organisation: trust });
  });

  test('a name shared by a school and a trust is settled by the kind needed', () => {
    assert.deepEqual(chooseOrganisation('--group', byName, [school('Oakfield', 's1'), trust], groups), {
      ok: true,
      organisation: trust,
    });
    assert.deepEqual(chooseOrganisation('--school', byName, [school('Oakfield', 's1'), trust], ['school']), {
      ok: true,
      organisation: school('Oakfield', 's1'),
    });
  });

  const problems: {
    name: string;
    candidates: OrganisationCandidate[];
    option: string;
    kinds: readonly ('school' | 'multi_academy_trust' | 'local_authority')[];
    problem: string;
  }[] = [
    {
      name: 'unknown name',
      candidates: [],
      option: '--school',
      kinds: ['school'],
      problem: '--school "Oakfield": no organisation has that name',
    },
    {
      name: 'a school given as a group',
      candidates: [school('Oakfield')],
      option: '--group',
      kinds: groups,
      problem: '--group "Oakfield" is a school, not a multi-academy trust or local authority',
    },
    {
      name: 'a trust given as a school',
      candidates: [trust],
      option: '--school',
      kinds: ['school'],
      problem: '--school "Oakfield" is a multi-academy trust, not a school',
    },
    {
      name: 'an ambiguous name',
      candidates: [school('Oakfield', 's1'), school('OAKFIELD', 's2')],
      option: '--organisation',
      kinds: ['school', 'multi_academy_trust', 'local_authority'],
      problem:
        '--organisation "Oakfield" matches 2 organisations: use the id of the one you mean, s1 (school), s2 (school)',
    },
  ];
  for (const { name, candidates, option, kinds, problem } of problems) {
    test(name, () => {
      assert.deepEqual(chooseOrganisation(option, byName, candidates, kinds), { ok: false, problem });
    });
  }

  test('an unknown id', () => {
    assert.deepEqual(chooseOrganisation('--group', organisationReference(trustId), [], groups), {
      ok: false,
      problem: `--group "${trustId}": no organisation has that id`,
    });
  });
});

describe('typeHidden: keys typed at the password prompt', () => {
  const cases: { name: string; before: string; chunk: string; expected: ReturnType<typeof typeHidden> }[] = [
    { name: 'typing', before: 'abc', chunk: 'd', expected: { text: 'abcd', state: 'typing' } },
    {
      name: 'pasting with Enter',
      before: '',
      chunk: 'pasted password\r',
      expected: { text: 'pasted password', state: 'submitted' },
    },
    { name: 'newline submits too', before: 'abc', chunk: '\n', expected: { text: 'abc', state: 'submitted' } },
    { name: 'backspace', before: 'abc', chunk: '\x7f', expected: { text: 'ab', state: 'typing' } },
    { name: 'backspace on nothing', before: '', chunk: '\b', expected: { text: '', state: 'typing' } },
    { name: 'backspace removes a whole emoji', before: 'a🧑‍🏫', chunk: '\x7f', expected: { text: 'a', state: 'typing' } },
    { name: 'Ctrl-U clears', before: 'abc', chunk: '\x15x', expected: { text: 'x', state: 'typing' } },
    { name: 'Ctrl-C cancels', before: 'abc', chunk: '\x03', expected: { text: '', state: 'cancelled' } },
    { name: 'Ctrl-D on nothing cancels', before: '', chunk: '\x04', expected: { text: '', state: 'cancelled' } },
    {
      name: 'Ctrl-D after typing submits',
      before: 'abc',
      chunk: '\x04',
      expected: { text: 'abc', state: 'submitted' },
    },
    { name: 'arrow keys are ignored', before: 'abc', chunk: '\x1b[D', expected: { text: 'abc', state: 'typing' } },
    {
      name: 'other control characters are ignored',
      before: 'abc',
      chunk: '\tx\x07',
      expected: { text: 'abcx', state: 'typing' },
    },
  ];
  for (const { name, before, chunk, expected } of cases) {
    test(name, () => {
      assert.deepEqual(typeHidden(before, chunk), expected);
    });
  }
});
