/** A document with text and positions only: what an adapter shows when a front end itself failed (a bug). */
import { textPositions } from './text';
import type { FormatId, SourceDocument } from './types';

export function plainTextDocument(text: string, format: FormatId = 'yaml'): SourceDocument {
  const { positionAt, offsetAt } = textPositions(text);
  return {
    format,
    text,
    value: undefined,
    nodes: new Map(),
    diagnostics: [],
    positionAt,
    offsetAt,
    pathAt: () => undefined,
    edits: { setValue: () => undefined, renameKey: () => undefined, appendItems: () => undefined, valueText: String },
  };
}
