import pino, { type Logger } from 'pino';

/**
 * Structured logs. Anything that could hold personal data or secrets is redacted: emails, passwords, tokens,
 * cookies and message text never reach the log.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'parley' },
    redact: {
      paths: [
        'email',
        '*.email',
        'password',
        '*.password',
        'token',
        '*.token',
        'body',
        '*.body',
        'text',
        '*.text',
        'req.headers.cookie',
        'req.headers.authorization',
        'headers.cookie',
        'res.headers["set-cookie"]',
        'connectionString',
        'databaseUrl',
      ],
      censor: '[redacted]',
    },
    serializers: { err: pino.stdSerializers.err },
  });
}
