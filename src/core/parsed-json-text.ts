/**
 * Remembers the JSON text an upstream answer or stream chunk was parsed from, so relaying it costs
 * no JSON.stringify: the upstream client records `text` beside the object, and the server sends that
 * text again when the object's `model` is still the one parsed (or swaps just that one field when the
 * gateway renamed it). Any other change to a remembered object must `forgetJsonText` it first, or the old
 * text would be sent. A copy of the object (`{...chunk}`) is always serialised afresh: the record
 * names the object it belongs to. It never alters the text beyond the model's value.
 *
 * The record sits on a plain symbol key (invisible to JSON.stringify, Object.keys and structuredClone,
 * though deep-equality checks see it): a WeakMap of these short-lived objects, or a non-enumerable
 * property, cost more than the JSON.stringify it saves.
 */

const TEXT = Symbol('parsed JSON text');

interface Remembered {
  text: string;
  model: unknown;
  owner: object;
}

type Parsed = Record<string, unknown> & { [TEXT]?: Remembered };

/** Records `text` as the serialisation of `value`. */
export function rememberJsonText(value: Record<string, unknown>, text: string): void {
  (value as Parsed)[TEXT] = { text, model: value['model'], owner: value };
}

export function forgetJsonText(value: Record<string, unknown>): void {
  delete (value as Parsed)[TEXT];
}

/** `value` as JSON: its remembered text when still true, else JSON.stringify. */
export function jsonTextOf(value: Record<string, unknown>): string {
  const known = (value as Parsed)[TEXT];
  if (known === undefined || known.owner !== value) return JSON.stringify(value);
  const model = value['model'];
  if (model === known.model) return known.text;
  if (typeof model === 'string' && typeof known.model === 'string') {
    // Only the model was renamed: swap its one occurrence, when it has exactly one in that exact form.
    const { field, replacement } = modelSwap(known.model, model);
    const at = known.text.indexOf(field);
    if (at !== -1 && known.text.indexOf(field, at + field.length) === -1) {
      return known.text.slice(0, at) + replacement + known.text.slice(at + field.length);
    }
  }
  return JSON.stringify(value);
}

/** The last rename's two strings: every chunk of a stream makes the same rename, so they are built once per stream, not per chunk. */
let lastSwap = { from: '', to: '', field: '', replacement: '' };

function modelSwap(from: string, to: string): { field: string; replacement: string } {
  if (lastSwap.from !== from || lastSwap.to !== to) {
    lastSwap = { from, to, field: `"model":${JSON.stringify(from)}`, replacement: `"model":${JSON.stringify(to)}` };
  }
  return lastSwap;
}
