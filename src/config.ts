import path from 'node:path';
import { z } from 'zod';
import { deliveryPoints, type DeliveryPoint } from './platform/test-pauses.ts';

/**
 * The only reader of process.env. Development gets defaults; production refuses to start without its secrets.
 * Every invalid variable is reported at once.
 */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const environmentSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    BASE_URL: z.url().optional(),
    DATABASE_URL: z.string().optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
    DATA_DIR: z.string().optional(),
    SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional(),
    SECURE_COOKIES: booleanFlag.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOAD_DEMO_DATA: booleanFlag.optional(),
    SIGN_IN_ATTEMPTS_PER_15_MINUTES: z.coerce.number().int().min(1).default(10),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    TRUST_PROXY: z
      .string()
      .regex(
        /^(true|false|\d{1,2}|[0-9a-fA-F:./,\s]+)$/,
        'TRUST_PROXY must be true, false, a number of proxies, or addresses',
      )
      .optional(),
    ATTACHMENT_MAX_FILES: z.coerce.number().int().min(1).max(20).default(5),
    ATTACHMENT_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(10 * 1024 * 1024),
    FILE_STORAGE_DIR: z.string().optional(),
    STORAGE_DRIVER: z.enum(['filesystem', 's3']).default('filesystem'),
    S3_BUCKET: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'S3_BUCKET must be a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens',
      )
      .optional(),
    S3_REGION: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'S3_REGION must be a region name such as eu-west-2')
      .optional(),
    S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'S3_ENDPOINT must be an http or https address' }).optional(),
    S3_FORCE_PATH_STYLE: booleanFlag.default(false),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    S3_PREFIX: z
      .string()
      .max(200)
      .regex(
        /^[\w-][\w.-]*(?:\/[\w-][\w.-]*)*\/?$/,
        "S3_PREFIX must be folder names (letters, digits, '.', '_', '-') joined by '/', such as parley/attachments/",
      )
      .optional(),
    CLAMD_HOST: z.string().optional(),
    CLAMD_PORT: z.coerce.number().int().min(1).max(65535).default(3310),
    CLAMD_SOCKET: z.string().optional(),
    CLAMD_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
    EMAIL_TRANSPORT: z.enum(['file', 'smtp', 'notify']).optional(),
    EMAIL_FROM: z.string().default('Parley <no-reply@parley.localhost>'),
    MAIL_DIR: z.string().optional(),
    SMTP_HOST: z.string().optional(),
    SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
    SMTP_SECURE: booleanFlag.default(false),
    SMTP_REQUIRE_TLS: booleanFlag.optional(),
    SMTP_USER: z.string().optional(),
    SMTP_PASSWORD: z.string().optional(),
    NOTIFY_API_KEY: z
      .string()
      .regex(/-[0-9a-f-]{36}-[0-9a-f-]{36}$/, 'NOTIFY_API_KEY must be a GOV.UK Notify API key')
      .optional(),
    NOTIFY_BASE_URL: z.url().default('https://api.notifications.service.gov.uk'),
    NOTIFY_TEMPLATE_JOBSEEKER_MESSAGES: z.string().optional(),
    NOTIFY_TEMPLATE_STAFF_DAILY: z.string().optional(),
    JOBSEEKER_EMAIL_DELAY_SECONDS: z.coerce.number().int().min(0).default(120),
    EMAIL_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).default(30),
    // Fault tests only: makes a worker stop for good at these points of its first emails (see platform/test-pauses).
    EMAIL_TEST_PAUSES: z
      .string()
      .transform((value) => value.split(',').map((point) => point.trim()))
      .pipe(
        z.array(
          z.enum(deliveryPoints, {
            error: `EMAIL_TEST_PAUSES must list points among ${deliveryPoints.join(', ')}, separated by commas`,
          }),
        ),
      )
      .optional(),
    REPLY_EMAIL_DOMAIN: z
      .string()
      .regex(
        /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i,
        'REPLY_EMAIL_DOMAIN must be a domain name',
      )
      .optional(),
    INBOUND_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
    INBOUND_HOST: z.string().default('127.0.0.1'),
    INBOUND_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(25 * 1024 * 1024),
    REPLIES_PER_HOUR: z.coerce.number().int().min(1).default(20),
    DATABASE_LISTEN_URL: z.string().optional(),
    LIVE_STREAMS_PER_PERSON: z.coerce.number().int().min(1).max(10_000).default(5),
    LIVE_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(20),
    LIVE_SESSION_CHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  })
  .superRefine((env, context) => {
    if (env.NODE_ENV === 'production') {
      if (!env.SESSION_SECRET) {
        context.addIssue({
          code: 'custom',
          path: ['SESSION_SECRET'],
          message: 'SESSION_SECRET is required in production',
        });
      }
      if (!env.DATABASE_URL) {
        context.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'DATABASE_URL is required in production' });
      }
      if (!env.BASE_URL) {
        context.addIssue({ code: 'custom', path: ['BASE_URL'], message: 'BASE_URL is required in production' });
      }
      if (env.EMAIL_TRANSPORT === 'file' || (!env.EMAIL_TRANSPORT && !env.SMTP_HOST && !env.NOTIFY_API_KEY)) {
        context.addIssue({
          code: 'custom',
          path: ['EMAIL_TRANSPORT'],
          message: 'production needs SMTP_HOST or NOTIFY_API_KEY to send email',
        });
      }
    }
    if (env.EMAIL_TEST_PAUSES && env.NODE_ENV !== 'test') {
      context.addIssue({
        code: 'custom',
        path: ['EMAIL_TEST_PAUSES'],
        message: 'EMAIL_TEST_PAUSES stops workers while they send emails: it is for tests only (NODE_ENV=test)',
      });
    }
    if (env.EMAIL_TRANSPORT === 'smtp' && !env.SMTP_HOST) {
      context.addIssue({
        code: 'custom',
        path: ['SMTP_HOST'],
        message: 'SMTP_HOST is required when EMAIL_TRANSPORT is smtp',
      });
    }
    const notify = env.EMAIL_TRANSPORT === 'notify' || (!env.EMAIL_TRANSPORT && !env.SMTP_HOST && env.NOTIFY_API_KEY);
    if (notify) {
      for (const name of [
        'NOTIFY_API_KEY',
        'NOTIFY_TEMPLATE_JOBSEEKER_MESSAGES',
        'NOTIFY_TEMPLATE_STAFF_DAILY',
      ] as const) {
        if (!env[name])
          context.addIssue({
            code: 'custom',
            path: [name],
            message: `${name} is required to send email with GOV.UK Notify`,
          });
      }
    }
  })
  // File storage: checked even when other variables are invalid (these rules only test presence), so that every
  // problem is listed at once.
  .superRefine(
    (env, context) => {
      if (env.STORAGE_DRIVER === 's3') {
        for (const name of ['S3_BUCKET', 'S3_REGION'] as const) {
          if (!env[name])
            context.addIssue({
              code: 'custom',
              path: [name],
              message: `${name} is required when STORAGE_DRIVER is s3`,
            });
        }
        if (!env.S3_ACCESS_KEY_ID !== !env.S3_SECRET_ACCESS_KEY) {
          const missing = env.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID';
          context.addIssue({
            code: 'custom',
            path: [missing],
            message:
              'set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither to use the default AWS credentials',
          });
        }
      } else if (env.S3_BUCKET) {
        context.addIssue({
          code: 'custom',
          path: ['STORAGE_DRIVER'],
          message: 'S3_BUCKET is set but STORAGE_DRIVER is not s3: set STORAGE_DRIVER=s3 or remove S3_BUCKET',
        });
      }
    },
    { when: () => true },
  );

export type RunMode = 'all' | 'web' | 'worker' | 'inbound';

export interface AppConfig {
  environment: 'development' | 'test' | 'production';
  isDevelopment: boolean;
  isProduction: boolean;
  port: number;
  host: string;
  baseUrl: string;
  projectRoot: string;
  dataDir: string;
  database: { url: string | undefined; poolSize: number; embeddedPort: number };
  sessionSecret: string;
  /** `auto`: Secure when the request came over HTTPS (directly or through a trusted proxy). */
  secureCookies: boolean | 'auto';
  logLevel: string;
  loadDemoData: boolean;
  signInAttemptsPer15Minutes: number;
  bodyLimitBytes: number;
  /** Which proxies' X-Forwarded-* headers to believe: a hop count, addresses, or true/false. */
  trustProxy: boolean | number | string;
  attachments: { maxFiles: number; maxBytes: number; storageDir: string };
  /** Where attachments are kept: files in attachments.storageDir, or objects in an S3 bucket (any web process can serve any file). */
  storage:
    | { driver: 'filesystem' }
    | {
        driver: 's3';
        bucket: string;
        region: string;
        endpoint: string | undefined;
        forcePathStyle: boolean;
        /** undefined: the AWS SDK's default credential chain. */
        credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
        prefix: string;
      };
  /** No scanner configured (the development default): files are accepted and labelled "not scanned". */
  clamd: { host: string; port: number; timeoutMs: number } | { socketPath: string; timeoutMs: number } | null;
  email: {
    from: string;
    transport:
      | { kind: 'file'; folder: string }
      | {
          kind: 'smtp';
          host: string;
          port: number;
          secure: boolean;
          requireTls: boolean;
          user?: string;
          password?: string;
        }
      | {
          kind: 'notify';
          apiKey: string;
          baseUrl: string;
          templates: { jobseeker_messages: string; staff_daily: string };
        };
    jobseekerEmailDelaySeconds: number;
    retryDelaySeconds: number;
    mailFolder: string;
    /** Fault tests only (EMAIL_TEST_PAUSES): where the worker's first emails stop. Empty outside tests. */
    testPauses: DeliveryPoint[];
  };
  /**
   * Replies by email: the domain of the Reply-To addresses, and where the receiver (`npm run inbound`) listens. null
   * when replies by email are off (no REPLY_EMAIL_DOMAIN outside development, or GOV.UK Notify, which cannot set a
   * Reply-To of ours): emails then do not offer them.
   */
  replies: { domain: string; host: string; port: number; maxBytes: number; perHour: number } | null;
  /**
   * Live pages (src/live): streams per person in one web process, the interval of the comments that keep a stream's
   * connection open through proxies, and how often streams check their session still exists (sign-out ends them).
   */
  live: {
    streamsPerPerson: number;
    heartbeatSeconds: number;
    sessionCheckSeconds: number;
    /** A direct connection for LISTEN when DATABASE_URL goes through a pooler in transaction mode (PgBouncer). */
    listenUrl: string | undefined;
  };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

export const projectRoot = path.resolve(import.meta.dirname, '..');

const developmentSessionSecret = 'development-only-session-secret-not-for-production-use';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const values = parsed.data;
  const isProduction = values.NODE_ENV === 'production';
  const port = values.PORT;
  return {
    environment: values.NODE_ENV,
    isDevelopment: values.NODE_ENV === 'development',
    isProduction,
    port,
    host: values.HOST,
    baseUrl: (values.BASE_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    projectRoot,
    dataDir: path.resolve(projectRoot, values.DATA_DIR ?? '.data'),
    database: {
      url: values.DATABASE_URL,
      poolSize: values.DATABASE_POOL_SIZE,
      embeddedPort: values.EMBEDDED_POSTGRES_PORT,
    },
    sessionSecret: values.SESSION_SECRET ?? developmentSessionSecret,
    secureCookies: values.SECURE_COOKIES ?? (isProduction ? true : 'auto'),
    logLevel: values.LOG_LEVEL,
    loadDemoData: values.LOAD_DEMO_DATA ?? !isProduction,
    signInAttemptsPer15Minutes: values.SIGN_IN_ATTEMPTS_PER_15_MINUTES,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    trustProxy: trustProxyFrom(values.TRUST_PROXY, isProduction),
    attachments: {
      maxFiles: values.ATTACHMENT_MAX_FILES,
      maxBytes: values.ATTACHMENT_MAX_BYTES,
      storageDir: path.resolve(projectRoot, values.FILE_STORAGE_DIR ?? path.join(values.DATA_DIR ?? '.data', 'files')),
    },
    storage:
      values.STORAGE_DRIVER === 's3'
        ? {
            driver: 's3',
            bucket: values.S3_BUCKET ?? '',
            region: values.S3_REGION ?? '',
            endpoint: values.S3_ENDPOINT,
            forcePathStyle: values.S3_FORCE_PATH_STYLE,
            credentials:
              values.S3_ACCESS_KEY_ID && values.S3_SECRET_ACCESS_KEY
                ? { accessKeyId: values.S3_ACCESS_KEY_ID, secretAccessKey: values.S3_SECRET_ACCESS_KEY }
                : undefined,
            prefix: values.S3_PREFIX ?? '',
          }
        : { driver: 'filesystem' },
    clamd: values.CLAMD_SOCKET
      ? { socketPath: values.CLAMD_SOCKET, timeoutMs: values.CLAMD_TIMEOUT_MS }
      : values.CLAMD_HOST
        ? { host: values.CLAMD_HOST, port: values.CLAMD_PORT, timeoutMs: values.CLAMD_TIMEOUT_MS }
        : null,
    email: {
      from: values.EMAIL_FROM,
      transport: emailTransportFrom(values),
      jobseekerEmailDelaySeconds: values.JOBSEEKER_EMAIL_DELAY_SECONDS,
      retryDelaySeconds: values.EMAIL_RETRY_DELAY_SECONDS,
      mailFolder: mailFolderOf(values),
      testPauses: values.EMAIL_TEST_PAUSES ?? [],
    },
    replies: repliesFrom(values),
    live: {
      streamsPerPerson: values.LIVE_STREAMS_PER_PERSON,
      heartbeatSeconds: values.LIVE_HEARTBEAT_SECONDS,
      sessionCheckSeconds: values.LIVE_SESSION_CHECK_SECONDS,
      listenUrl: values.DATABASE_LISTEN_URL,
    },
  };
}

function repliesFrom(values: EnvironmentValues): AppConfig['replies'] {
  const domain =
    values.REPLY_EMAIL_DOMAIN ?? (values.NODE_ENV === 'development' ? 'reply.parley.localhost' : undefined);
  if (!domain || emailTransportFrom(values).kind === 'notify') return null;
  return {
    domain: domain.toLowerCase(),
    host: values.INBOUND_HOST,
    port: values.INBOUND_PORT,
    maxBytes: values.INBOUND_MAX_BYTES,
    perHour: values.REPLIES_PER_HOUR,
  };
}

type EnvironmentValues = z.infer<typeof environmentSchema>;

/** Production sits behind one TLS-terminating proxy unless told otherwise; elsewhere no proxy is believed. */
function trustProxyFrom(value: string | undefined, isProduction: boolean): boolean | number | string {
  if (value === undefined) return isProduction ? 1 : false;
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function mailFolderOf(values: EnvironmentValues): string {
  return path.resolve(projectRoot, values.MAIL_DIR ?? path.join(values.DATA_DIR ?? '.data', 'mail'));
}

function emailTransportFrom(values: EnvironmentValues): AppConfig['email']['transport'] {
  const kind = values.EMAIL_TRANSPORT ?? (values.SMTP_HOST ? 'smtp' : values.NOTIFY_API_KEY ? 'notify' : 'file');
  if (kind === 'smtp') {
    return {
      kind,
      host: values.SMTP_HOST ?? '',
      port: values.SMTP_PORT,
      secure: values.SMTP_SECURE,
      requireTls: values.SMTP_REQUIRE_TLS ?? values.NODE_ENV === 'production',
      ...(values.SMTP_USER ? { user: values.SMTP_USER, password: values.SMTP_PASSWORD ?? '' } : {}),
    };
  }
  if (kind === 'notify') {
    return {
      kind,
      apiKey: values.NOTIFY_API_KEY ?? '',
      baseUrl: values.NOTIFY_BASE_URL,
      templates: {
        jobseeker_messages: values.NOTIFY_TEMPLATE_JOBSEEKER_MESSAGES ?? '',
        staff_daily: values.NOTIFY_TEMPLATE_STAFF_DAILY ?? '',
      },
    };
  }
  return { kind: 'file', folder: mailFolderOf(values) };
}
