/**
 * Document symbols (outline, breadcrumbs, go-to-symbol): the sections and keys of the config, read off the source
 * map the front end built (config path → key and value ranges), so every format gets the same outline.
 */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { CheckResult, Position } from '../language/service';
import type { PositionCodec } from './encoding';

/** Symbols in one answer; a config has a few hundred keys, the source map at most tens of thousands. */
export const MAX_SYMBOLS = 5000;
const MAX_DETAIL_CHARS = 80;

type Range = { start: Position; end: Position };

const earlier = (a: Position, b: Position) => a.line - b.line || a.character - b.character;

export function documentSymbols(result: CheckResult, codec: PositionCodec): DocumentSymbol[] {
  const { nodes } = result.document;
  const roots: DocumentSymbol[] = [];
  const byPath = new Map<string, DocumentSymbol>();
  const text = result.document.text;
  let count = 0;
  // Parents come before children in the map (the front end walks the tree top-down), so one pass builds the tree.
  for (const [path, ranges] of nodes) {
    if (path === '' || count >= MAX_SYMBOLS) continue;
    const cut = path.lastIndexOf('.');
    const parentPath = cut < 0 ? '' : path.slice(0, cut);
    const parent = byPath.get(parentPath);
    if (parentPath !== '' && !parent) continue;
    const name = cut < 0 ? path : path.slice(cut + 1);
    const start = ranges.key && earlier(ranges.key.start, ranges.value.start) < 0 ? ranges.key.start : ranges.value.start;
    const end = earlier(ranges.value.end, start) < 0 ? start : ranges.value.end;
    const range: Range = codec.rangeToClient({ start, end });
    const selectionRange: Range = codec.rangeToClient(ranges.key ?? ranges.value);
    const symbol: DocumentSymbol = { name: /^\d+$/.test(name) ? `[${name}]` : name, kind: SymbolKind.Property, range, selectionRange };
    const startOffset = result.document.offsetAt(ranges.value.start);
    const endOffset = result.document.offsetAt(ranges.value.end);
    const valueText = text.slice(startOffset, Math.min(endOffset, startOffset + MAX_DETAIL_CHARS + 1)).replace(/\s+/g, ' ').trim();
    if (valueText !== '' && endOffset - startOffset <= MAX_DETAIL_CHARS && !valueText.includes('\n')) symbol.detail = valueText;
    byPath.set(path, symbol);
    count++;
    if (parent) {
      (parent.children ??= []).push(symbol);
      // A key with keys under it is a section; one with items, a list.
      parent.kind = /^\d+$/.test(name) ? SymbolKind.Array : parentPath.includes('.') ? SymbolKind.Object : SymbolKind.Module;
      parent.detail = undefined;
    } else roots.push(symbol);
  }
  return roots;
}
