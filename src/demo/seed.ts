import { sql } from 'kysely';
import type { Db, DbTransaction } from '../platform/db.ts';
import type { ApplicationStatus } from '../applications/status.ts';
import { hashPassword } from '../accounts/password.ts';
import { addSchoolToGroup, addStaffMembership, insertOrganisation, insertUser } from '../accounts/repository.ts';
import { insertVacancy } from '../vacancies/repository.ts';
import { demoJobseekers, demoPassword, demoStaff } from './accounts.ts';

const demoFlag = 'demo-data-loaded';
const day = 24 * 60 * 60 * 1000;

/** What the demo made, for the conversations sent after it (conversations.ts): ids by email and application key. */
export interface DemoApplications {
  users: Map<string, string>;
  /** `${jobseekerEmail}:${vacancy}` (vacancy: year3, senco, maths, ta) → application id. */
  applications: Map<string, string>;
}

/**
 * Loads the demo data once per database: on first start, never again (even if it is later deleted). Answers what it
 * made, or null when it had been loaded before.
 */
export async function loadDemoDataOnFirstStart(db: Db, now = new Date()): Promise<DemoApplications | null> {
  return db.transaction().execute(async (trx) => {
    // Several processes may start at once: one loads, the others wait and then see the flag.
    await sql`select pg_advisory_xact_lock(hashtext('parley-demo-data'))`.execute(trx);
    const flagged = await trx
      .selectFrom('service_flags')
      .select('name')
      .where('name', '=', demoFlag)
      .executeTakeFirst();
    if (flagged) return null;
    const made = await loadDemoData(trx, now);
    await trx.insertInto('service_flags').values({ name: demoFlag }).execute();
    return made;
  });
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Paths through the status machine, each step by the named actor, days before now. */
type Step = { to: ApplicationStatus; by: string; daysAgo: number };

async function loadDemoData(trx: DbTransaction, now: Date): Promise<DemoApplications> {
  // Every demo account has the same published password, so one hash serves them all.
  const passwordHash = await hashPassword(demoPassword);

  const trust = await insertOrganisation(trx, { name: 'Oakfield Academy Trust', kind: 'multi_academy_trust' });
  const oakfield = await insertOrganisation(trx, { name: 'Oakfield Primary School', kind: 'school' });
  const riverside = await insertOrganisation(trx, { name: 'Riverside Academy', kind: 'school' });
  const stMarys = await insertOrganisation(trx, { name: "St Mary's Primary School", kind: 'school' });
  await addSchoolToGroup(trx, trust, oakfield);
  await addSchoolToGroup(trx, trust, riverside);
  const organisationIds: Record<string, string> = {
    'Oakfield Academy Trust': trust,
    'Oakfield Primary School': oakfield,
    'Riverside Academy': riverside,
    "St Mary's Primary School": stMarys,
  };

  const users = new Map<string, string>();
  for (const staff of demoStaff) {
    const id = await insertUser(trx, { kind: 'staff', email: staff.email, fullName: staff.fullName, passwordHash });
    await addStaffMembership(trx, id, organisationIds[staff.organisation] ?? '', staff.role);
    users.set(staff.email, id);
  }
  for (const jobseeker of demoJobseekers) {
    users.set(
      jobseeker.email,
      await insertUser(trx, { kind: 'jobseeker', email: jobseeker.email, fullName: jobseeker.fullName, passwordHash }),
    );
  }
  const user = (email: string) => users.get(email) ?? '';

  const closes = (days: number) => isoDate(new Date(now.getTime() + days * day));
  const vacancy = (schoolId: string, title: string, description: string, closingInDays: number, createdBy: string) =>
    insertVacancy(trx, {
      schoolId,
      title,
      description,
      closingDate: closes(closingInDays),
      closingTime: '12:00',
      contract: 'Permanent',
      hours: 'Full time',
      status: 'published',
      createdBy: user(createdBy),
    });

  // One draft, not yet advertised, and one closed early.
  await insertVacancy(trx, {
    schoolId: oakfield,
    title: 'Year 1 class teacher',
    description: 'A draft: not advertised yet. Join our Year 1 team from January.',
    closingDate: closes(40),
    closingTime: '12:00',
    contract: 'Fixed term for 1 year (maternity cover)',
    hours: 'Full time',
    status: 'draft',
    createdBy: user('amara.okafor@oakfield-primary.example'),
  });
  await insertVacancy(trx, {
    schoolId: stMarys,
    title: 'Midday supervisor',
    description: 'Closed early: the post has been filled.',
    closingDate: closes(10),
    closingTime: '17:00',
    contract: 'Permanent',
    hours: 'Part time, 5 hours a week (term time only)',
    status: 'closed',
    createdBy: user('eve.morgan@stmarys.example'),
  });

  const year3 = await vacancy(
    oakfield,
    'Year 3 class teacher',
    'We are looking for an enthusiastic Year 3 class teacher to join our friendly team from September.\nFull time, permanent. Early career teachers are welcome to apply.',
    28,
    'amara.okafor@oakfield-primary.example',
  );
  const senco = await vacancy(
    oakfield,
    'Special educational needs coordinator (SENCo)',
    'Lead our inclusive provision across the school. The National Award for SEN Co-ordination is desirable.',
    35,
    'ben.hughes@oakfield-primary.example',
  );
  const maths = await vacancy(
    riverside,
    'Teacher of mathematics',
    'Teach mathematics across key stages 3 and 4 in a department that loves problem solving.',
    21,
    'david.price@riverside.example',
  );
  await vacancy(
    riverside,
    'Head of science',
    'Lead a team of eight science teachers and two technicians.',
    42,
    'david.price@riverside.example',
  );
  const ta = await vacancy(
    stMarys,
    'Teaching assistant',
    'Support pupils in key stage 1, working closely with class teachers. Term time only, 32.5 hours a week.',
    14,
    'eve.morgan@stmarys.example',
  );
  await vacancy(
    stMarys,
    'School business manager',
    'Run the school office, finance and premises. Part time considered.',
    30,
    'eve.morgan@stmarys.example',
  );

  // Each school's history names its own staff (and, for the trust's schools, the trust's).
  const oakfieldStaff = {
    a: 'amara.okafor@oakfield-primary.example',
    b: 'ben.hughes@oakfield-primary.example',
    c: 'claire.davies@oakfield-trust.example',
  };
  const riversideStaff = {
    a: 'david.price@riverside.example',
    b: 'david.price@riverside.example',
    c: 'claire.davies@oakfield-trust.example',
  };
  const stMarysStaff = {
    a: 'eve.morgan@stmarys.example',
    b: 'eve.morgan@stmarys.example',
    c: 'eve.morgan@stmarys.example',
  };
  const staffOf = new Map([
    [year3, oakfieldStaff],
    [senco, oakfieldStaff],
    [maths, riversideStaff],
    [ta, stMarysStaff],
  ]);
  type SchoolStaff = typeof oakfieldStaff;
  const histories: Record<ApplicationStatus, (j: string, staff: SchoolStaff) => Step[]> = {
    draft: () => [],
    submitted: (j) => [{ to: 'submitted', by: j, daysAgo: 3 }],
    shortlisted: (j, { a }) => [
      { to: 'submitted', by: j, daysAgo: 12 },
      { to: 'shortlisted', by: a, daysAgo: 8 },
    ],
    interviewing: (j, { a, b }) => [
      { to: 'submitted', by: j, daysAgo: 15 },
      { to: 'shortlisted', by: b, daysAgo: 11 },
      { to: 'interviewing', by: a, daysAgo: 6 },
    ],
    offered: (j, { a, b, c }) => [
      { to: 'submitted', by: j, daysAgo: 20 },
      { to: 'shortlisted', by: a, daysAgo: 16 },
      { to: 'interviewing', by: b, daysAgo: 10 },
      { to: 'offered', by: c, daysAgo: 2 },
    ],
    declined: (j, { a, b }) => [
      { to: 'submitted', by: j, daysAgo: 25 },
      { to: 'shortlisted', by: b, daysAgo: 20 },
      { to: 'interviewing', by: a, daysAgo: 14 },
      { to: 'offered', by: a, daysAgo: 7 },
      { to: 'declined', by: b, daysAgo: 4 },
    ],
    not_progressing: (j, { a }) => [
      { to: 'submitted', by: j, daysAgo: 18 },
      { to: 'not_progressing', by: a, daysAgo: 9 },
    ],
    withdrawn: (j, { b }) => [
      { to: 'submitted', by: j, daysAgo: 14 },
      { to: 'shortlisted', by: b, daysAgo: 10 },
      { to: 'withdrawn', by: j, daysAgo: 5 },
    ],
  };

  async function apply(vacancyId: string, jobseekerEmail: string, fullName: string, status: ApplicationStatus) {
    const steps = histories[status](jobseekerEmail, staffOf.get(vacancyId) ?? oakfieldStaff);
    const submitted = steps[0];
    const row = await trx
      .insertInto('applications')
      .values({
        vacancy_id: vacancyId,
        jobseeker_id: user(jobseekerEmail),
        status,
        candidate_name: fullName,
        contact_email: jobseekerEmail,
        personal_statement: `I have wanted to work in a school like yours for a long time.\n\nIn my current role I plan lessons, work with parents and support pupils who need extra help. I would bring the same care to your school.`,
        submitted_at: submitted ? new Date(now.getTime() - submitted.daysAgo * day) : null,
        created_at: new Date(now.getTime() - ((submitted?.daysAgo ?? 1) + 1) * day),
        updated_at: new Date(now.getTime() - (steps.at(-1)?.daysAgo ?? 1) * day),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    let from: ApplicationStatus = 'draft';
    for (const step of steps) {
      await trx
        .insertInto('application_status_changes')
        .values({
          application_id: row.id,
          actor_user_id: user(step.by),
          from_status: from,
          to_status: step.to,
          // The same moment the application records (its "Received" is the submission step's time).
          changed_at: new Date(now.getTime() - step.daysAgo * day),
        })
        .execute();
      from = step.to;
    }
    return row.id;
  }
  const applications = new Map<string, string>();
  const key = (vacancyId: string) =>
    vacancyId === year3 ? 'year3' : vacancyId === senco ? 'senco' : vacancyId === maths ? 'maths' : 'ta';
  const applyAndKeep = async (vacancyId: string, email: string, fullName: string, status: ApplicationStatus) => {
    applications.set(`${email}:${key(vacancyId)}`, await apply(vacancyId, email, fullName, status));
  };

  for (const jobseeker of demoJobseekers) {
    if (jobseeker.year3Status) await applyAndKeep(year3, jobseeker.email, jobseeker.fullName, jobseeker.year3Status);
  }
  await applyAndKeep(maths, 'alex.morgan@jobseeker.example', 'Alex Morgan', 'submitted');
  await applyAndKeep(ta, 'alex.morgan@jobseeker.example', 'Alex Morgan', 'shortlisted');
  await applyAndKeep(maths, 'ruth.bennett@jobseeker.example', 'Ruth Bennett', 'interviewing');
  await applyAndKeep(senco, 'tom.fletcher@jobseeker.example', 'Tom Fletcher', 'submitted');
  await applyAndKeep(ta, 'tom.fletcher@jobseeker.example', 'Tom Fletcher', 'submitted');
  await applyAndKeep(maths, 'submitted@jobseeker.example', 'Sam Taylor', 'shortlisted');
  return { users, applications };
}
