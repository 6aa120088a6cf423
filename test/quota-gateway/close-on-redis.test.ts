/**
 * A gateway on Redis leaves no connection behind when closed: the quota store's pub/sub
 * subscriber (cross-instance wake-ups) included. One left open keeps a `freeway worker` or
 * `freeway serve` process alive after SIGTERM. Redis's own PUBSUB NUMSUB referees, on a channel
 * unique to this test (the URL's keyPrefix names it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createGateway } from '../../src/gateway/create-gateway.js';
import { QUOTA_KEY_PREFIX } from '../../src/gateway/quota-services.js';
import { defaultFleet, fleetGatewayConfig, startFleet } from '../../src/simulator/index.js';
import { connect, isRedisRequired, isRedisUp, REDIS_URL, removePrefix, uniquePrefix } from '../quota/redis-test-support.js';
import { eventually } from './support.js';

const runs = isRedisUp || isRedisRequired;
const prefix = uniquePrefix('close');

describe.runIf(runs)('a gateway on Redis', () => {
  const admin = connect();
  afterAll(async () => {
    await removePrefix(admin, prefix);
    admin.disconnect();
  });

  it('ends its cross-instance wake-up subscription when closed', async () => {
    const fleet = await startFleet(defaultFleet(), { seed: 2 });
    try {
      const redis = `${REDIS_URL}?keyPrefix=${encodeURIComponent(prefix)}`;
      const config = parseConfig(JSON.stringify({ ...fleetGatewayConfig(fleet), cache: { mode: 'off', sqlitePath: null }, routing: { predictorPath: null }, state: { redis } }), { env: {}, fileName: 'close test' });
      const subscribers = async () => Number((await admin.pubsub('NUMSUB', `${prefix}${QUOTA_KEY_PREFIX}returned`))[1]);
      const gateway = await createGateway(config, { env: {} });
      expect(await eventually(subscribers, (n) => n === 1, { what: 'the gateway subscribed' })).toBe(1);
      await gateway.close();
      expect(await eventually(subscribers, (n) => n === 0, { what: 'the subscription ended' })).toBe(0);
    } finally {
      await fleet.close();
    }
  });
});
