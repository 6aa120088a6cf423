import { expect } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';

/** Parses `text` expecting a ConfigError and returns it. */
export function configErrorOf(text: string, env: NodeJS.ProcessEnv = {}, fileName = 'freeway.yaml'): ConfigError {
  try {
    parseConfig(text, { env, fileName });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but the config parsed');
}

/** Lines joined with \n, so tests can count line numbers at a glance. */
export const lines = (...rows: string[]): string => `${rows.join('\n')}\n`;
