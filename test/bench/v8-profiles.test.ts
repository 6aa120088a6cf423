import { describe, expect, it } from 'vitest';
import { allocationsByFunction, type HeapNode } from '../../bench/v8-profiles.js';

const node = (functionName: string, url: string, lineNumber: number, selfSize: number, children: HeapNode[] = []): HeapNode => ({
  callFrame: { functionName, url, lineNumber },
  selfSize,
  children,
});

describe('allocationsByFunction', () => {
  it('adds up each function\'s own bytes wherever it is called from, largest first', () => {
    const head = node('(root)', '', -1, 0, [
      node('handleChat', 'file:///repo/dist/gateway/chat.js', 8, 100, [node('tryReserve', 'file:///repo/dist/quota/quota-ledger.js', 79, 300)]),
      node('dispatch', 'file:///repo/dist/gateway/dispatch.js', 14, 50, [node('tryReserve', 'file:///repo/dist/quota/quota-ledger.js', 79, 200)]),
      node('', 'file:///repo/node_modules/undici/lib/core/util.js', 435, 25),
    ]);
    const { total, byFunction } = allocationsByFunction(head);
    expect(total).toBe(675);
    expect(byFunction).toEqual([
      ['tryReserve dist/quota/quota-ledger.js:80', 500],
      ['handleChat dist/gateway/chat.js:9', 100],
      ['dispatch dist/gateway/dispatch.js:15', 50],
      ['(anonymous) undici/lib/core/util.js:436', 25],
    ]);
  });
});
