/**
 * What the three exporters share: the result shape, warnings that name the config key the target cannot express,
 * the `# tcs:` comment that carries what the target has no field for (the GPU, its bandwidths, the price), and the
 * resolved config flattened back to config paths (the exporters compare shapes with it; tests compare round trips).
 */
import type { ResolvedConfig } from '../../simulator/config';
import { resolveConfig } from '../resolve';

export type ExportTarget = 'megatron' | 'torchtitan' | 'torchtitan-python' | 'torchtitan-json' | 'nemo';

/** What resolve assumes for the expert load imbalance when a config does not say (no framework has a flag for it). */
export const DEFAULT_IMBALANCE: number = resolveConfig({ model: { moe: {} } }).model.moe!.loadImbalance;

export interface ExportWarning {
  /** The config key the target cannot express (or expresses only approximately). */
  path: string;
  message: string;
  /**
   * `dropped`: re-importing the output gives a different value at `path`. `approximated`: the value reads back
   * the same, but the target runs something close to it, not it (blockwise FP8 written as torchtitan's rowwise).
   */
  kind: 'dropped' | 'approximated';
}

export interface ExportResult {
  text: string;
  warnings: ExportWarning[];
  /** Facts worth knowing that change nothing (Megatron pads the vocabulary, say). */
  notes: string[];
}

type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** The `# tcs:` line for the name and every cluster key except those the target has its own place for. */
export function directiveLine(value: unknown, skip: readonly string[]): string | undefined {
  const root = obj(value);
  const pairs: string[] = [];
  const fmt = (v: unknown) => (typeof v === 'string' ? (/^[\w.-]+$/.test(v) ? v : `"${v.replace(/"/g, "'")}"`) : String(v));
  if (typeof root.name === 'string') pairs.push(`name=${fmt(root.name)}`);
  const walk = (v: unknown, path: string) => {
    if (skip.includes(path)) return;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v as Obj)) walk(x, `${path}.${k}`);
    else if (v !== undefined && !Array.isArray(v)) pairs.push(`${path}=${fmt(v)}`);
  };
  walk(root.cluster, 'cluster');
  return pairs.length ? `# tcs: ${pairs.join(' ')}` : undefined;
}

const snake = (k: string) => k.replace(/GBps$/, 'Gbps').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The resolved config as config paths → values: defaults applied, the GPU by id (or its peaks for a custom one),
 * high-precision modules sorted (their order means nothing), and the derived fields (micro-batch count, whether DP
 * was given) left out.
 */
export function resolvedLeaves(value: unknown): Map<string, unknown> {
  const r: ResolvedConfig = resolveConfig(value);
  const out = new Map<string, unknown>();
  const walk = (v: unknown, path: string) => {
    if (path === 'parallelism.micro_batches' || path === 'parallelism.data_derived') return;
    if (path === 'cluster.gpu') {
      const g = v as ResolvedConfig['cluster']['gpu'];
      out.set(path, g.id === 'custom' ? JSON.stringify(g) : g.id);
      return;
    }
    if (path === 'precision.fp8.high_precision') {
      out.set(path, [...(v as string[])].sort().join(','));
      return;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Obj)) walk(x, path === '' ? snake(k) : `${path}.${snake(k)}`);
    } else if (v !== undefined) out.set(path, v);
  };
  walk(r, '');
  return out;
}

/** Config paths whose resolved values differ between two config values. */
export function differingPaths(a: unknown, b: unknown): string[] {
  const la = resolvedLeaves(a);
  const lb = resolvedLeaves(b);
  const keys = new Set([...la.keys(), ...lb.keys()]);
  return [...keys].filter((k) => JSON.stringify(la.get(k)) !== JSON.stringify(lb.get(k))).sort();
}
