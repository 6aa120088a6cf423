/**
 * Request shaping: requests that fit each provider (parameter profiles), inputs longer than any
 * window (truncate, map-reduce), output budgets that do not waste quota, sampling defaults by task.
 */
export { callShaped, type ShapedCall } from './call-shaped.js';
export { createShaping, ShapingNotes, type Shaping, type ShapingSettings } from './shaping.js';
export { shapingMemory, shapingPath } from './shaping-memory.js';
export { chargesAtAdmission, FIXED_OUTPUT_RESERVATION } from './output-budget.js';
export { withLongEmbeddings, withLongInput, type LongInputDeps } from './long-input.js';
