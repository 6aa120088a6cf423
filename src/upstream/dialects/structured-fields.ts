/**
 * Just enough of RFC 8941 Structured Field Values to read the IETF RateLimit fields: a list of
 * items, each a token, string or number with `;key=value` parameters. It never throws: a member it
 * cannot read is skipped, so one odd policy cannot hide the others.
 */
export type BareValue = string | number | boolean;

export interface ListMember {
  value: BareValue;
  params: Record<string, BareValue>;
}

export function parseList(text: string | undefined): ListMember[] {
  if (!text) return [];
  const members: ListMember[] = [];
  for (const raw of splitOutsideQuotes(text, ',')) {
    const [head, ...rest] = splitOutsideQuotes(raw, ';');
    if (head === undefined || head.trim() === '') continue;
    const params: Record<string, BareValue> = {};
    for (const param of rest) {
      const equals = param.indexOf('=');
      const key = (equals < 0 ? param : param.slice(0, equals)).trim().toLowerCase();
      if (key) params[key] = equals < 0 ? true : parseBareItem(param.slice(equals + 1));
    }
    members.push({ value: parseBareItem(head), params });
  }
  return members;
}

function parseBareItem(text: string): BareValue {
  const item = text.trim();
  if (item.startsWith('"') && item.endsWith('"') && item.length >= 2) return item.slice(1, -1).replace(/\\(["\\])/g, '$1');
  if (item === '?1') return true;
  if (item === '?0') return false;
  if (/^-?\d+(?:\.\d+)?$/.test(item)) return Number(item);
  return item;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let isQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && isQuoted) i++;
    else if (char === '"') isQuoted = !isQuoted;
    else if (char === separator && !isQuoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
