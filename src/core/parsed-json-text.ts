/**
 * Remembers the JSON text a stream chunk was parsed from, so relaying it costs no JSON.stringify:
 * the upstream parser records `text` beside the object, and the SSE writer sends that text again
 * when the object's `model` is still the one parsed (or swaps just that one field when the gateway
 * renamed it). Any other change to a remembered object must `forgetJsonText` it first, or the old
 * text would be sent. A copy of the object carries nothing (a WeakMap, not a property), so it is
 * always serialised afresh. It never alters the text beyond the model's value.
 */

interface Remembered {
  text: string;
  model: unknown;
}

const remembered = new WeakMap<object, Remembered>();

/** Records `text` as the serialisation of `value`; text spanning lines is not kept (one SSE `data:` line each). */
export function rememberJsonText(value: Record<string, unknown>, text: string): void {
  if (text.includes('\n') || text.includes('\r')) return;
  remembered.set(value, { text, model: value['model'] });
}

export function forgetJsonText(value: object): void {
  remembered.delete(value);
}

/** `value` as JSON: its remembered text when still true, else JSON.stringify. */
export function jsonTextOf(value: Record<string, unknown>): string {
  const known = remembered.get(value);
  if (known === undefined) return JSON.stringify(value);
  const model = value['model'];
  if (model === known.model) return known.text;
  if (typeof model === 'string' && typeof known.model === 'string') {
    // Only the model was renamed: swap its one occurrence, when it has exactly one in that exact form.
    const field = `"model":${JSON.stringify(known.model)}`;
    const at = known.text.indexOf(field);
    if (at !== -1 && known.text.indexOf(field, at + field.length) === -1) {
      return `${known.text.slice(0, at)}"model":${JSON.stringify(model)}${known.text.slice(at + field.length)}`;
    }
  }
  return JSON.stringify(value);
}
