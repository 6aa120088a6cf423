/**
 * Structured events: one log line per thing that happened (`{event: 'upstream.retry', …}`), on
 * any pino-shaped logger (Fastify's included). It never lets a secret through: string fields are
 * redacted against the known keys and common key shapes, and key-like fields are dropped.
 */
import { redactSecrets } from '../core/errors.js';

export interface EventLogger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export type EventFields = Record<string, string | number | boolean | null | undefined>;

export interface EventLog {
  info(event: string, fields?: EventFields): void;
  warn(event: string, fields?: EventFields): void;
  error(event: string, fields?: EventFields): void;
}

const secretFieldName = /(api[-_]?key|authorization|secret|password|token$)/i;

export function createEventLog(logger: EventLogger, options: { secrets?: () => readonly string[] } = {}): EventLog {
  const write =
    (level: keyof EventLogger) =>
    (event: string, fields: EventFields = {}) => {
      const secrets = options.secrets?.() ?? [];
      const clean: Record<string, unknown> = { event };
      for (const [name, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        if (secretFieldName.test(name)) clean[name] = '[redacted]';
        else clean[name] = typeof value === 'string' ? redactSecrets(value, secrets) : value;
      }
      logger[level](clean, event);
    };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
