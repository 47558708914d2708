/**
 * `npm run bench`: generates a realistic data set into its own database, runs Parley in production mode as a real
 * child process, measures the hot paths over HTTP (and the same SQL on its own), and writes docs/performance.md.
 *
 *   npm run bench                         the default scale (1,000,000 messages), every scenario
 *   npm run bench -- --scale 0.01         a small data set, for a quick run
 *   npm run bench -- --reuse --only dashboard,search   keep the loaded data, measure some scenarios
 *   npm run bench -- --soak [--soak-seconds 600]      the soak alone: 2 web + 2 worker processes, 200 visitors
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { createDashboardService } from '../src/dashboard/service.ts';
import { parseSearch } from '../src/dashboard/search.ts';
import { createDatabase } from '../src/platform/db.ts';
import {
  benchDatabaseName,
  freePort,
  loadedScale,
  markLoaded,
  migrate,
  recreateDatabase,
  startBenchServer,
  withClient,
} from './database.ts';
import { cpuMeter, type CpuSample } from './cpu.ts';
import { measureDailyEmail, startSmtpSink } from './daily-email.ts';
import { loadDataSet } from './generate.ts';
import { measureHttp, multipartBody, type HttpRun } from './http.ts';
import { parseOptions, type BenchOptions } from './options.ts';
import {
  conversationPage,
  dailyLinesOf,
  dashboardPage,
  explainStatements,
  timePageSql,
  watchersOf,
  type PageSql,
  type PageVisit,
} from './page-sql.ts';
import { newSessionSecret, startInbound, startWeb, type ParleyEnvironment } from './processes.ts';
import { measureLiveConnections, measureLiveLatency } from './live.ts';
import { measureInbound } from './inbound.ts';
import { documentPath, printTable, writeDocument, type Machine, type PageResult, type Report } from './report.ts';
import { createVisitors, visitorHeaders, type Visitor } from './sessions.ts';
import { shapeAt } from './shape.ts';
import { runSoak, soakLines, writeSoak } from './soak.ts';
import { benchmarkSearches } from './vocabulary.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The people and conversations the scenarios use, found in the generated data. */
interface Cast {
  trustMember: { id: string };
  /** A staff member of one of the trust's schools: the same kind of page over a few hundred conversations. */
  schoolMember: { id: string; conversations: number };
  longConversation: { applicationId: string; messages: number };
  trustConversations: number;
  staffSenders: { userId: string; applicationId: string }[];
  jobseekerSenders: { userId: string; applicationId: string }[];
}

async function findCast(client: pg.Client): Promise<Cast> {
  const trust = await client.query<{ id: string }>(`select id from users where email = 'staff0@group0.bench.example'`);
  const trustMember = trust.rows[0];
  if (!trustMember) throw new Error('the generated trust member is missing');
  const long = await client.query<{ application_id: string; messages: number }>(
    `select application_id, jobseeker_message_count + staff_message_count as messages from conversations
     where jobseeker_message_count + staff_message_count >= 200 order by created_at limit 1`,
  );
  const longConversation = long.rows[0];
  if (!longConversation) throw new Error('the 200-message conversation is missing');
  const count = await client.query<{ count: number }>(
    `select count(*)::int as count from conversations c where c.school_id in (
       select g.school_id from staff_memberships m join school_group_members g on g.group_id = m.organisation_id where m.user_id = $1)`,
    [trustMember.id],
  );
  const school = await client.query<{ id: string; conversations: number }>(
    `select m.user_id as id, (select count(*)::int from conversations c where c.school_id = m.organisation_id) as conversations
     from staff_memberships m join users u on u.id = m.user_id and u.closed_at is null
     where m.organisation_id in (select g.school_id from staff_memberships t join school_group_members g on g.group_id = t.organisation_id where t.user_id = $1)
     order by conversations desc, m.user_id limit 1`,
    [trustMember.id],
  );
  const schoolMember = school.rows[0];
  if (!schoolMember) throw new Error('no staff member of one of the trust’s schools');
  // Senders spread over many applications (each send locks its application) and many people.
  const staff = await client.query<{ user_id: string; application_id: string }>(
    `select distinct on (m.user_id) m.user_id, a.id as application_id
     from applications a join vacancies v on v.id = a.vacancy_id join conversations c on c.application_id = a.id
     join staff_memberships m on m.organisation_id = v.school_id join users u on u.id = m.user_id and u.closed_at is null
     where a.status not in ('draft', 'withdrawn') and c.application_id <> $1
     order by m.user_id, hashtext(a.id::text) limit 250`,
    [longConversation.application_id],
  );
  const jobseekers = await client.query<{ user_id: string; application_id: string }>(
    `select a.jobseeker_id as user_id, a.id as application_id
     from applications a join conversations c on c.application_id = a.id join users u on u.id = a.jobseeker_id and u.closed_at is null
     where a.status in ('submitted', 'shortlisted', 'interviewing', 'offered', 'declined') and a.id <> $1
     order by hashtext(a.id::text) limit 250`,
    [longConversation.application_id],
  );
  return {
    trustMember,
    schoolMember,
    longConversation: { applicationId: longConversation.application_id, messages: longConversation.messages },
    trustConversations: count.rows[0]?.count ?? 0,
    staffSenders: staff.rows.map((row) => ({ userId: row.user_id, applicationId: row.application_id })),
    jobseekerSenders: jobseekers.rows.map((row) => ({ userId: row.user_id, applicationId: row.application_id })),
  };
}

/** The benchmark's searches, with names (a candidate, a surname, a school) taken from what this person can see. */
async function searchesFor(client: pg.Client, staffUserId: string) {
  const names = await client.query<{ candidate: string; surname: string; school: string }>(
    `with visible as (
       select m.organisation_id as school_id from staff_memberships m where m.user_id = $1
       union select g.school_id from staff_memberships m join school_group_members g on g.group_id = m.organisation_id where m.user_id = $1)
     select a.candidate_name as candidate, split_part(b.candidate_name, ' ', 2) as surname, split_part(o.name, ' ', 1) as school
     from conversations c join applications a on a.id = c.application_id join organisations o on o.id = c.school_id
     join conversations d on d.school_id = c.school_id and d.id <> c.id join applications b on b.id = d.application_id
     where c.school_id in (select school_id from visible)
     order by c.id, d.id limit 1`,
    [staffUserId],
  );
  const found = names.rows[0] ?? { candidate: 'Sam Taylor', surname: 'Taylor', school: 'Oakfield' };
  const queries = benchmarkSearches.map((q) =>
    q.replace('{candidate}', found.candidate).replace('{surname}', found.surname).replace('{school}', found.school),
  );
  return { names: found, queries };
}

/** CPU per request, Parley and PostgreSQL together (what holds from run to run). */
function cpuOf(page: PageResult | undefined): number | null {
  const cpu = page?.http.cpu;
  return cpu && cpu.postgres !== null ? cpu.parley + cpu.postgres : null;
}

function machine(postgres: string): Machine {
  return {
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown CPU',
    memoryGb: os.totalmem() / 1024 ** 3,
    node: process.versions.node,
    postgres,
  };
}

const loadAverage = () => os.loadavg()[0] ?? 0;

async function sessionIdOf(client: pg.Client, visitor: Visitor): Promise<string> {
  // The cookie is "<id>.<signature>"; the id is everything before the last dot.
  const signed = decodeURIComponent(visitor.cookie.slice(visitor.cookie.indexOf('=') + 1));
  const id = signed.slice(0, signed.lastIndexOf('.'));
  const { rowCount } = await client.query(`select 1 from sessions where id = $1`, [id]);
  if (!rowCount) throw new Error('the visitor has no session row');
  return id;
}

async function measurePage(input: {
  cpu: () => CpuSample;
  name: string;
  url: string;
  paths: string[];
  visitor: Visitor;
  sqlPages: PageSql[];
  connectionString: string;
  options: BenchOptions;
  targetP95: number;
  note?: string;
}): Promise<PageResult> {
  let next = 0;
  const run: HttpRun = {
    url: input.url,
    connections: 10,
    seconds: input.options.seconds,
    expectedStatus: 200,
    nextRequest: () => {
      const path = input.paths[next % input.paths.length] ?? '/';
      next += 1;
      return { method: 'GET', path, headers: visitorHeaders(input.visitor) };
    },
  };
  log(`  ${input.name}: HTTP at 10 connections for ${input.options.seconds} s`);
  const http = await measureHttp(run, 3, input.cpu);
  const loadAtEnd = loadAverage();
  log(`  ${input.name}: HTTP at 1 connection`);
  const single = await measureHttp({ ...run, connections: 1, seconds: Math.max(5, input.options.seconds / 2) }, 1);
  log(`  ${input.name}: SQL alone`);
  const sql = await timePageSql(input.connectionString, input.sqlPages, Math.max(100, input.sqlPages.length * 10));
  log(
    `    p50 ${http.p50.toFixed(1)} ms, p95 ${http.p95.toFixed(1)} ms, ${http.perSecond.toFixed(0)}/s, errors ${http.errors}; SQL p50 ${sql.p50.toFixed(1)} ms; c=1 p50 ${single.p50.toFixed(1)} ms`,
  );
  log(`    SQL p50 by step: ${sql.steps.map((step) => `${step.step} ${step.p50.toFixed(2)} ms`).join('; ')}`);
  return {
    name: input.name,
    target: { p95: input.targetP95 },
    http,
    single,
    sql,
    loadAverage: loadAtEnd,
    ...(input.note ? { note: input.note } : {}),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const shape = shapeAt(options.scale);
  log(
    `Machine: ${os.availableParallelism()} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const server = await startBenchServer(log);
  const connectionString = server.url(benchDatabaseName);
  try {
    let loadSeconds: number | null = null;
    let loadedRows: Record<string, number> | null = null;
    if (options.reuse && (await loadedScale(server)) === options.scale) {
      const applied = await migrate(server);
      log(
        `Reusing the data set at scale ${options.scale}${applied.length ? ` (migrations applied: ${applied.join(', ')})` : ''}`,
      );
      if (applied.length) await withClient(connectionString, (client) => client.query('vacuum (analyze)'));
    } else {
      log(`Loading scale ${options.scale}: ${JSON.stringify(shape)}`);
      await recreateDatabase(server);
      const result = await loadDataSet(connectionString, shape, log);
      await markLoaded(server, options.scale);
      loadSeconds = result.seconds;
      loadedRows = result.rows;
      log(`Loaded in ${result.seconds.toFixed(1)} s`);
    }
    if (options.loadOnly) return;

    const client = new pg.Client({ connectionString, application_name: 'parley-bench' });
    await client.connect();
    const smtpPort = await freePort();
    const sink = await startSmtpSink(smtpPort);
    const settings: ParleyEnvironment = {
      databaseUrl: connectionString,
      port: await freePort(),
      smtpPort,
      sessionSecret: newSessionSecret(),
      profile: options.profile,
      poolSize: options.poolSize,
      // Live pages: the connections scenario holds thousands of streams for a few hundred people.
      extraEnv: { LIVE_STREAMS_PER_PERSON: '10000' },
    };
    const baseUrl = `http://127.0.0.1:${settings.port}`;
    if (options.soak) {
      try {
        const cast = await findCast(client);
        log(`Soak: two web and two worker processes, ${options.soakVisitors} visitors, ${options.soakSeconds} s`);
        const result = await runSoak({
          client,
          database: benchDatabaseName,
          settings,
          // Staff and jobseekers in turn.
          senders: cast.staffSenders.flatMap((staff, index) => {
            const jobseeker = cast.jobseekerSenders[index];
            return [
              { ...staff, kind: 'staff' as const },
              ...(jobseeker ? [{ ...jobseeker, kind: 'jobseeker' as const }] : []),
            ];
          }),
          trustMemberId: cast.trustMember.id,
          visitors: options.soakVisitors,
          seconds: options.soakSeconds,
          log,
        });
        for (const line of soakLines(result)) log(line);
        if (options.write) {
          const m = machine('PostgreSQL');
          await writeSoak(
            result,
            `${m.date} on ${m.cpus} CPUs (${m.cpuModel}), Node.js ${m.node}, scale ${options.scale}`,
          );
          log(`\nWritten to ${documentPath}`);
        }
        if (result.errors > 0) process.exitCode = 1;
      } finally {
        await sink.stop();
        await client.end();
      }
      return;
    }
    log('Starting the web process (NODE_ENV=production)');
    const web = await startWeb(settings);
    try {
      const cast = await findCast(client);
      const rowCounts = await client.query<{ name: string; count: string }>(`
        select 'conversations' as name, count(*) from conversations union all select 'messages', count(*) from messages union all
        select 'staff', count(*) from users where kind = 'staff' union all select 'jobseekers', count(*) from users where kind = 'jobseeker' union all
        select 'read states', count(*) from conversation_person_states union all select 'notifications', count(*) from notifications`);
      const postgres =
        (await client.query<{ version: string }>(`select split_part(version(), ' on ', 1) as version`)).rows[0]
          ?.version ?? 'PostgreSQL';
      const backendPid = (await client.query<{ pid: number }>(`select pg_backend_pid() as pid`)).rows[0]?.pid ?? null;
      const meter = cpuMeter(backendPid);
      const cpu = () => meter.sample([web.pid]);
      const [trustVisitor] = await createVisitors(client, baseUrl, settings.sessionSecret, [
        { id: cast.trustMember.id, kind: 'staff' },
      ]);
      if (!trustVisitor) throw new Error('no trust visitor');
      const trustVisit: PageVisit = { userId: trustVisitor.userId, sessionId: await sessionIdOf(client, trustVisitor) };
      const [schoolVisitor] = await createVisitors(client, baseUrl, settings.sessionSecret, [
        { id: cast.schoolMember.id, kind: 'staff' },
      ]);
      if (!schoolVisitor) throw new Error('no school visitor');
      const schoolVisit: PageVisit = {
        userId: schoolVisitor.userId,
        sessionId: await sessionIdOf(client, schoolVisitor),
      };
      const oneSchool = `one school, ${cast.schoolMember.conversations.toLocaleString('en-GB')} conversations`;

      const serverSettings = await client.query<{ name: string; setting: string }>(
        `select name, current_setting(name) as setting from unnest(array['shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'synchronous_commit', 'max_wal_size', 'jit']) as name`,
      );
      const settingsText = [
        `DATABASE_POOL_SIZE ${options.poolSize ?? '10 (the default)'}`,
        `${options.workers} worker processes`,
        `PostgreSQL ${serverSettings.rows.map((row) => `${row.name} ${row.setting}`).join(', ')}`,
        server.embedded ? 'embedded cluster on this machine' : 'the server at DATABASE_URL',
      ].join('; ');
      const report: Report = {
        machine: machine(postgres),
        settings: settingsText,
        shape,
        loadSeconds,
        rows: loadedRows ?? Object.fromEntries(rowCounts.rows.map((row) => [row.name, Number(row.count)])),
        trustConversations: cast.trustConversations,
        pages: [],
        send: null,
        daily: null,
        dailyLoadAverage: null,
        peakMemoryMb: null,
        plans: [],
        searchQueries: [],
        ratios: [],
      };
      const explain = async (page: string, pageSql: PageSql) => {
        const timing = await timePageSql(connectionString, [pageSql], 1);
        for (const plan of await explainStatements(connectionString, timing.statements))
          report.plans.push({ page, ...plan });
      };

      if (options.only.has('dashboard')) {
        log('Dashboard (Inbox, unread first) for the trust member');
        const pageSql = dashboardPage(trustVisit, null);
        report.pages.push(
          await measurePage({
            cpu,
            name: 'dashboard (c=10)',
            url: baseUrl,
            paths: ['/staff/messages'],
            visitor: trustVisitor,
            sqlPages: [pageSql],
            connectionString,
            options,
            targetP95: 30,
          }),
        );
        await explain('dashboard', pageSql);
        // The same page for a staff member of one of the trust's schools: the trust's page should cost about as much.
        log(`Dashboard (Inbox, unread first) for a staff member of one school (${oneSchool})`);
        const schoolPage = await measurePage({
          cpu,
          name: `dashboard, ${oneSchool} (c=10)`,
          url: baseUrl,
          paths: ['/staff/messages'],
          visitor: schoolVisitor,
          sqlPages: [dashboardPage(schoolVisit, null)],
          connectionString,
          options,
          targetP95: 30,
        });
        report.pages.push(schoolPage);
        report.ratios.push({
          name: 'dashboard',
          trust: cpuOf(report.pages.find((page) => page.name === 'dashboard (c=10)')),
          school: cpuOf(schoolPage),
        });
      }

      if (options.only.has('search')) {
        const searches = await searchesFor(client, cast.trustMember.id);
        const found = searches.names;
        log(`Dashboard search, ${searches.queries.length} queries`);
        const paths = searches.queries.map((q) => `/staff/messages?${new URLSearchParams({ q }).toString()}`);
        const pages = searches.queries.map((q) => dashboardPage(trustVisit, q));
        report.pages.push(
          await measurePage({
            cpu,
            name: 'search (c=10)',
            url: baseUrl,
            paths,
            visitor: trustVisitor,
            sqlPages: pages,
            connectionString,
            options,
            targetP95: 60,
          }),
        );
        const { db } = createDatabase(connectionString, 1);
        try {
          const dashboard = createDashboardService({ db, countUnreadNotifications: () => Promise.resolve(0) });
          const user = {
            id: cast.trustMember.id,
            kind: 'staff' as const,
            email: '',
            fullName: '',
            organisationNames: [],
          };
          for (const [index, query] of searches.queries.entries()) {
            const page = pages[index];
            if (!page) continue;
            const timing = await timePageSql(connectionString, [page], 10);
            const result = await dashboard.staffDashboard(
              user,
              { tab: 'inbox', sort: 'unread', search: parseSearch(query), page: 1 },
              { allowRedirect: false },
            );
            const total = result.outcome === 'page' ? result.total : 0;
            report.searchQueries.push({ query, sqlP50: timing.p50, matches: total });
          }
        } finally {
          await db.destroy();
        }
        const schoolSearches = await searchesFor(client, cast.schoolMember.id);
        log(`Dashboard search for a staff member of one school (${oneSchool})`);
        const schoolPage = await measurePage({
          cpu,
          name: `search, ${oneSchool} (c=10)`,
          url: baseUrl,
          paths: schoolSearches.queries.map((q) => `/staff/messages?${new URLSearchParams({ q }).toString()}`),
          visitor: schoolVisitor,
          sqlPages: schoolSearches.queries.map((q) => dashboardPage(schoolVisit, q)),
          connectionString,
          options,
          targetP95: 60,
        });
        report.pages.push(schoolPage);
        report.ratios.push({
          name: 'search',
          trust: cpuOf(report.pages.find((page) => page.name === 'search (c=10)')),
          school: cpuOf(schoolPage),
        });
        await explain('search "interview"', dashboardPage(trustVisit, 'interview'));
        await explain('search "mathem" (prefix)', dashboardPage(trustVisit, 'mathem'));
        await explain(`search "${found.candidate}"`, dashboardPage(trustVisit, found.candidate));
      }

      if (options.only.has('conversation')) {
        log(`Conversation page (${cast.longConversation.messages} messages) for the trust member`);
        const pageSql = conversationPage(trustVisit, cast.longConversation.applicationId);
        report.pages.push(
          await measurePage({
            cpu,
            name: `conversation page, ${cast.longConversation.messages} messages (c=10)`,
            url: baseUrl,
            paths: [`/staff/applications/${cast.longConversation.applicationId}`],
            visitor: trustVisitor,
            sqlPages: [pageSql],
            connectionString,
            options,
            targetP95: 30,
          }),
        );
        await explain('conversation page', pageSql);
      }

      if (options.only.has('daily-email')) {
        log(`Daily email with ${options.workers} worker processes`);
        report.daily = await measureDailyEmail(
          client,
          settings,
          sink,
          options.workers,
          log,
          meter,
          options.dailyTimeoutSeconds,
        );
        report.dailyLoadAverage = loadAverage();
        log(
          `    ${report.daily.sent} emails in ${report.daily.seconds.toFixed(1)} s (${report.daily.recipients} recipients)`,
        );
      }

      if (options.only.has('send')) {
        log('Sending messages (staff and jobseekers)');
        const senders = [
          ...cast.staffSenders.map((s) => ({ ...s, kind: 'staff' as const })),
          ...cast.jobseekerSenders.map((s) => ({ ...s, kind: 'jobseeker' as const })),
        ];
        const visitors = await createVisitors(
          client,
          baseUrl,
          settings.sessionSecret,
          senders.map((s) => ({ id: s.userId, kind: s.kind })),
        );
        const byUser = new Map(visitors.map((visitor) => [visitor.userId, visitor]));
        const plan = senders.flatMap((sender) => {
          const visitor = byUser.get(sender.userId);
          if (!visitor) return [];
          const path =
            sender.kind === 'staff'
              ? `/staff/applications/${sender.applicationId}/messages`
              : `/applications/${sender.applicationId}/messages`;
          return [{ visitor, path }];
        });
        // Staff and jobseekers take turns.
        const staffPlan = plan.filter((entry) => entry.visitor.kind === 'staff');
        const jobseekerPlan = plan.filter((entry) => entry.visitor.kind === 'jobseeker');
        plan.length = 0;
        for (let index = 0; index < Math.max(staffPlan.length, jobseekerPlan.length); index += 1) {
          for (const entry of [staffPlan[index], jobseekerPlan[index]]) if (entry) plan.push(entry);
        }
        const before = Number(
          (await client.query<{ count: string }>(`select count(*) from messages`)).rows[0]?.count ?? 0,
        );
        let next = 0;
        const run: HttpRun = {
          url: baseUrl,
          connections: 50,
          seconds: options.sendSeconds,
          expectedStatus: 303,
          nextRequest: () => {
            const sender = plan[next % plan.length];
            next += 1;
            if (!sender) throw new Error('no senders');
            const form = multipartBody({
              _csrf: sender.visitor.csrfToken,
              formKey: randomUUID(),
              format: 'text',
              body: `Thank you for your message. Could you come in for a short visit on ${['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'][next % 5] ?? 'Monday'} at ${9 + (next % 7)} o'clock? We look forward to hearing from you.`,
            });
            return {
              method: 'POST',
              path: sender.path,
              headers: { ...visitorHeaders(sender.visitor), 'content-type': form.contentType },
              body: form.body,
            };
          },
        };
        const http = await measureHttp(run, 3, cpu);
        const after = Number(
          (await client.query<{ count: string }>(`select count(*) from messages`)).rows[0]?.count ?? 0,
        );
        report.send = { http, messagesWritten: after - before, connections: 50, loadAverage: loadAverage() };
        log(
          `    p50 ${http.p50.toFixed(1)} ms, p95 ${http.p95.toFixed(1)} ms, ${http.perSecond.toFixed(0)}/s, errors ${http.errors} ${JSON.stringify(http.statuses)}`,
        );
      }

      if (options.only.has('send') || options.only.has('daily-email')) {
        // The write paths' heaviest statements (planned afresh here; Parley runs them prepared).
        const jobseekerSender = cast.jobseekerSenders[0];
        const dailyReader = await client.query<{ id: string }>(
          `select id from users where email like 'staff%@school%' order by email limit 1`,
        );
        if (jobseekerSender) await explain('sending (jobseeker)', watchersOf(jobseekerSender.applicationId));
        if (dailyReader.rows[0]) await explain('daily email', dailyLinesOf(dailyReader.rows[0].id));
      }

      report.peakMemoryMb = await web.peakMemoryMb();

      if (options.only.has('live-connections')) {
        log(`Live pages: ${options.liveConnections} open streams on one web process`);
        const people = [
          ...cast.staffSenders.map((s) => ({ ...s, kind: 'staff' as const })),
          ...cast.jobseekerSenders.map((s) => ({ ...s, kind: 'jobseeker' as const })),
        ];
        const visitors = await createVisitors(
          client,
          baseUrl,
          settings.sessionSecret,
          people.map((person) => ({ id: person.userId, kind: person.kind })),
        );
        report.liveConnections = await measureLiveConnections({
          baseUrl,
          webPid: web.pid,
          visitors,
          applicationOf: new Map(people.map((person) => [person.userId, person.applicationId])),
          count: options.liveConnections,
          log,
        });
        log(
          `    ${report.liveConnections.extraMb.toFixed(0)} MB extra for ${report.liveConnections.connections} streams (${report.liveConnections.perConnectionKb.toFixed(1)} KB each)`,
        );
      }

      if (options.only.has('live-latency')) {
        log('Live pages: from a send on web 1 to the event on a page held by web 2');
        const secondPort = await freePort();
        const second = await startWeb({ ...settings, port: secondPort }, 'web-2');
        try {
          report.liveLatency = await measureLiveLatency({
            client,
            senderUrl: baseUrl,
            receiverUrl: `http://127.0.0.1:${secondPort}`,
            sessionSecret: settings.sessionSecret,
            staffSenders: cast.staffSenders,
            sends: options.liveSends,
            concurrency: 5,
            log,
          });
          log(
            `    p50 ${report.liveLatency.fromRequest.p50.toFixed(1)} ms, p95 ${report.liveLatency.fromRequest.p95.toFixed(1)} ms from the send's request; ${report.liveLatency.missed} missed`,
          );
        } finally {
          await second.stop();
        }
      }

      if (options.only.has('inbound')) {
        const inboundPort = await freePort();
        const domain = 'reply.bench.example';
        log(`Replies by email: ${options.inboundEmails} emails to the receiver`);
        const inbound = await startInbound({
          ...settings,
          port: await freePort(),
          extraEnv: {
            REPLY_EMAIL_DOMAIN: domain,
            INBOUND_HOST: '127.0.0.1',
            INBOUND_PORT: String(inboundPort),
            REPLIES_PER_HOUR: '1000000',
          },
        });
        try {
          report.inbound = await measureInbound({
            client,
            connectionString,
            port: inboundPort,
            domain,
            jobseekerSenders: cast.jobseekerSenders,
            emails: options.inboundEmails,
            concurrency: options.inboundConcurrency,
            cpu: () => meter.sample([inbound.pid]),
            log,
          });
          log(
            `    ${report.inbound.accepted} of ${report.inbound.emails} in ${report.inbound.seconds.toFixed(1)} s: ${report.inbound.perSecond.toFixed(0)}/s (p50 ${report.inbound.p50.toFixed(0)} ms, p95 ${report.inbound.p95.toFixed(0)} ms); CPU ms each ${JSON.stringify(report.inbound.cpu)}`,
          );
        } finally {
          await inbound.stop();
        }
      }
      log('');
      printTable(report, log);
      if (options.write) {
        await writeDocument(report);
        log(`\nWritten to ${documentPath}`);
      }
    } finally {
      await web.stop();
      await sink.stop();
      await client.end();
    }
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `The benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
