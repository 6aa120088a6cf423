/**
 * Client authentication: with `server.apiKeys` set, every route but /healthz needs
 * `Authorization: Bearer <key>`. Keys are compared in constant time, as digests, so neither
 * their content nor their length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function createKeyChecker(apiKeys: readonly string[]): (authorization: string | undefined) => boolean {
  const digests = apiKeys.map(digest);
  return (authorization) => {
    const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    if (!match?.[1]) return false;
    const candidate = digest(match[1].trim());
    // Compare against every key so the time taken does not say which one matched.
    let matched = false;
    for (const known of digests) matched = timingSafeEqual(known, candidate) || matched;
    return matched;
  };
}
