/**
 * Small zod building blocks shared by the config schemas. Values that came through `${VAR}` are
 * strings, so numeric and boolean fields accept their plain text forms; nothing else is coerced.
 */
import { z } from 'zod';

const numberText = /^\s*-?\d+(?:\.\d+)?\s*$/;

const fromText = (value: unknown): unknown =>
  typeof value === 'string' && numberText.test(value) ? Number(value) : value;

/** A number, or its text (`"8787"` from `${PORT}`). */
export const number = () => z.preprocess(fromText, z.number());
export const positiveInteger = () => z.preprocess(fromText, z.number().int().positive());
export const nonNegativeInteger = () => z.preprocess(fromText, z.number().int().nonnegative());
export const positiveNumber = () => z.preprocess(fromText, z.number().positive());

export const boolean = () =>
  z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());

export const nonEmptyString = () => z.string().trim().min(1, { error: 'must not be empty' });

export const httpUrl = () =>
  z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { error: 'expected an http(s) URL' },
  );
