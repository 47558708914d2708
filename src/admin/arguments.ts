import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isValidEmailAddress, normaliseEmailAddress } from '../accounts/email-address.ts';
import {
  characterCount,
  checkNewPassword,
  maximumPasswordLength,
  minimumPasswordLength,
} from '../accounts/password-rules.ts';
import type { OrganisationKind } from '../platform/database-schema.ts';
import { isUuid } from '../platform/uuid.ts';

/**
 * The admin command line's arguments, parsed and validated without any I/O, so every rule is a unit test away.
 * node's `parseArgs` reads them (strictly, with exactly the options of the command), a zod schema per command checks
 * the values, and every problem is reported at once, one line each.
 */

export const organisationKinds = [
  'school',
  'multi_academy_trust',
  'local_authority',
] as const satisfies readonly OrganisationKind[];

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

export function organisationReference(text: string): OrganisationReference {
  const trimmed = text.trim();
  return isUuid(trimmed)
    ? { by: 'id', id: trimmed.toLowerCase(), text: trimmed }
    : { by: 'name', name: trimmed, text: trimmed };
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

function quoted(value: string): string {
  return JSON.stringify(value);
}

// The values of each option, checked by zod. The messages are the command line's own wording.
const nameValue = z
  .string()
  .trim()
  .refine((name) => characterCount(name) <= maximumNameLength, {
    error: `--name must be at most ${maximumNameLength} characters`,
  });
const kindValue = z
  .string()
  .trim()
  .pipe(
    z.enum(organisationKinds, {
      error: (issue) =>
        `--kind ${quoted(String(issue.input))} is not a kind of organisation: use ${organisationKinds.join(', ')}`,
    }),
  );
const emailValue = z
  .string()
  .trim()
  .refine(isValidEmailAddress, {
    error: (issue) =>
      `--email ${quoted(String(issue.input))} is not a valid email address: give one like name@example.com`,
  })
  .transform(normaliseEmailAddress);
const organisationValue = z.string().transform(organisationReference);

/** One schema per command: its options (every one required) and the command they make. */
const commandSchemas = {
  'create-organisation': z
    .object({ name: nameValue, kind: kindValue })
    .transform(({ name, kind }) => ({ command: 'create-organisation' as const, name, kind })),
  'add-school-to-group': z
    .object({ group: organisationValue, school: organisationValue })
    .transform(({ group, school }) => ({ command: 'add-school-to-group' as const, group, school })),
  'create-staff': z
    .object({ name: nameValue, email: emailValue, organisation: z.array(organisationValue) })
    .transform(({ name, email, organisation }) => ({
      command: 'create-staff' as const,
      email,
      fullName: name,
      organisations: organisation,
    })),
  'create-jobseeker': z
    .object({ name: nameValue, email: emailValue })
    .transform(({ name, email }) => ({ command: 'create-jobseeker' as const, email, fullName: name })),
} satisfies Record<CommandName, z.ZodType<Exclude<AdminCommand, { command: 'help' }>>>;

type OptionName = 'name' | 'kind' | 'group' | 'school' | 'email' | 'organisation';

/** Which options each command takes, in the order their absence is reported. `organisation` may be repeated. */
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

const allOptionNames = new Set<string>([...Object.values(commandOptions).flat(), ...Object.keys(knownMistakes)]);

export function commandNeedsPassword(command: AdminCommand['command']): command is 'create-staff' | 'create-jobseeker' {
  return command === 'create-staff' || command === 'create-jobseeker';
}

/** The problems with a new password (none means it may be used). `source` names where it came from. */
export function newPasswordProblems(password: string, source: string): string[] {
  const check = checkNewPassword(password);
  if (check.ok) return [];
  switch (check.reason) {
    case 'empty':
      return [`${source} is empty: a password must be at least ${minimumPasswordLength} characters`];
    case 'too-short':
      return [
        `${source} is too short: a password must be at least ${minimumPasswordLength} characters (it has ${check.length})`,
      ];
    case 'too-long':
      return [`${source} is too long: a password must be at most ${maximumPasswordLength} characters`];
  }
}

/** The problem with where the new password should come from, if there is one. */
export function passwordSourceProblems(environmentPassword: string | undefined, canPrompt: boolean): string[] {
  if (environmentPassword !== undefined) return newPasswordProblems(environmentPassword, newPasswordVariable);
  if (canPrompt) return [];
  return [`No password given: set ${newPasswordVariable}, or run this in a terminal to be asked for one`];
}

/**
 * A string option followed by another option (`--name --kind school`) has no value; parseArgs would take `--kind` as
 * the name. Mark such options as given empty (`--name=`) so they are reported as missing a value. A value that really
 * starts with `--` can still be given as `--name=--value`.
 */
function markMissingValues(argv: readonly string[]): string[] {
  return argv.map((argument, index) => {
    const next = argv[index + 1];
    const isBareLongOption =
      argument.startsWith('--') && !argument.includes('=') && allOptionNames.has(argument.slice(2));
    return isBareLongOption && next !== undefined && next.startsWith('--') && next.length > 2
      ? `${argument}=`
      : argument;
  });
}

/**
 * First look: parseArgs's tokens, leniently, to find every problem at once (strict parsing stops at the first) and
 * which arguments to leave out of the strict parse.
 */
function survey(argv: readonly string[]) {
  const { tokens } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries([...allOptionNames].map((name) => [name, { type: 'string' as const, multiple: true }])),
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const positionals: { index: number; value: string }[] = [];
  const options: { name: string; value: string | undefined }[] = [];
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
      } else if (allOptionNames.has(token.name)) {
        options.push({ name: token.name, value: token.value });
      } else {
        problems.push(`Unknown option ${token.rawName}`);
        // `--colour blue`: "blue" belongs to the unknown option and is not a second problem.
        if (token.value === undefined) valuesOfUnknownOptions.add(token.index + 1);
      }
    }
  }
  return { help, positionals, options, problems };
}

/** Parses `<command> [options]`. Help wins over every problem, as the person is asking how to use it. */
export function parseAdminArguments(argv: readonly string[]): ParsedArguments {
  if (argv.length === 0) return { ok: true, command: { command: 'help' } };
  const args = markMissingValues(argv);
  const { help, positionals, options, problems } = survey(args);
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

  // Only the command and its well-formed options go on to the strict parse, each as `--option=value`.
  const kept: string[] = [commandName];
  const reported = new Set<string>();
  const given = new Set<string>();
  for (const name of new Set(options.map((option) => option.name))) {
    const occurrences = options.filter((option) => option.name === name);
    given.add(name);
    if (!allowed.includes(name)) {
      problems.push(`${commandName} does not take --${name}`);
    } else if (occurrences.some((option) => option.value === undefined || option.value.trim() === '')) {
      problems.push(`--${name} needs a value, like ${valueExamples[name as OptionName]}`);
      reported.add(name);
    } else if (occurrences.length > 1 && !repeatableOptions.has(name)) {
      problems.push(`Give --${name} only once`);
      reported.add(name);
    } else {
      for (const option of occurrences) kept.push(`--${name}=${option.value ?? ''}`);
    }
  }
  for (const name of allowed) {
    if (!given.has(name)) problems.push(`Missing --${name}, like ${valueExamples[name as OptionName]}`);
  }

  const { values } = parseArgs({
    args: kept,
    options: Object.fromEntries(
      allowed.map((name) => [name, { type: 'string' as const, multiple: repeatableOptions.has(name) }]),
    ),
    allowPositionals: true,
    strict: true,
  });

  const result = commandSchemas[commandName].safeParse(values);
  if (result.success && problems.length === 0) return { ok: true, command: result.data };
  if (!result.success) {
    for (const issue of result.error.issues) {
      // An option that is missing, or was reported above, is not reported again.
      const option = String(issue.path[0] ?? '');
      if (given.has(option) && !reported.has(option)) problems.push(issue.message);
    }
  }
  return { ok: false, problems, command: commandName };
}

export const usageText = `Parley admin: bootstrap a deployment that has no demo data, that is create its first
organisation and that organisation's first administrator (a member of hiring staff). Once someone
can sign in, the rest is meant to be managed in Parley's own pages; these commands remain for
setting up and for emergencies.

Usage: npm run admin -- <command> [options]

Commands:
  create-organisation --name <name> --kind <kind>
      Creates an organisation and prints its id. <kind> is one of:
      school, multi_academy_trust, local_authority.

  add-school-to-group --group <name or id> --school <name or id>
      Puts a school into a multi-academy trust or local authority.

  create-staff --email <email> --name <full name> --organisation <name or id> [--organisation ...]
      Creates a hiring staff account, an administrator of one or more organisations, and prints
      its id. For bootstrapping: administrators invite everyone else from the Colleagues pages.

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
  npm run admin -- create-organisation --name "Oakfield Primary School" --kind school
  PARLEY_NEW_PASSWORD='a long password' npm run admin -- create-staff \\
    --email amara.okafor@oakfield.example --name "Amara Okafor" --organisation "Oakfield Primary School"
  npm run admin -- create-organisation --name "Oakfield Academy Trust" --kind multi_academy_trust
  npm run admin -- add-school-to-group --group "Oakfield Academy Trust" --school "Oakfield Primary School"
  npm run admin -- create-jobseeker --email sam.taylor@example.com --name "Sam Taylor"
  To keep an id in a script: id=$(npm run --silent admin -- create-organisation ...)

Exit codes: 0 done; 2 a problem with the command (nothing was changed); 1 anything else.
`;
