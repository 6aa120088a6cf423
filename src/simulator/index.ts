/**
 * The simulated fleet's public face: load a fleet, start it, read its stats, point a gateway at it.
 * The simulator imports nothing from the gateway side (only the Clock type from core).
 */
export { defaultFleet, loadFleetFile, parseFleet, parseDurationMs, FleetFileError } from './parse-fleet.js';
export { startFleet, type RunningFleet, type RunningProvider, type StartFleetOptions } from './start-fleet.js';
export {
  fleetGatewayConfig,
  type GatewayConfig,
  type GatewayProviderConfig,
  type GatewayModelConfig,
  type GatewayLimitConfig,
} from './gateway-config.js';
export { FleetClock } from './fleet-clock.js';
export type { FleetStats, ProviderStats, UsageCounters } from './fleet-stats.js';
export type {
  FleetSpec,
  SimProvider,
  SimModel,
  SimLimit,
  SimFault,
  SimLatency,
  SimDialect,
  SimScope,
  FaultKind,
} from './fleet-spec.js';
export { SIM_DIALECTS, FAULT_KINDS } from './fleet-spec.js';
