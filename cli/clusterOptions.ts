/**
 * `--gpu NAME`, `--nodes N`, `--gpus-per-node G`: the cluster a file in another format cannot say (a launch script
 * names no GPU, a JSON has no comment to write it in). One parser for `tcs import`, `check`, `simulate` and `search`,
 * so the options mean and validate the same everywhere: each gives a value the files lack (what a file says wins).
 */
import type { ImportOptions } from '../language/service';
import { GPU_PRESET_IDS } from '../simulator/hardware';

export const CLUSTER_OPTIONS_USAGE = `  --gpu NAME            the GPU when the file names none (${GPU_PRESET_IDS.join(', ')})
  --nodes N             the node count when the file gives none (a whole number ≥ 1)
  --gpus-per-node G     GPUs per node when the file gives none (a whole number ≥ 1)`;

export type ClusterFlag = '--gpu' | '--nodes' | '--gpus-per-node';

/** The options given, as import takes them and as a check's defaults (`{ cluster: {...} }`). */
export interface ClusterOptions {
  options: ImportOptions;
  /** Config path → the option that gave it, for saying which option was not used. */
  given: Map<string, { flag: ClusterFlag; value: string | number }>;
}

const PATHS: Record<ClusterFlag, string> = { '--gpu': 'cluster.gpu', '--nodes': 'cluster.nodes', '--gpus-per-node': 'cluster.gpus_per_node' };

export const isClusterFlag = (flag: string): flag is ClusterFlag => Object.hasOwn(PATHS, flag);

/** Reads one option's value into `into`; a message when it is invalid. */
export function readClusterOption(into: ClusterOptions, flag: ClusterFlag, raw: string | undefined): string | undefined {
  if (raw === undefined) return `${flag} needs a value`;
  if (flag === '--gpu') {
    if (!GPU_PRESET_IDS.includes(raw)) return `--gpu must be one of ${GPU_PRESET_IDS.join(', ')}, not ${raw}`;
    into.options.gpu = raw;
    into.given.set(PATHS[flag], { flag, value: raw });
    return undefined;
  }
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < 1) return `${flag} must be a whole number ≥ 1, not ${raw}`;
  into.options[flag === '--nodes' ? 'nodes' : 'gpusPerNode'] = n;
  into.given.set(PATHS[flag], { flag, value: n });
  return undefined;
}

export const emptyClusterOptions = (): ClusterOptions => ({ options: {}, given: new Map() });

/** The check's defaults: what a file does not say, filled in under what it does (as the editor's defaultCluster setting). */
export function clusterDefaults(c: ClusterOptions): Record<string, unknown> | undefined {
  const cluster: Record<string, unknown> = {};
  if (c.options.gpu !== undefined) cluster.gpu = c.options.gpu;
  if (c.options.nodes !== undefined) cluster.nodes = c.options.nodes;
  if (c.options.gpusPerNode !== undefined) cluster.gpus_per_node = c.options.gpusPerNode;
  return Object.keys(cluster).length > 0 ? { cluster } : undefined;
}

/**
 * The options a checked file did not use, because it says the value itself (or is a training config, whose
 * cluster is its own): one line each, for stderr, so a typed option is never silently ignored.
 */
export function unusedOptions(file: string, c: ClusterOptions, cluster: { gpu: { id: string }; nodes: number; gpusPerNode: number } | undefined): string {
  if (!cluster) return '';
  const used: Record<string, unknown> = { 'cluster.gpu': cluster.gpu.id, 'cluster.nodes': cluster.nodes, 'cluster.gpus_per_node': cluster.gpusPerNode };
  let out = '';
  for (const [path, g] of c.given) {
    if (used[path] !== g.value) out += `${file}: ${g.flag} ${g.value} not used: the file gives ${path} = ${JSON.stringify(used[path])}\n`;
  }
  return out;
}
