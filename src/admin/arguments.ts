import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { OrganisationKind } from '../platform/database-schema.ts';

/**
 * The admin command line's arguments, parsed and validated without any I/O, so every rule is a unit test away.
 * Problems are one line each and all of them are reported at once.
 */

export const organisationKinds: readonly OrganisationKind[] = ['school', 'multi_academy_trust', 'local_authority'];

export const minimumPasswordLength = 12;
/** scrypt would hash anything; a cap keeps a pasted file from becoming a password. */
export const maximumPasswordLength = 1000;
export const maximumNameLength = 200;
export const newPasswordVariable = 'PARLEY_NEW_PASSWORD';

/** How an operator names an organisation: by id when it looks like one, otherwise by name. */
export type OrganisationReference = { by: 'id'; id: string; text: string } | { by: 'name'; name: string; text: string };

export type AdminCommand =
  | { command: 'help' }
  | { command: 'create-organisation'; name: string; kind: OrganisationKind }
  | { command: 'add-school-to-group'; group: OrganisationReference; school: OrganisationReference }
  | { command: 'create-staff'; email: string; fullName: string; organisations: OrganisationReference[] }
  | { command: 'create-jobseeker'; email: string; fullName: string };

export type CommandName = Exclude<AdminCommand['command'], 'help'>;

/** A failed parse still names the command when it was recognised, so the caller can add its own checks. */
export type ParsedArguments =
  { ok: true; command: AdminCommand } | { ok: false; problems: string[]; command?: CommandName };

type OptionName = 'name' | 'kind' | 'group' | 'school' | 'email' | 'organisation';

/** Which options each command takes; every one of them is required. `organisation` may be repeated. */
const commandOptions: Record<CommandName, readonly OptionName[]> = {
  'create-organisation': ['name', 'kind'],
  'add-school-to-group': ['group', 'school'],
  'create-staff': ['email', 'name', 'organisation'],
  'create-jobseeker': ['email', 'name'],
};

export const commandNames = Object.keys(commandOptions) as CommandName[];

const repeatableOptions: ReadonlySet<string> = new Set<OptionName>(['organisation']);

const valueExamples: Record<OptionName, string> = {
  name: '--name "Oakfield Primary School"',
  kind: '--kind school',
  group: '--group "Oakfield Academy Trust"',
  school: '--school "Oakfield Primary School"',
  email: '--email name@example.com',
  organisation: '--organisation "Oakfield Primary School"',
};

/** Options people reach for that we do not have, with what to say instead. */
const knownMistakes: Record<string, string> = {
  password: `Passwords are never accepted on the command line (shell history keeps them): set ${newPasswordVariable} or run in a terminal to be asked`,
  organization: 'Unknown option --organization: did you mean --organisation?',
  'full-name': 'Unknown option --full-name: did you mean --name?',
};

export function commandNeedsPassword(command: AdminCommand['command']): command is 'create-staff' | 'create-jobseeker' {
  return command === 'create-staff' || command === 'create-jobseeker';
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function organisationReference(text: string): OrganisationReference {
  const trimmed = text.trim();
  return uuidPattern.test(trimmed)
    ? { by: 'id', id: trimmed.toLowerCase(), text: trimmed }
    : { by: 'name', name: trimmed, text: trimmed };
}

/** Emails are stored trimmed and lower-cased, as sign-in compares them. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

const emailSchema = z.email().max(320);

export function isValidEmail(email: string): boolean {
  return emailSchema.safeParse(email).success;
}

export function kindLabel(kind: OrganisationKind): string {
  switch (kind) {
    case 'school':
      return 'school';
    case 'multi_academy_trust':
      return 'multi-academy trust';
    case 'local_authority':
      return 'local authority';
  }
}

function isOrganisationKind(value: string): value is OrganisationKind {
  return (organisationKinds as readonly string[]).includes(value);
}

/** Characters as a person counts them (an emoji or an accented letter is one), not UTF-16 code units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const segment of new Intl.Segmenter().segment(text)) if (segment.segment) count += 1;
  return count;
}

/** The problems with a new password (none means it may be used). `source` names where it came from. */
export function newPasswordProblems(password: string, source: string): string[] {
  const length = characterCount(password);
  if (length === 0) return [`${source} is empty: a password must be at least ${minimumPasswordLength} characters`];
  if (length < minimumPasswordLength) {
    return [
      `${source} is too short: a password must be at least ${minimumPasswordLength} characters (it has ${length})`,
    ];
  }
  if (length > maximumPasswordLength) {
    return [`${source} is too long: a password must be at most ${maximumPasswordLength} characters`];
  }
  return [];
}

/** The problem with where the new password should come from, if there is one. */
export function passwordSourceProblems(environmentPassword: string | undefined, canPrompt: boolean): string[] {
  if (environmentPassword !== undefined) return newPasswordProblems(environmentPassword, newPasswordVariable);
  if (canPrompt) return [];
  return [`No password given: set ${newPasswordVariable}, or run this in a terminal to be asked for one`];
}

function quoted(value: string): string {
  return JSON.stringify(value);
}

/**
 * A string option followed by another option (`--name --kind school`) has no value; node's parseArgs would take
 * `--kind` as the name. Mark such options as given empty (`--name=`) so they are reported as missing a value.
 * A value that really starts with `--` can still be given as `--name=--value`.
 */
function markMissingValues(argv: readonly string[], stringOptions: ReadonlySet<string>): string[] {
  return argv.map((argument, index) => {
    const next = argv[index + 1];
    const isBareLongOption =
      argument.startsWith('--') && !argument.includes('=') && stringOptions.has(argument.slice(2));
    return isBareLongOption && next !== undefined && next.startsWith('--') && next.length > 2
      ? `${argument}=`
      : argument;
  });
}

/** Parses `<command> [options]`. Help wins over every problem, as the person is asking how to use it. */
export function parseAdminArguments(argv: readonly string[]): ParsedArguments {
  if (argv.length === 0) return { ok: true, command: { command: 'help' } };

  const stringOptions = new Set<string>([...Object.values(commandOptions).flat(), ...Object.keys(knownMistakes)]);
  const options = Object.fromEntries(
    [...stringOptions].map((name) => [name, { type: 'string' as const, multiple: true }]),
  );
  const { tokens } = parseArgs({
    args: markMissingValues(argv, stringOptions),
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });

  const positionals: { index: number; value: string }[] = [];
  const given = new Map<string, { values: string[]; missingValue: boolean }>();
  const problems: string[] = [];
  const valuesOfUnknownOptions = new Set<number>();
  let help = false;

  for (const token of tokens) {
    if (token.kind === 'positional') {
      const isCommand = token.value === 'help' || (commandNames as string[]).includes(token.value);
      if (isCommand || !valuesOfUnknownOptions.has(token.index)) {
        positionals.push({ index: token.index, value: token.value });
      }
    } else if (token.kind === 'option') {
      if (token.name === 'help') {
        help = true;
      } else if (Object.hasOwn(knownMistakes, token.name)) {
        const message = knownMistakes[token.name];
        if (message && !problems.includes(message)) problems.push(message);
      } else if (stringOptions.has(token.name)) {
        const entry = given.get(token.name) ?? { values: [], missingValue: false };
        if (token.value === undefined || token.value.trim() === '') entry.missingValue = true;
        else entry.values.push(token.value);
        given.set(token.name, entry);
      } else {
        problems.push(`Unknown option ${token.rawName}`);
        // `--colour blue`: "blue" belongs to the unknown option and is not a second problem.
        if (token.value === undefined) valuesOfUnknownOptions.add(token.index + 1);
      }
    }
  }
  if (help) return { ok: true, command: { command: 'help' } };

  const [first, ...extra] = positionals;
  if (!first) {
    return { ok: false, problems: ['Missing command: start with one of ' + commandNames.join(', '), ...problems] };
  }
  if (first.value === 'help') return { ok: true, command: { command: 'help' } };
  if (!(commandNames as string[]).includes(first.value)) {
    return {
      ok: false,
      problems: [`Unknown command ${quoted(first.value)}: the commands are ${commandNames.join(', ')}, help`],
    };
  }
  const commandName = first.value as CommandName;
  const allowed: readonly string[] = commandOptions[commandName];

  for (const { value } of extra) {
    problems.push(`Unexpected argument ${quoted(value)} (put a value with spaces in quotes)`);
  }

  const values: Partial<Record<OptionName, string[]>> = {};
  for (const [name, entry] of given) {
    if (!allowed.includes(name)) {
      problems.push(`${commandName} does not take --${name}`);
      continue;
    }
    const optionName = name as OptionName;
    if (entry.missingValue) {
      problems.push(`--${name} needs a value, like ${valueExamples[optionName]}`);
      continue;
    }
    if (entry.values.length > 1 && !repeatableOptions.has(name)) {
      problems.push(`Give --${name} only once`);
      continue;
    }
    values[optionName] = entry.values;
  }
  for (const name of allowed) {
    if (!given.has(name)) problems.push(`Missing --${name}, like ${valueExamples[name as OptionName]}`);
  }

  const single = (name: OptionName): string => values[name]?.[0]?.trim() ?? '';

  const checkName = (name: string): void => {
    if (characterCount(name) > maximumNameLength) {
      problems.push(`--name must be at most ${maximumNameLength} characters`);
    }
  };
  const checkedEmail = (): string => {
    const given = single('email');
    if (given && !isValidEmail(given)) {
      problems.push(`--email ${quoted(given)} is not a valid email address: give one like name@example.com`);
    }
    return normaliseEmail(given);
  };
  const failed = { ok: false as const, problems, command: commandName };

  const name = single('name');
  checkName(name);
  switch (commandName) {
    case 'create-organisation': {
      const kind = single('kind');
      if (kind && !isOrganisationKind(kind)) {
        problems.push(`--kind ${quoted(kind)} is not a kind of organisation: use ${organisationKinds.join(', ')}`);
      }
      if (problems.length || !isOrganisationKind(kind)) return failed;
      return { ok: true, command: { command: commandName, name, kind } };
    }
    case 'add-school-to-group': {
      if (problems.length) return failed;
      return {
        ok: true,
        command: {
          command: commandName,
          group: organisationReference(single('group')),
          school: organisationReference(single('school')),
        },
      };
    }
    case 'create-staff': {
      const email = checkedEmail();
      if (problems.length) return failed;
      const organisations = (values.organisation ?? []).map(organisationReference);
      return { ok: true, command: { command: commandName, email, fullName: name, organisations } };
    }
    case 'create-jobseeker': {
      const email = checkedEmail();
      if (problems.length) return failed;
      return { ok: true, command: { command: commandName, email, fullName: name } };
    }
  }
}

export const usageText = `Parley admin: set up organisations and accounts on a deployment that has no demo data.

Usage: npm run admin -- <command> [options]

Commands:
  create-organisation --name <name> --kind <kind>
      Creates an organisation and prints its id. <kind> is one of:
      school, multi_academy_trust, local_authority.

  add-school-to-group --group <name or id> --school <name or id>
      Puts a school into a multi-academy trust or local authority.

  create-staff --email <email> --name <full name> --organisation <name or id> [--organisation ...]
      Creates a hiring staff account in one or more organisations and prints its id.

  create-jobseeker --email <email> --name <full name>
      Creates a jobseeker account and prints its id.

  help
      Shows this text (as do --help and no arguments at all).

Passwords:
  create-staff and create-jobseeker take the new password from the ${newPasswordVariable}
  environment variable or, when run in a terminal, ask for it without showing what you type.
  A password is never accepted as a command line argument: shell history and the process list
  would keep it. It must be at least ${minimumPasswordLength} characters.

Organisations are found by id or by name (ignoring case). Put names with spaces in quotes.
If two organisations share a name, use the id.

The database is DATABASE_URL if set, otherwise the embedded PostgreSQL in the data folder
(stop Parley first). Pending migrations are applied. Each command is one transaction.

Examples:
  npm run admin -- create-organisation --name "Oakfield Academy Trust" --kind multi_academy_trust
  npm run admin -- create-organisation --name "Oakfield Primary School" --kind school
  npm run admin -- add-school-to-group --group "Oakfield Academy Trust" --school "Oakfield Primary School"
  npm run admin -- create-staff --email amara.okafor@oakfield.example --name "Amara Okafor" \\
    --organisation "Oakfield Primary School"
  npm run admin -- create-jobseeker --email sam.taylor@example.com --name "Sam Taylor"
  To keep an id in a script: id=$(npm run --silent admin -- create-organisation ...)

Exit codes: 0 done; 2 a problem with the command (nothing was changed); 1 anything else.
`;
