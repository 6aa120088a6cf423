/** Option parsers shared by the commands: a bad value is a UsageError (exit code 2). */
import { UsageError } from './usage-error.js';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`invalid port: ${value}`);
  return port;
}

export function parsePositiveNumber(value: string, name: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`invalid ${name}: ${value}`);
  return number;
}
