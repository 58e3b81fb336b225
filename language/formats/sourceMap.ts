/**
 * The source map every front end builds while it reads: config path → key/value ranges, and the offset spans
 * behind them for `pathAt`. One implementation, so the innermost-node rule is the same in every format.
 */
import type { Position } from '../diagnostics';
import type { NodeRanges, SourceDocument } from './types';
import type { TextPositions } from './text';

interface Span {
  path: string;
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

export class SourceMap {
  readonly nodes = new Map<string, NodeRanges>();
  private readonly spans: Span[] = [];

  constructor(private readonly positions: TextPositions) {}

  /** A key (`keyStart` -1 for none: the root, a list item) and its value, as offsets. */
  add(path: string, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): void {
    const { range } = this.positions;
    this.nodes.set(path, keyStart >= 0 ? { key: range(keyStart, keyEnd), value: range(valueStart, valueEnd) } : { value: range(valueStart, valueEnd) });
    this.spans.push({ path, keyStart, keyEnd, valueStart, valueEnd });
  }

  /** The innermost node whose key or value contains the position (ends inclusive, for a cursor after a value). */
  pathAt(p: Position): { path: string; on: 'key' | 'value' } | undefined {
    const o = this.positions.offsetAt(p);
    let best: Span | undefined;
    let on: 'key' | 'value' = 'value';
    for (const s of this.spans) {
      const inKey = s.keyStart >= 0 && o >= s.keyStart && o <= s.keyEnd;
      const inValue = o >= s.valueStart && o <= s.valueEnd;
      if (!inKey && !inValue) continue;
      // The narrowest containing span is the innermost node (a key beats the map that contains it).
      const width = inKey ? s.keyEnd - s.keyStart : s.valueEnd - s.valueStart;
      const bestWidth = best ? (on === 'key' ? best.keyEnd - best.keyStart : best.valueEnd - best.valueStart) : Infinity;
      if (width <= bestWidth) {
        best = s;
        on = inKey ? 'key' : 'value';
      }
    }
    return best ? { path: best.path, on } : undefined;
  }
}

/** The ranges of `path`, or of its nearest recorded ancestor (values reached through an alias, missing keys). */
export function nearestNode(doc: Pick<SourceDocument, 'nodes'>, path: string): { path: string; ranges: NodeRanges } | undefined {
  let p = path;
  for (;;) {
    const ranges = doc.nodes.get(p);
    if (ranges) return { path: p, ranges };
    if (p === '') return undefined;
    const dot = p.lastIndexOf('.');
    p = dot < 0 ? '' : p.slice(0, dot);
  }
}
