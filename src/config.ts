import path from 'node:path';
import { z } from 'zod';

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
    ATTACHMENT_MAX_FILES: z.coerce.number().int().min(1).max(20).default(5),
    ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
    FILE_STORAGE_DIR: z.string().optional(),
    CLAMD_HOST: z.string().optional(),
    CLAMD_PORT: z.coerce.number().int().min(1).max(65535).default(3310),
    CLAMD_SOCKET: z.string().optional(),
    CLAMD_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  })
  .superRefine((env, context) => {
    if (env.NODE_ENV === 'production') {
      if (!env.SESSION_SECRET) {
        context.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'SESSION_SECRET is required in production' });
      }
      if (!env.DATABASE_URL) {
        context.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'DATABASE_URL is required in production' });
      }
      if (!env.BASE_URL) {
        context.addIssue({ code: 'custom', path: ['BASE_URL'], message: 'BASE_URL is required in production' });
      }
    }
  });

export type RunMode = 'all' | 'web' | 'worker';

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
  attachments: { maxFiles: number; maxBytes: number; storageDir: string };
  /** No scanner configured (the development default): files are accepted and labelled "not scanned". */
  clamd: { host: string; port: number; timeoutMs: number } | { socketPath: string; timeoutMs: number } | null;
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
    database: { url: values.DATABASE_URL, poolSize: values.DATABASE_POOL_SIZE, embeddedPort: values.EMBEDDED_POSTGRES_PORT },
    sessionSecret: values.SESSION_SECRET ?? developmentSessionSecret,
    secureCookies: values.SECURE_COOKIES ?? (isProduction ? true : 'auto'),
    logLevel: values.LOG_LEVEL,
    loadDemoData: values.LOAD_DEMO_DATA ?? !isProduction,
    signInAttemptsPer15Minutes: values.SIGN_IN_ATTEMPTS_PER_15_MINUTES,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    attachments: {
      maxFiles: values.ATTACHMENT_MAX_FILES,
      maxBytes: values.ATTACHMENT_MAX_BYTES,
      storageDir: path.resolve(projectRoot, values.FILE_STORAGE_DIR ?? path.join(values.DATA_DIR ?? '.data', 'files')),
    },
    clamd: values.CLAMD_SOCKET
      ? { socketPath: values.CLAMD_SOCKET, timeoutMs: values.CLAMD_TIMEOUT_MS }
      : values.CLAMD_HOST
        ? { host: values.CLAMD_HOST, port: values.CLAMD_PORT, timeoutMs: values.CLAMD_TIMEOUT_MS }
        : null,
  };
}
