/**
 * The results table (printed) and docs/performance.md (written). The generated part of the document sits between
 * two markers; whatever is written around it (the analysis) is kept when the benchmark runs again.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../src/config.ts';
import type { CpuSample } from './cpu.ts';
import type { DailyEmailResult } from './daily-email.ts';
import type { HttpResult } from './http.ts';
import type { SqlTiming } from './page-sql.ts';
import type { DataShape } from './shape.ts';

import type { LiveConnectionsResult, LiveLatencyResult } from './live.ts';
import type { InboundResult } from './inbound.ts';

export const documentPath = path.join(projectRoot, 'docs', 'performance.md');
const startMarker = '<!-- bench:generated:start -->';
const endMarker = '<!-- bench:generated:end -->';

export interface PageResult {
  name: string;
  target: { p95: number };
  http: HttpResult;
  /** The same page with one visitor at a time: its latency against the SQL's is the page's own overhead. */
  single: HttpResult;
  sql: SqlTiming;
  loadAverage: number;
  note?: string;
}

export interface SendResult {
  http: HttpResult;
  messagesWritten: number;
  connections: number;
  loadAverage: number;
}

export interface Machine {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  postgres: string;
}

export interface Report {
  machine: Machine;
  /** Parley's and PostgreSQL's settings that bear on the figures. */
  settings: string;
  shape: DataShape;
  loadSeconds: number | null;
  rows: Record<string, number>;
  trustConversations: number;
  pages: PageResult[];
  send: SendResult | null;
  daily: DailyEmailResult | null;
  dailyLoadAverage: number | null;
  peakMemoryMb: number | null;
  plans: { page: string; step: string; sql: string; plan: string }[];
  searchQueries: { query: string; sqlP50: number; matches: number }[];
  /** The trust member's page against one school's staff member's, in CPU ms per request (Parley + PostgreSQL). */
  ratios: { name: string; trust: number | null; school: number | null }[];
  liveConnections?: LiveConnectionsResult | null;
  liveLatency?: LiveLatencyResult | null;
  inbound?: InboundResult | null;
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const whole = (value: number) => Math.round(value).toLocaleString('en-GB');
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
const cpuText = (cpu: CpuSample | null) =>
  cpu
    ? `${cpu.parley.toFixed(1)} + ${cpu.postgres === null ? '?' : cpu.postgres.toFixed(1)} + ${cpu.generator.toFixed(1)}`
    : '–';

/** The table rows: scenario, p50, p95, p99, throughput, errors, page/SQL, target. */
export function resultRows(report: Report): string[][] {
  const rows: string[][] = [];
  for (const page of report.pages) {
    const ratio = page.single.p50 / page.sql.p50;
    rows.push([
      page.name,
      ms(page.http.p50),
      ms(page.http.p95),
      ms(page.http.p99),
      `${whole(page.http.perSecond)}/s`,
      String(page.http.errors),
      `${ms(page.sql.p50)} / ${ms(page.sql.p95)}`,
      `${ms(page.single.p50)} / ${ratio.toFixed(2)}`,
      cpuText(page.http.cpu),
      `p95 ≤ ${page.target.p95} ms, ratio ≤ 2: ${verdict(page.http.p95 <= page.target.p95 && ratio <= 2)}`,
    ]);
  }
  if (report.send) {
    const send = report.send.http;
    const ok = send.perSecond >= 500 && send.p95 <= 50 && send.errors === 0;
    rows.push([
      `sending (c=${report.send.connections})`,
      ms(send.p50),
      ms(send.p95),
      ms(send.p99),
      `${whole(send.perSecond)}/s`,
      String(send.errors),
      '–',
      '–',
      cpuText(send.cpu),
      `≥ 500/s, p95 ≤ 50 ms, no errors: ${verdict(ok)}`,
    ]);
  }
  if (report.daily) {
    const daily = report.daily;
    rows.push([
      `daily email (${daily.workers} workers)`,
      '–',
      '–',
      '–',
      `${daily.emailsPerSecond.toFixed(1)} emails/s`,
      daily.timedOut ? 'timed out' : '0',
      '–',
      '–',
      cpuText(daily.cpu),
      `${whole(daily.sent)} emails in ${daily.seconds.toFixed(1)} s, ≤ 30 s: ${verdict(!daily.timedOut && daily.seconds <= 30)}`,
    ]);
  }
  if (report.liveConnections) {
    const live = report.liveConnections;
    rows.push([
      `live pages: ${whole(live.connections)} open streams, one web process`,
      '–',
      '–',
      '–',
      '–',
      String(live.refused),
      '–',
      '–',
      '–',
      `${whole(live.extraMb)} MB extra (${live.perConnectionKb.toFixed(1)} KB each), < 200 MB: ${verdict(live.refused === 0 && live.extraMb < 200)}`,
    ]);
  }
  if (report.liveLatency) {
    const live = report.liveLatency;
    rows.push([
      `live pages: send on web 1 to event on web 2 (${whole(live.sends)} sends)`,
      ms(live.fromRequest.p50),
      ms(live.fromRequest.p95),
      ms(live.fromRequest.p99),
      '–',
      String(live.missed),
      '–',
      '–',
      '–',
      `p95 < 500 ms: ${verdict(live.missed === 0 && live.fromRequest.p95 < 500)}`,
    ]);
  }
  if (report.inbound) {
    const inbound = report.inbound;
    rows.push([
      `replies by email, end to end (${inbound.concurrency} SMTP connections)`,
      ms(inbound.p50),
      ms(inbound.p95),
      '–',
      `${inbound.perSecond.toFixed(0)}/s`,
      String(inbound.failed + (inbound.emails - inbound.accepted - inbound.failed)),
      '–',
      '–',
      cpuText(inbound.cpu),
      `≥ 100/s: ${verdict(inbound.failed === 0 && inbound.perSecond >= 100)}`,
    ]);
  }
  if (report.peakMemoryMb !== null) {
    rows.push([
      'web process peak memory (VmHWM)',
      '–',
      '–',
      '–',
      '–',
      '–',
      '–',
      '–',
      '–',
      `${whole(report.peakMemoryMb)} MB`,
    ]);
  }
  return rows;
}

const headings = [
  'scenario',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'throughput',
  'errors',
  'SQL p50 / p95 ms',
  'c=1 p50 ms / ratio',
  'CPU ms each: Parley + PostgreSQL + bench',
  'target',
];

export function printTable(report: Report, write: (line: string) => void): void {
  const rows = [headings, ...resultRows(report)];
  const widths = headings.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const [index, row] of rows.entries()) {
    write(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
    if (index === 0) write(widths.map((width) => '-'.repeat(width)).join('  '));
  }
  for (const line of ratioLines(report)) write(line);
}

/** "trust CPU ÷ one school's CPU", measured in the same run: the figure that holds on any machine. */
function ratioLines(report: Report): string[] {
  return report.ratios.map(({ name, trust, school }) => {
    if (trust === null || school === null) return `${name}: trust ÷ one school: not measured (no PostgreSQL CPU)`;
    const ratio = trust / school;
    return `${name}: trust ${trust.toFixed(1)} ms ÷ one school ${school.toFixed(1)} ms of CPU = ${ratio.toFixed(2)} (target ≤ 1.5: ${ratio <= 1.5 ? 'met' : 'missed'})`;
  });
}

function markdownTable(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

function generated(report: Report): string {
  const { machine, shape } = report;
  const lines: string[] = [];
  lines.push(`## Results of the last run`, '');
  lines.push(
    `Run on ${machine.date} by \`npm run bench -- --scale ${shape.scale}\`: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb.toFixed(0)} GB memory, Node.js ${machine.node}, ${machine.postgres}.`,
    '',
  );
  lines.push(`Settings: ${report.settings}.`, '');
  lines.push(markdownTable(headings, resultRows(report)), '');
  lines.push(
    'Latencies are of every response in the measured window (after a 3-second warm-up), at the concurrency shown in the scenario list. ' +
      '"SQL" is the sum of the page\'s queries run one after another through the same repository functions on one connection, prepared as Parley prepares them; ' +
      '"c=1" is the page over HTTP with one visitor at a time, and the ratio is c=1 page time / SQL time, the cost of everything that is not SQL. ' +
      '"CPU ms each" is the CPU time used per response (per email for the daily email) by Parley\'s processes, by the PostgreSQL server and by the benchmark itself (autocannon, the SMTP sink): ' +
      `with ${machine.cpus} CPUs, throughput cannot exceed ${machine.cpus} × 1000 / their sum.`,
    '',
  );
  lines.push(
    `Load average (1 minute) at the end of each scenario, on ${machine.cpus} CPUs (other people's work shares the machine):`,
    '',
  );
  for (const page of report.pages) lines.push(`- ${page.name}: ${page.loadAverage.toFixed(1)}`);
  if (report.dailyLoadAverage !== null) lines.push(`- daily email: ${report.dailyLoadAverage.toFixed(1)}`);
  if (report.send) lines.push(`- sending: ${report.send.loadAverage.toFixed(1)}`);
  lines.push('');

  lines.push('### The data set', '');
  lines.push(
    `Scale ${shape.scale}: ${whole(shape.schools)} schools in ${whole(shape.groups)} groups, ${whole(shape.staff)} staff, ${whole(shape.jobseekers)} jobseekers, ` +
      `${whole(shape.conversations)} conversations, ${whole(shape.messages)} messages. The measured trust member sees ${whole(report.trustConversations)} conversations.` +
      (report.loadSeconds !== null
        ? ` Generated, indexed, checked and analysed in ${report.loadSeconds.toFixed(0)} s.`
        : ' (Reused from an earlier load.)'),
    '',
  );
  lines.push(
    markdownTable(
      ['table', 'rows'],
      Object.entries(report.rows).map(([name, count]) => [name, whole(count)]),
    ),
    '',
  );

  lines.push('### Where each page spends its SQL time', '');
  for (const page of report.pages) {
    lines.push(`**${page.name}** (${page.sql.queries} statements per visit${page.note ? `; ${page.note}` : ''})`, '');
    lines.push(
      markdownTable(
        ['step', 'p50 ms', 'p95 ms'],
        page.sql.steps.map((step) => [step.step, ms(step.p50), ms(step.p95)]),
      ),
      '',
    );
  }
  if (report.ratios.length) {
    lines.push('### The trust against one school', '');
    lines.push(...ratioLines(report).map((line) => `- ${line}`), '');
  }
  if (report.searchQueries.length) {
    lines.push("**Search, query by query** (the whole page's SQL, p50)", '');
    lines.push(
      markdownTable(
        ['search', 'matches', 'SQL p50 ms'],
        report.searchQueries.map((q) => [`\`${q.query}\``, whole(q.matches), ms(q.sqlP50)]),
      ),
      '',
    );
  }
  if (report.daily) {
    const daily = report.daily;
    lines.push('### Daily email', '');
    lines.push(
      `${whole(daily.recipients)} recipients queued (${daily.queueingSeconds.toFixed(1)} s after the run started), ${whole(daily.sent)} emails sent, ` +
        `${whole(daily.nothingToSend)} jobs found nothing to send; ${daily.seconds.toFixed(1)} s from startDailyRunIfDue to the last email accepted by the SMTP sink, ` +
        `with ${daily.workers} worker processes.${daily.timedOut ? ' **The run did not finish within the time limit; the figures are up to the limit.**' : ''}`,
      '',
    );
  }
  if (report.send) {
    const statuses = Object.entries(report.send.http.statuses)
      .map(([status, count]) => `${status}: ${whole(count)}`)
      .join(', ');
    lines.push('### Sending', '');
    lines.push(
      `${whole(report.send.messagesWritten)} messages written in ${report.send.http.seconds.toFixed(0)} s; responses ${statuses}.`,
      '',
    );
  }
  if (report.liveConnections) {
    const live = report.liveConnections;
    lines.push('### Live pages', '');
    lines.push(
      `${whole(live.connections)} event streams held by one web process for ${whole(live.people)} people (half conversation pages, half lists), ` +
        `opened in ${live.openSeconds.toFixed(1)} s: resident memory ${whole(live.rssBeforeMb)} MB before, ${whole(live.rssOpenMb)} MB with them open ` +
        `(${whole(live.extraMb)} MB extra), ${whole(live.rssAfterMb)} MB after they closed.`,
      '',
    );
  }
  if (report.liveLatency) {
    const live = report.liveLatency;
    if (!report.liveConnections) lines.push('### Live pages', '');
    lines.push(
      `${whole(live.sends)} messages sent by staff through web process 1 while ${whole(live.streams)} applicants held their conversation pages open on web process 2: ` +
        `from the send's request to the event on the page, p50 ${ms(live.fromRequest.p50)} ms, p95 ${ms(live.fromRequest.p95)} ms, max ${ms(live.fromRequest.max)} ms; ` +
        `from the send's response (committed) to the event, p50 ${ms(live.fromResponse.p50)} ms, p95 ${ms(live.fromResponse.p95)} ms. ${whole(live.missed)} events missed.`,
      '',
    );
  }
  if (report.inbound) {
    const inbound = report.inbound;
    lines.push('### Replies by email', '');
    lines.push(
      `${whole(inbound.emails)} replies (plain text with a quoted email and a signature) sent over ${inbound.concurrency} SMTP connections to the receiver ` +
        `(\`--inbound\`, production mode): ${whole(inbound.accepted)} became messages in ${inbound.seconds.toFixed(1)} s, ${inbound.perSecond.toFixed(0)} per second; ` +
        `each SMTP transaction p50 ${ms(inbound.p50)} ms, p95 ${ms(inbound.p95)} ms.` +
        (inbound.cpu && inbound.cpu.postgres !== null
          ? ` CPU per reply: ${inbound.cpu.parley.toFixed(1)} ms in the receiver and ${inbound.cpu.postgres.toFixed(1)} ms in PostgreSQL, ` +
            `so two otherwise idle cores would take about ${whole(2000 / (inbound.cpu.parley + inbound.cpu.postgres))} replies a second.`
          : ''),
      '',
    );
  }
  lines.push('### Query plans', '');
  lines.push(
    '`EXPLAIN (ANALYZE, BUFFERS)` of each statement the pages run, on the data set above, after the measurements (warm cache).',
    '',
  );
  const seen = new Set<string>();
  for (const plan of report.plans) {
    // Each statement once; for the searches, each search's own page query (the rest is the dashboard's).
    const searchQuery = plan.page.startsWith('search') && plan.sql.includes('search_vector @@');
    if (plan.page.startsWith('search') ? !searchQuery : seen.has(plan.sql)) continue;
    seen.add(plan.sql);
    lines.push(
      `<details><summary>${plan.page}: ${plan.step}</summary>`,
      '',
      '```sql',
      plan.sql.trim(),
      '```',
      '',
      '```',
      plan.plan,
      '```',
      '',
      '</details>',
      '',
    );
  }
  return lines.join('\n');
}

const defaultIntroduction = `# Performance

How Parley behaves at scale, measured by \`npm run bench\` (see \`bench/\`). The section between the markers is
written by the benchmark; the rest is kept.

`;

export async function writeDocument(report: Report): Promise<void> {
  const block = `${startMarker}\n${generated(report)}\n${endMarker}`;
  let document = `${defaultIntroduction}${block}\n`;
  if (existsSync(documentPath)) {
    const existing = await readFile(documentPath, 'utf8');
    const start = existing.indexOf(startMarker);
    const end = existing.indexOf(endMarker);
    if (start !== -1 && end > start)
      document = `${existing.slice(0, start)}${block}${existing.slice(end + endMarker.length)}`;
    else document = `${existing.trimEnd()}\n\n${block}\n`;
  }
  await writeFile(documentPath, document);
}
