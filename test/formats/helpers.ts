import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectImportFormat } from '../../language/formats/frontEnds';
import type { ImportedDocument } from '../../language/formats/source';

export const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'formats');
export const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** Detects and parses a fixture, failing the test when it is not recognised. */
export function parseFixture(name: string): ImportedDocument {
  const text = fixture(name);
  const fe = detectImportFormat(text, name);
  if (!fe) throw new Error(`${name} was not recognised`);
  return fe.parse(text, { fileName: name });
}

export const codesOf = (doc: ImportedDocument, severity?: string) => doc.diagnostics.filter((d) => !severity || d.severity === severity).map((d) => d.code);

/** The text a node's key or value range covers. */
export function textAt(doc: ImportedDocument, path: string, on: 'key' | 'value'): string {
  const r = doc.nodes.get(path);
  if (!r) throw new Error(`no node for ${path}`);
  const range = on === 'key' ? r.key! : r.value;
  return doc.text.slice(doc.offsetAt(range.start), doc.offsetAt(range.end));
}
