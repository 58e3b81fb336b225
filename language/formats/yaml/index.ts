/** The first front end: our own `*.train.yaml`, whose shape is the config model itself. */
import type { FrontEnd, SourceDocument } from '../types';
import { yamlEditWriter } from './edits';
import { readYaml, type YamlParseOptions } from './read';

export { MAX_DEPTH, MAX_DOCUMENT_CHARS, MAX_LINE_CHARS, MAX_NESTING_COLUMNS, MAX_NODES, MAX_SYNTAX_DIAGNOSTICS } from './read';
export { yamlScalar } from './edits';

/** A YAML text as a SourceDocument. Never throws. */
export function parseYamlDocument(text: string, options: YamlParseOptions = {}): SourceDocument {
  const { value, positions, map, diagnostics } = readYaml(text, options);
  const doc: Omit<SourceDocument, 'edits'> = {
    format: 'yaml',
    text,
    value,
    nodes: map.nodes,
    diagnostics,
    positionAt: positions.positionAt,
    offsetAt: positions.offsetAt,
    pathAt: (p) => map.pathAt(p),
  };
  return { ...doc, edits: yamlEditWriter(doc) };
}

export const yamlFrontEnd: FrontEnd = {
  format: 'yaml',
  label: 'Training config (YAML)',
  detect: (_text, fileName) => fileName === undefined || /\.ya?ml$/i.test(fileName),
  parse: (text) => parseYamlDocument(text),
};
