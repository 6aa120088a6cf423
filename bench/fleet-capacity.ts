/**
 * The most chat requests a fleet could ever serve in a window of fleet time, from its spec alone:
 * per model, the tightest of its own limits; per provider, the tightest of its shared limits over
 * the sum of its models. A refilling limit allows its amount plus what refills in the window; a
 * calendar limit its amount once per calendar period the window touches. Token limits are turned
 * into requests with the tokens a request really used (measured in the same run).
 */
import { nextCalendarReset } from '../src/simulator/calendar-window.js';
import type { FleetSpec, SimLimit } from '../src/simulator/index.js';

export interface CapacityRow {
  provider: string;
  requests: number;
}

function allowed(limit: SimLimit, from: number, to: number, tokensPerRequest: number): number {
  let units: number;
  if (limit.calendar) {
    let periods = 1;
    for (let reset = nextCalendarReset(from, limit.calendar, limit.timeZone); reset <= to; reset = nextCalendarReset(reset, limit.calendar, limit.timeZone)) periods += 1;
    units = limit.amount * periods;
  } else {
    units = limit.amount + (limit.amount * (to - from)) / limit.windowMs;
  }
  return limit.unit === 'requests' ? units : units / tokensPerRequest;
}

const tightest = (limits: SimLimit[], from: number, to: number, tokens: number): number =>
  limits.reduce((least, limit) => Math.min(least, allowed(limit, from, to, tokens)), Infinity);

export function fleetCapacity(spec: FleetSpec, from: number, to: number, tokensPerRequest: number): CapacityRow[] {
  return spec.providers.map((provider) => {
    const models = provider.models.filter((m) => m.kind === 'chat');
    const sum = models.reduce((total, model) => total + tightest(model.limits, from, to, tokensPerRequest), 0);
    return { provider: provider.id, requests: Math.floor(Math.min(sum, tightest(provider.limits, from, to, tokensPerRequest))) };
  });
}
