/**
 * Maps field paths to lines in the parsed YAML/JSON document, so every config error can say where
 * to look. It reads the document only; it never changes it and never reads scalar values out.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

export type FieldPath = readonly PropertyKey[];

export class DocumentLocator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** The 1-based line where `offset` falls. */
  lineAt(offset: number): number {
    return this.lineCounter.linePos(offset).line;
  }

  lineOfNode(node: { range?: readonly [number, number, number] | null } | null | undefined): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.lineAt(start);
  }

  /**
   * The line of the node at `path`, or of its nearest existing ancestor (a missing field is
   * reported where its parent begins). With `key`, the line of that key inside the map at `path`.
   */
  lineOf(path: FieldPath, key?: string): number | undefined {
    let node: unknown = this.doc.contents;
    let line = this.lineOfNode(node as Node | null);
    for (const part of path) {
      const pair = findPair(node, part);
      if (pair !== undefined) {
        // A key's own line reads better than where its (block) value starts.
        line = this.lineOfNode(pair.key as Node) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number') {
        node = node.items[part];
        line = this.lineOfNode(node as Node) ?? line;
      } else {
        return line;
      }
      if (node === undefined || node === null) return line;
    }
    if (key !== undefined) {
      const pair = findPair(node, key);
      if (pair !== undefined) return this.lineOfNode(pair.key as Node) ?? line;
    }
    return line;
  }
}

function findPair(node: unknown, key: PropertyKey): Pair | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(key));
}

/** The field path of a node from the ancestors `yaml`'s `visit` hands its visitor. */
export function pathFromAncestors(ancestors: readonly unknown[], node: unknown): PropertyKey[] {
  const path: PropertyKey[] = [];
  const chain = [...ancestors, node];
  for (let index = 0; index < chain.length - 1; index += 1) {
    const parent = chain[index];
    const child = chain[index + 1];
    if (isPair(parent) && isScalar(parent.key)) path.push(String(parent.key.value));
    else if (isSeq(parent)) path.push(parent.items.indexOf(child));
  }
  return path;
}
