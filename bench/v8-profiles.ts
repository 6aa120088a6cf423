/** Reading V8's profiles: CPU (bench/profile-gateway.ts) and sampling heap (bench/allocations.ts). */

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** `name file:line`, the file relative to its package or to dist/ (or src/). */
export function frameLabel({ functionName, url, lineNumber }: CallFrame): string {
  const file = url.replace(/^.*\/node_modules\//, '').replace(/^.*\/(dist|src)\//, '$1/') || '(native)';
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

/** A node of V8's sampling heap profile (HeapProfiler.SamplingHeapProfileNode). */
export interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

/** Bytes allocated by each function itself (name and file:line), largest first, with their total. */
export function allocationsByFunction(head: HeapNode): { total: number; byFunction: [string, number][] } {
  const byFunction = new Map<string, number>();
  let total = 0;
  const visit = (node: HeapNode): void => {
    const key = frameLabel(node.callFrame);
    if (node.selfSize > 0) byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const child of node.children) visit(child);
  };
  visit(head);
  return { total, byFunction: [...byFunction.entries()].sort((a, b) => b[1] - a[1]) };
}
