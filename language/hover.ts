/**
 * Hover: what a key means, in the schema's words, plus the value the resolver derived for it.
 * Pure (no `vscode`): the extension, the e2e suite and the tests call it with a CheckResult and a position.
 */
import type { CheckResult } from './check';
import type { Position, Range } from './diagnostics';
import { SCHEDULE_KINDS, type GpuSpec, type ScheduleKind } from '../simulator/config';
import { findSchedule, scheduleSpec } from '../simulator/schedules';
import { keyName, valueAt } from './paths';
import { schemaAt, type SchemaNode } from './schema';
import { GPU_PRESETS } from '../simulator/hardware';

export interface Hover {
  markdown: string;
  /** The key or value the hover is about; the editor highlights it. */
  range: Range;
}

/** The schema node and its anyOf/oneOf/allOf branches, flattened (one level deep is all the config schemas use). */
export function schemaBranches(schema: SchemaNode): SchemaNode[] {
  const out: SchemaNode[] = [schema];
  for (const list of [schema.anyOf, schema.oneOf, schema.allOf]) {
    if (Array.isArray(list)) for (const branch of list) if (branch && typeof branch === 'object') out.push(branch);
  }
  return out;
}

export interface AllowedValue {
  value: string | number | boolean;
  description?: string;
}

/** Enumerated values: `enum`, `const` branches (with their descriptions), in schema order, without repeats. */
export function allowedValues(schema: SchemaNode): AllowedValue[] {
  const seen = new Set<string>();
  const out: AllowedValue[] = [];
  const add = (value: unknown, description?: string): void => {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return;
    const key = JSON.stringify(value);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ value, description });
  };
  for (const branch of schemaBranches(schema)) {
    if (Array.isArray(branch.enum)) {
      branch.enum.forEach((v, i) => add(v, Array.isArray(branch.enumDescriptions) ? branch.enumDescriptions[i] : undefined));
    }
    if (branch.const !== undefined) add(branch.const, branch.description);
  }
  return out;
}

export function schemaTypes(schema: SchemaNode): Set<string> {
  const types = new Set<string>();
  for (const branch of schemaBranches(schema)) {
    if (typeof branch.type === 'string') types.add(branch.type);
    else if (Array.isArray(branch.type)) for (const t of branch.type) types.add(t);
    if (branch.properties) types.add('object');
  }
  return types;
}

/** Inline code for a value as the user would write it in YAML. */
export function code(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const ticks = text.includes('`') ? '``' : '`';
  return `${ticks}${text}${ticks}`;
}

function range(schema: SchemaNode): string | undefined {
  const parts: string[] = [];
  if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) parts.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) parts.push(`< ${schema.exclusiveMaximum}`);
  return parts.length ? parts.join(', ') : undefined;
}

/**
 * The documentation block for one config key: description (with its units), allowed values, range, default,
 * examples. Shared by hover and completion so both say the same thing.
 */
export function schemaMarkdown(path: string, schema: SchemaNode): string {
  const lines: string[] = [];
  const description = schema.markdownDescription ?? schema.description ?? schema.title;
  if (description) lines.push(description.trim());
  if (schema['x-unit']) lines.push(`Unit: ${schema['x-unit']}`);

  const facts: string[] = [];
  const allowed = allowedValues(schema);
  if (allowed.length > 0 && path !== 'cluster.gpu') {
    facts.push(`Allowed: ${allowed.map((a) => code(a.value)).join(' · ')}`);
  }
  const limits = range(schema);
  if (limits) facts.push(`Range: ${limits}`);
  if (schema.default !== undefined) facts.push(`Default: ${code(schema.default)}`);
  const examples = Array.isArray(schema.examples) ? schema.examples.slice(0, 4) : [];
  if (examples.length > 0) facts.push(`Example${examples.length > 1 ? 's' : ''}: ${examples.map(code).join(', ')}`);
  if (path === 'cluster.gpu') facts.push(`Presets: ${Object.keys(GPU_PRESETS).map(code).join(' · ')}`);
  if (facts.length) lines.push(facts.join('  \n'));
  return lines.join('\n\n');
}

/** A GPU preset's peaks, as a small table. */
export function gpuPresetMarkdown(gpu: GpuSpec): string {
  const rows: [string, string][] = [
    ['BF16 dense', `${gpu.bf16Tflops} TFLOP/s`],
    ['FP8 dense', gpu.fp8Tflops === undefined ? 'no FP8 tensor cores' : `${gpu.fp8Tflops} TFLOP/s`],
    ['MXFP8', gpu.mxfp8 ? 'yes' : 'no'],
    ['HBM', `${gpu.hbmGiB} GiB at ${gpu.hbmTBps} TB/s`],
    ['NVLink (spec, bidirectional)', `${gpu.nvlinkSpecGBps} GB/s`],
    ['Achievable intra / inter node', `${gpu.intraNodeGBps} / ${gpu.interNodeGBps} GB/s per GPU`],
    ['SMs', String(gpu.sms)],
  ];
  return [`**${gpu.name}** (${gpu.family})`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

/**
 * Pipeline schedules in one line each (from the schedule registry). Bubble formulas as in DeepSeek-V3 (arXiv
 * 2412.19437, Table 2) and the papers named; P = pipeline ranks, m = micro-batches per step, F/B/W = forward, full
 * backward, weight-gradient time.
 */
export const SCHEDULE_DOCS = Object.fromEntries(SCHEDULE_KINDS.map((kind) => [kind, scheduleSpec(kind).docs])) as Readonly<Record<ScheduleKind, string>>;

/** Markdown for the value under the cursor, when that value names something worth explaining. */
function valueMarkdown(path: string, value: unknown): string | undefined {
  if (path === 'cluster.gpu' && typeof value === 'string') {
    // Own keys only: `gpu: constructor` must not find Object.prototype's.
    return Object.hasOwn(GPU_PRESETS, value) ? gpuPresetMarkdown(GPU_PRESETS[value]) : undefined;
  }
  if (path === 'parallelism.schedule') return findSchedule(value)?.docs;
  return undefined;
}

/**
 * Whether the offset is on whitespace or in a comment: the mouse is over a mapping's indentation, a blank line
 * or a remark, where the innermost node is the whole section and a section-sized hover would only be noise.
 */
function onNothing(text: string, offset: number): boolean {
  const blank = (c: string | undefined) => c === undefined || /\s/.test(c);
  if (blank(text[offset]) && blank(text[offset - 1])) return true;
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
  return /(^|[ \t])#/.test(text.slice(lineStart, offset + 1));
}

/** The hover for a position, or undefined when the position is on no known key. */
export function hoverAt(result: CheckResult, position: Position): Hover | undefined {
  const document = result.document;
  if (onNothing(document.text, document.offsetAt(position))) return undefined;
  const at = document.pathAt(position);
  if (!at) return undefined;
  const ranges = document.nodes.get(at.path);
  if (!ranges) return undefined;
  const hoverRange = at.on === 'key' && ranges.key ? ranges.key : ranges.value;

  const schema = schemaAt(at.path);
  const derived = result.derived[at.path];
  const current = at.on === 'value' ? valueMarkdown(at.path, valueAt(document.value, at.path)) : undefined;
  if (!schema && derived === undefined && current === undefined) return undefined;

  const head = [`**${keyName(at.path) || 'config'}** · ${code(at.path)}`];
  if (schema) {
    const docs = schemaMarkdown(at.path, schema);
    if (docs) head.push(docs);
  }
  const sections = [head.join('\n\n')];
  if (derived !== undefined) sections.push(`**Derived:** ${derived}`);
  if (current !== undefined) sections.push(current);
  return { markdown: sections.join('\n\n---\n\n'), range: hoverRange };
}
