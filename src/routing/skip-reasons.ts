/**
 * Why a deployment is not a candidate, as data: the router decides on the kind (a context window
 * too small makes `context_length_exceeded`, anything else a missing capability), and the text
 * shown in explanations and errors is derived from it here, in one place. It decides nothing.
 */

export type SkipReason =
  | { kind: 'denied_by_rule'; pattern: string }
  | { kind: 'not_allowed' }
  | { kind: 'embedding_model' }
  | { kind: 'not_embedding_model' }
  | { kind: 'no_tools' }
  | { kind: 'no_json_mode' }
  | { kind: 'no_vision' }
  | { kind: 'missing_tag'; tag: string }
  | { kind: 'context_window'; contextWindow: number; needed: number };

export function describeSkip(reason: SkipReason): string {
  switch (reason.kind) {
    case 'denied_by_rule':
      return `denied by rule ${reason.pattern}`;
    case 'not_allowed':
      return 'not in the allow list';
    case 'embedding_model':
      return 'embedding model: cannot chat';
    case 'not_embedding_model':
      return 'not an embedding model';
    case 'no_tools':
      return 'no tools support';
    case 'no_json_mode':
      return 'no JSON mode';
    case 'no_vision':
      return 'no vision input';
    case 'missing_tag':
      return `not tagged ${reason.tag}`;
    case 'context_window':
      return `context window ${reason.contextWindow} < ${reason.needed} tokens needed`;
  }
}
