/**
 * The config module: `freeway.yaml` (or JSON) → a validated `FreewayConfig`, with defaults, `${VAR}`
 * interpolation and errors that name the field and the line. It never reads the catalog, starts
 * anything, or puts a secret in an error message.
 *
 *   loadConfigFile(path, env?, options?): FreewayConfig       reads the file; throws ConfigError
 *   parseConfig(text, { env, fileName?, catalogProviderIds? }): FreewayConfig
 *   defaultConfig(): FreewayConfig                            every default, no providers
 *   class ConfigError extends Error { field?; line?; issues } "freeway.yaml:12: providers[1].limits[0].per: expected …"
 *   parseLimitSpec({ requests | tokens, per, resetTimeZone? }): Limit
 *   parseDurationMs('500ms' | '90s' | '2m' | '1h' | '1d' | '1h30m'): number
 *   isLoopbackHost(host): boolean                             for a `--host` given after the file was read
 */
export { ConfigError, type ConfigIssue } from './config-error.js';
export { defaultConfig, loadConfigFile, parseConfig, type ParseConfigOptions } from './load-config.js';
export { parseDurationMs, parseLimitSpec, type LimitSpec } from './limit-spec.js';
export { isLoopbackHost } from './config-schema.js';
export * from './freeway-config.js';
