/** `npm run bench -- [options]`. */
export interface BenchOptions {
  scale: number;
  /** Keep the data set already loaded at this scale (a previous run's sends remain in it). */
  reuse: boolean;
  /** Load the data set and stop. */
  loadOnly: boolean;
  /** Seconds each read scenario is measured for (after a warm-up). */
  seconds: number;
  sendSeconds: number;
  /** Scenarios to run (all by default). */
  only: Set<ScenarioName>;
  /** Write docs/performance.md (on by default). */
  write: boolean;
  workers: number;
  /** CPU profiles of Parley's processes (.data/bench/profiles/). */
  profile: boolean;
  /** DATABASE_POOL_SIZE for Parley's processes (unset: Parley's default). */
  poolSize: number | null;
  /** The daily email is stopped after this many seconds (its rate so far is reported). */
  dailyTimeoutSeconds: number;
  /** Run the soak instead of the other scenarios: two web and two worker processes under constant load. */
  soak: boolean;
  soakSeconds: number;
  soakVisitors: number;
  /** Live pages: the streams one web process holds open. */
  liveConnections: number;
  /** Live pages: messages sent while another web process holds the pages open. */
  liveSends: number;
  /** Replies by email sent to the receiver. */
  inboundEmails: number;
  /** SMTP connections the replies arrive on at once. */
  inboundConcurrency: number;
}

export const scenarioNames = [
  'dashboard',
  'search',
  'conversation',
  'daily-email',
  'send',
  'live-connections',
  'live-latency',
  'inbound',
] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export const usage = `npm run bench -- [--scale 1] [--reuse] [--load-only] [--seconds 20] [--send-seconds 60]
                    [--only dashboard,search,conversation,daily-email,send] [--workers 2] [--pool-size 10] [--daily-timeout 600] [--no-write] [--profile]
                    [--soak] [--soak-seconds 600] [--soak-visitors 200]
                    [--live-connections 2000] [--live-sends 300] [--inbound-emails 1000] [--inbound-concurrency 20]`;

export function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    scale: 1,
    reuse: false,
    loadOnly: false,
    seconds: 20,
    sendSeconds: 60,
    only: new Set(scenarioNames),
    write: true,
    workers: 2,
    profile: false,
    poolSize: null,
    dailyTimeoutSeconds: 600,
    soak: false,
    soakSeconds: 600,
    soakVisitors: 200,
    liveConnections: 2000,
    liveSends: 300,
    inboundEmails: 1000,
    inboundConcurrency: 20,
  };
  const value = (index: number, name: string): string => {
    const next = argv[index + 1];
    if (next === undefined) throw new Error(`${name} needs a value\n${usage}`);
    return next;
  };
  const positive = (text: string, name: string): number => {
    const number = Number(text);
    if (!Number.isFinite(number) || number <= 0) throw new Error(`${name} must be a positive number\n${usage}`);
    return number;
  };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    switch (argument) {
      case '--scale':
        options.scale = positive(value(index, argument), argument);
        index += 1;
        break;
      case '--seconds':
        options.seconds = positive(value(index, argument), argument);
        index += 1;
        break;
      case '--send-seconds':
        options.sendSeconds = positive(value(index, argument), argument);
        index += 1;
        break;
      case '--pool-size':
        options.poolSize = Math.round(positive(value(index, argument), argument));
        index += 1;
        break;
      case '--daily-timeout':
        options.dailyTimeoutSeconds = positive(value(index, argument), argument);
        index += 1;
        break;
      case '--workers':
        options.workers = Math.round(positive(value(index, argument), argument));
        index += 1;
        break;
      case '--only': {
        const names = value(index, argument).split(',');
        const unknown = names.filter((name) => !(scenarioNames as readonly string[]).includes(name));
        if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}\n${usage}`);
        options.only = new Set(names as ScenarioName[]);
        index += 1;
        break;
      }
      case '--live-connections':
        options.liveConnections = Math.round(positive(value(index, argument), argument));
        index += 1;
        break;
      case '--live-sends':
        options.liveSends = Math.round(positive(value(index, argument), argument));
        index += 1;
        break;
      case '--inbound-emails':
        options.inboundEmails = Math.round(positive(value(index, argument), argument));
        index += 1;
        break;
      case '--inbound-concurrency':
        options.inboundConcurrency = Math.round(positive(value(index, argument), argument));
        index += 1;
        break;
      case '--soak':
        options.soak = true;
        break;
      case '--soak-seconds':
        options.soakSeconds = Math.round(positive(value(index, argument), argument));
        options.soak = true;
        index += 1;
        break;
      case '--soak-visitors':
        options.soakVisitors = Math.round(positive(value(index, argument), argument));
        options.soak = true;
        index += 1;
        break;
      case '--reuse':
        options.reuse = true;
        break;
      case '--load-only':
        options.loadOnly = true;
        break;
      case '--no-write':
        options.write = false;
        break;
      case '--profile':
        options.profile = true;
        break;
      default:
        throw new Error(`unknown option ${String(argument)}\n${usage}`);
    }
  }
  return options;
}
