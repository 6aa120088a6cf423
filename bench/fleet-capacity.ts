/**
 * The most chat requests a fleet could ever serve in a window of fleet time, from its spec alone:
 * per model, the tightest of its own limits; per provider, the tightest of its shared limits over
 * the sum of its models. A refilling limit allows its amount plus what refills in the window; a
 * calendar limit its amount once per calendar period the window touches. Token limits are turned
 * into requests with the tokens a request really used (measured in the same run).
 *
 * `reserveShare` gives the capacity a `low` priority request (a batch line) may use when the
 * gateway keeps quota.interactiveReserve free for interactive traffic: the same rule as the
 * ledger's (quota-ledger.ts), each limit filled no higher than its amount less the share in whole
 * units (never below one request's cost). A refilling limit then loses that share of its burst
 * once, never of its rate; a calendar limit loses it in every period.
 */
import { nextCalendarReset } from '../src/simulator/calendar-window.js';
import type { FleetSpec, SimLimit } from '../src/simulator/index.js';

export interface CapacityRow {
  provider: string;
  requests: number;
}

function allowed(limit: SimLimit, from: number, to: number, tokensPerRequest: number, reserveShare: number): number {
  const cost = limit.unit === 'requests' ? 1 : tokensPerRequest;
  const ceiling = reserveShare > 0 ? Math.max(limit.amount - Math.floor(limit.amount * reserveShare), Math.min(limit.amount, cost)) : limit.amount;
  let units: number;
  if (limit.calendar) {
    let periods = 1;
    for (let reset = nextCalendarReset(from, limit.calendar, limit.timeZone); reset <= to; reset = nextCalendarReset(reset, limit.calendar, limit.timeZone)) periods += 1;
    units = ceiling * periods;
  } else {
    units = ceiling + (limit.amount * (to - from)) / limit.windowMs;
  }
  return units / cost;
}

const tightest = (limits: SimLimit[], from: number, to: number, tokens: number, reserveShare: number): number =>
  limits.reduce((least, limit) => Math.min(least, allowed(limit, from, to, tokens, reserveShare)), Infinity);

export function fleetCapacity(spec: FleetSpec, from: number, to: number, tokensPerRequest: number, reserveShare = 0): CapacityRow[] {
  return spec.providers.map((provider) => {
    const models = provider.models.filter((m) => m.kind === 'chat');
    const sum = models.reduce((total, model) => total + tightest(model.limits, from, to, tokensPerRequest, reserveShare), 0);
    return { provider: provider.id, requests: Math.floor(Math.min(sum, tightest(provider.limits, from, to, tokensPerRequest, reserveShare))) };
  });
}
