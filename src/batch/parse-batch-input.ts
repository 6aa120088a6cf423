/**
 * Reads a batch input file (JSONL, one `{custom_id, method, url, body}` per line) and sorts every
 * line into "run it" or "settled already" with a clear reason. A bad line never stops the others.
 *
 * Choice (documented in the README): OpenAI fails a whole batch when its input file is malformed;
 * Freeway runs the good lines and reports each bad one. A bad line with a usable custom_id goes to
 * the error file under that id; a line without one (bad JSON, missing custom_id) goes to the error
 * file with `custom_id: null`; a repeated custom_id is reported in the batch's `errors.data` only,
 * so each custom_id still appears exactly once across the output and error files. Every problem is
 * also listed in `errors.data` with its line number. It never calls the gateway.
 */
import { randomUUID } from 'node:crypto';
import type { BatchEndpoint, BatchErrorEntry, QueuedLine, SettledLine } from './batch-types.js';

export interface ParsedBatchInput {
  lines: QueuedLine[];
  settled: SettledLine[];
  errors: BatchErrorEntry[];
}

export interface ParseOptions {
  endpoint: BatchEndpoint;
  /** Whether the gateway can route this model id (canonical, pinned or virtual). */
  isKnownModel: (model: string) => boolean;
}

const CUSTOM_ID_MAX = 512;

export const resultId = (): string => `batch_req_${randomUUID().replace(/-/g, '')}`;

/** Splits JSONL into non-blank lines with their 1-based numbers. */
export function jsonlLines(content: string): { line: number; text: string }[] {
  return content
    .split('\n')
    .map((text, index) => ({ line: index + 1, text: text.replace(/\r$/, '') }))
    .filter((entry) => entry.text.trim() !== '');
}

export function parseBatchInput(content: string, options: ParseOptions): ParsedBatchInput {
  const parsed: ParsedBatchInput = { lines: [], settled: [], errors: [] };
  const seen = new Set<string>();
  for (const { line, text } of jsonlLines(content)) {
    const problem = (code: string, message: string, customId: string | null, param: string | null = null): void => {
      parsed.errors.push({ code, message, param, line });
      const isDuplicate = code === 'duplicate_custom_id';
      parsed.settled.push({
        // A duplicate keeps a key of its own line, so it never collides with the first use of its id.
        key: customId !== null && !isDuplicate ? customId : `#line:${line}`,
        line,
        file: isDuplicate ? 'none' : 'error',
        result: { id: resultId(), custom_id: customId, response: null, error: { code, message: `line ${line}: ${message}` } },
      });
    };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      problem('invalid_json', `not valid JSON (${error instanceof Error ? error.message : 'parse error'})`, null);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problem('invalid_request', 'expected a JSON object {custom_id, method, url, body}', null);
      continue;
    }
    const request = value as Record<string, unknown>;
    const customId = request['custom_id'];
    if (typeof customId !== 'string' || customId === '' || customId.length > CUSTOM_ID_MAX || customId.startsWith('#')) {
      problem('missing_custom_id', `custom_id must be a non-empty string of at most ${CUSTOM_ID_MAX} characters not starting with '#'`, null, 'custom_id');
      continue;
    }
    if (seen.has(customId)) {
      problem('duplicate_custom_id', `custom_id "${customId}" was already used on an earlier line; each must be unique`, customId, 'custom_id');
      continue;
    }
    seen.add(customId);
    const reason = lineProblem(request, options);
    if (reason) {
      problem(reason.code, reason.message, customId, reason.param);
      continue;
    }
    parsed.lines.push({ customId, line, body: request['body'] as Record<string, unknown> });
  }
  return parsed;
}

function lineProblem(request: Record<string, unknown>, options: ParseOptions): { code: string; message: string; param: string } | undefined {
  if (request['method'] !== 'POST') return { code: 'invalid_method', message: `method must be "POST", got ${JSON.stringify(request['method'] ?? null)}`, param: 'method' };
  if (request['url'] !== options.endpoint) {
    return { code: 'invalid_url', message: `url must be "${options.endpoint}" (the batch's endpoint), got ${JSON.stringify(request['url'] ?? null)}`, param: 'url' };
  }
  const body = request['body'];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { code: 'invalid_body', message: 'body must be a JSON object with the request', param: 'body' };
  const fields = body as Record<string, unknown>;
  if (fields['stream'] === true) return { code: 'stream_not_supported', message: 'stream: true is not allowed in a batch; remove it', param: 'body.stream' };
  const model = fields['model'];
  if (typeof model !== 'string' || model === '') return { code: 'missing_model', message: 'body.model is required', param: 'body.model' };
  if (!options.isKnownModel(model)) return { code: 'model_not_found', message: `model "${model}" is not served by this gateway (see GET /v1/models)`, param: 'body.model' };
  return undefined;
}
