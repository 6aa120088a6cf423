/**
 * The sources catalog facts cite, and tiny builders for limit facts so the data files stay readable.
 * Data helpers only: no logic beyond building plain records.
 */
import type { LimitFact } from '../catalog-schema.js';

export interface Fact {
  source: string;
  asOf: string;
}

/** The generated README of cheahjs/free-llm-api-resources, the facts file's main source. */
export const cheahjs: Fact = {
  source: 'https://github.com/cheahjs/free-llm-api-resources (README at e6765bc)',
  asOf: '2026-07-18',
};

export const cited = (source: string, asOf: string): Fact => ({ source, asOf });

type Per = LimitFact['per'];

export const requests = (amount: number, per: Per, fact: Fact, note?: string): LimitFact => ({
  unit: 'requests',
  amount,
  per,
  ...fact,
  ...(note === undefined ? {} : { note }),
});

export const tokens = (amount: number, per: Per, fact: Fact, note?: string): LimitFact => ({
  unit: 'tokens',
  amount,
  per,
  ...fact,
  ...(note === undefined ? {} : { note }),
});
