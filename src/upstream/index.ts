/**
 * The upstream room's front door: the client, the dialect parsers and the shapes they return.
 * Other rooms import from here, never from the files behind it.
 */
export { createUpstreamClient } from './upstream-client.js';
export type { CallOptions, GetJsonOptions, UpstreamClient, UpstreamDocument, UpstreamClientOptions, UpstreamJson, UpstreamStream } from './upstream-types.js';
export { parseRateLimitSignal } from './parse-rate-limit-signal.js';
export type { UpstreamAnswer } from './signal-input.js';
export { isContentChunk, isUsageOnlyChunk, type ChatCompletionChunk, type ChunkChoice, type ChunkDelta, type Usage } from './chat-types.js';
export { clientWantsUsage, shapeRequestBody } from './request-shaping.js';
export * as resetFormats from './reset-formats.js';
