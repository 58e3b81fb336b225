/**
 * The front-end seam: the schema, resolve and rules run on a SourceDocument alone, and every fix is written by the
 * document's own EditWriter. A tiny test-only format (one `dotted.path = value` per line) proves it: the same rules
 * put their diagnostics on its keys and write their fixes in its syntax, and the facade re-checks a fix with it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Range, TextEdit } from '../../language/diagnostics';
import { frontEndFor } from '../../language/formats';
import { SourceMap } from '../../language/formats/sourceMap';
import { textPositions } from '../../language/formats/text';
import type { FormatId, FrontEnd, SourceDocument } from '../../language/formats/types';
import { parseYamlDocument, yamlFrontEnd } from '../../language/formats/yaml';
import { joinPath, parentPath } from '../../language/paths';
import { createLanguageService, recheckBudget } from '../../language/service';
import { DEEPSEEK, only } from './helpers';

const FLAT = 'flat' as FormatId;

const flatValue = (v: unknown): string => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

function readFlat(raw: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw.startsWith('[') && raw.endsWith(']')) return raw.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean);
  return raw;
}

/** `a.b = v` lines for a config value (sections flattened, lists inline). */
function flatLines(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${prefix} = ${flatValue(value)}`];
  return Object.entries(value).flatMap(([k, v]) => flatLines(v, joinPath(prefix, k)));
}

function parseFlat(text: string): SourceDocument {
  const positions = textPositions(text);
  const map = new SourceMap(positions);
  const root: Record<string, unknown> = {};
  map.add('', -1, -1, 0, text.length);
  let offset = 0;
  for (const line of text.split('\n')) {
    const m = /^([\w.]+) = (.*)$/.exec(line);
    if (m) {
      const segments = m[1].split('.');
      let holder = root;
      for (const s of segments.slice(0, -1)) holder = (holder[s] ??= {}) as Record<string, unknown>;
      holder[segments[segments.length - 1]] = readFlat(m[2]);
      map.add(m[1], offset, offset + m[1].length, offset + m[1].length + 3, offset + line.length);
    }
    offset += line.length + 1;
  }
  const doc: Omit<SourceDocument, 'edits'> = {
    format: FLAT,
    text,
    value: Object.keys(root).length ? root : undefined,
    nodes: map.nodes,
    diagnostics: [],
    positionAt: positions.positionAt,
    offsetAt: positions.offsetAt,
    pathAt: (p) => map.pathAt(p),
  };
  const end = positions.positionAt(text.length);
  const append = (lines: string[]): TextEdit[] => [{ range: { start: end, end }, newText: lines.map((l) => l + '\n').join('') }];
  return {
    ...doc,
    edits: {
      valueText: flatValue,
      setValue: (path, value) => {
        const node = map.nodes.get(path);
        return node ? [{ range: node.value, newText: flatValue(value) }] : append(flatLines(value, path));
      },
      renameKey: (path, newKey) => {
        const key = map.nodes.get(path)?.key;
        return key ? [{ range: key, newText: joinPath(parentPath(path), newKey) }] : undefined;
      },
      // This format has no way to add to a list in place.
      appendItems: () => undefined,
    },
  };
}

const flatFrontEnd: FrontEnd = { format: FLAT, label: 'flat test format', detect: (_t, name) => name?.endsWith('.flat') ?? false, parse: parseFlat };
const service = createLanguageService({ frontEnds: [flatFrontEnd, yamlFrontEnd] });

/** DeepSeek-V3 as flat lines, with lines replaced (`key = value`) or removed (`key` alone). */
function deepseekFlat(...edits: string[]): string {
  let lines = flatLines(parseYamlDocument(DEEPSEEK()).value);
  for (const e of edits) {
    const [path, value] = e.split(' = ');
    lines = value === undefined ? lines.filter((l) => !l.startsWith(path + ' ') && !l.startsWith(path + '.')) : lines.map((l) => (l.startsWith(path + ' = ') ? `${path} = ${value}` : l));
  }
  return lines.join('\n') + '\n';
}

function apply(text: string, doc: SourceDocument, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => doc.offsetAt(b.range.start) - doc.offsetAt(a.range.start));
  for (const e of sorted) text = text.slice(0, doc.offsetAt(e.range.start)) + e.newText + text.slice(doc.offsetAt(e.range.end));
  return text;
}

function lineRange(text: string, path: string, part: 'key' | 'value'): Range {
  const line = text.split('\n').findIndex((l) => l.startsWith(path + ' = '));
  assert.ok(line >= 0, path);
  const length = text.split('\n')[line].length;
  return part === 'key' ? { start: { line, character: 0 }, end: { line, character: path.length } } : { start: { line, character: path.length + 3 }, end: { line, character: length } };
}

test('the unchanged example checks as cleanly in the flat format as in YAML', () => {
  const result = service.check(deepseekFlat(), { format: FLAT });
  assert.equal(result.document.format, FLAT);
  assert.deepEqual(result.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.equal(result.config?.parallelism.pipeline, 16);
});

test('a rule reports on the flat key and writes its fixes on the flat value; the facade re-checks them as flat text', () => {
  const text = deepseekFlat('parallelism.pipeline = 7');
  const result = service.check(text, { format: FLAT });
  const dualpipe = only(result, 'schedule/dualpipe-odd-ranks');
  assert.deepEqual(dualpipe.range, lineRange(text, 'parallelism.pipeline', 'key'));
  assert.deepEqual(dualpipe.fixes?.map((f) => f.edits), [6, 8].map((v) => [{ range: lineRange(text, 'parallelism.pipeline', 'value'), newText: String(v) }]));
  const presented = service.fixes(result, dualpipe, recheckBudget(64, 60_000)); // a loaded machine must not run out of time
  // A YAML re-check of flat text would find no mapping at all; only the flat front end can count these.
  assert.deepEqual(presented.map((p) => p.title), ['Set pipeline to 16 (clears all 3 errors)', 'Set pipeline to 6 (2 errors left)', 'Set pipeline to 8 (2 errors left)']);
  const fixed = apply(text, result.document, presented[0].fix.edits);
  assert.equal(fixed, deepseekFlat('parallelism.pipeline = 16'));
  assert.equal(service.check(fixed, { format: FLAT }).diagnostics.filter((d) => d.severity === 'error').length, 0);
});

test('a missing key and a missing section are inserted in the flat syntax', () => {
  const noFfn = deepseekFlat('model.ffn_hidden_size');
  const ffn = only(service.check(noFfn, { format: FLAT }), 'model/ffn-hidden-size');
  const end = textPositions(noFfn).positionAt(noFfn.length);
  assert.deepEqual(ffn.fixes?.[0].edits, [{ range: { start: end, end }, newText: 'model.ffn_hidden_size = 28672\n' }]);

  const noCluster = deepseekFlat('cluster');
  const missing = service.check(noCluster, { format: FLAT }).diagnostics.find((d) => d.code === 'schema/missing-key' && d.path === 'cluster');
  assert.ok(missing?.fixes);
  const added = apply(noCluster, parseFlat(noCluster), missing.fixes[0].edits);
  // The section's required keys, one flat line each, from the schema's starters.
  assert.match(added, /\ncluster\.gpu = [\w-]+\ncluster\.nodes = \d+\n$/);
  assert.equal(service.check(added, { format: FLAT }).diagnostics.some((d) => d.code === 'schema/missing-key'), false);
});

test('a misspelt key is renamed in the flat syntax, on its key', () => {
  const text = deepseekFlat().replace('parallelism.pipeline = ', 'parallelism.pipline = ');
  const unknown = only(service.check(text, { format: FLAT }), 'schema/unknown-key');
  assert.deepEqual(unknown.fixes?.[0], { title: 'Rename to pipeline', edits: [{ range: lineRange(text, 'parallelism.pipline', 'key'), newText: 'parallelism.pipeline' }], preferred: true });
});

test('a change the format cannot write is not offered, while YAML offers it', () => {
  const flat = service.check(deepseekFlat('precision.fp8.high_precision = [router, norm]'), { format: FLAT });
  assert.equal(only(flat, 'fp8/high-precision').fixes, undefined);
  const yaml = service.check(DEEPSEEK().replace('[embedding, output_head, router, norm, attention]', '[router, norm]'));
  assert.deepEqual(only(yaml, 'fp8/high-precision').fixes?.[0].edits.map((e) => e.newText), ['[router, norm, embedding, output_head]']);
});

test('hover reads the flat source map; completion, which reads YAML syntax, offers nothing there', () => {
  const text = deepseekFlat();
  const result = service.check(text, { format: FLAT });
  const key = lineRange(text, 'parallelism.pipeline', 'key');
  const hover = service.hover(result, { line: key.start.line, character: 3 });
  assert.deepEqual(hover?.range, key);
  assert.match(hover?.markdown ?? '', /parallelism\.pipeline/);
  assert.deepEqual(service.completions(result, { line: key.start.line, character: 3 }), []);
});

test('the registry: the named format first, then the one that recognises the file, else YAML', () => {
  const frontEnds = [flatFrontEnd, yamlFrontEnd];
  assert.equal(frontEndFor({ text: 'a = 1', format: FLAT }, frontEnds), flatFrontEnd);
  assert.equal(frontEndFor({ text: 'a = 1', fileName: 'run.flat' }, frontEnds), flatFrontEnd);
  assert.equal(frontEndFor({ text: 'a: 1', fileName: 'run.train.yaml' }, frontEnds), yamlFrontEnd);
  assert.equal(frontEndFor({ text: 'a: 1', fileName: 'run.cfg' }, frontEnds), yamlFrontEnd);
  const throwing: FrontEnd = { ...flatFrontEnd, detect: () => { throw new Error('bad detect'); } };
  assert.equal(frontEndFor({ text: 'a = 1', fileName: 'run.flat' }, [throwing, yamlFrontEnd]), yamlFrontEnd);
  assert.equal(service.check('a = 1\n', { fileName: 'run.flat' }).document.format, FLAT);
});

test('the YAML writer: a new section as indented lines, items appended to a flow list, a block list left alone', () => {
  const doc = parseYamlDocument('name: x\nprecision:\n  fp8:\n    high_precision: [router]\n');
  assert.deepEqual(doc.edits.appendItems('precision.fp8.high_precision', ['embedding'])?.map((e) => e.newText), ['[router, embedding]']);
  assert.equal(parseYamlDocument('l:\n  - a\n').edits.appendItems('l', ['b']), undefined);
  assert.deepEqual(doc.edits.setValue('cluster', { gpu: 'h100-sxm', nodes: 1 })?.map((e) => e.newText), ['cluster: \n  gpu: h100-sxm\n  nodes: 1\n']);
  assert.equal(doc.edits.valueText('on'), '"on"');
});

test('a misspelt key blocks resolve in a format that cannot write the rename, as in YAML', () => {
  const noRename: FrontEnd = { ...flatFrontEnd, parse: (text) => { const doc = parseFlat(text); return { ...doc, edits: { ...doc.edits, renameKey: () => undefined } }; } };
  const strict = createLanguageService({ frontEnds: [noRename] });
  const result = strict.check(deepseekFlat().replace('parallelism.pipeline = ', 'parallelism.pipline = '), { format: FLAT });
  const unknown = only(result, 'schema/unknown-key');
  assert.equal(unknown.fixes, undefined);
  assert.equal(result.config, undefined, 'resolve would default pipeline to 1 and report that instead');
  // A key no known key is near stays harmless: the config still resolves.
  assert.ok(strict.check(deepseekFlat() + 'parallelism.zzz_note = 1\n', { format: FLAT }).config);
});
