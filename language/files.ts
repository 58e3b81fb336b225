import type { FormatId } from './formats/types';

/** Which files are training configs without any setting: the extension and the language server both start here. */
export const DEFAULT_PATTERNS: readonly string[] = ['**/*.train.yaml', '**/*.train.yml'];

/** Every format the product reads, as the settings name them. */
export const FORMAT_IDS: readonly FormatId[] = ['yaml', 'megatron', 'torchtitan', 'nemo', 'deepspeed', 'hf'];

/** `trainingConfig.formats.files` (editor and language server alike) as written (any JSON) → its valid glob/format pairs; the rest is ignored. */
export function formatFilesSetting(raw: unknown): Array<[string, FormatId]> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const out: Array<[string, FormatId]> = [];
  for (const [glob, format] of Object.entries(raw as Record<string, unknown>).slice(0, 256)) {
    if (glob.trim() !== '' && typeof format === 'string' && (FORMAT_IDS as readonly string[]).includes(format)) out.push([glob, format as FormatId]);
  }
  return out;
}

/**
 * `trainingConfig.defaultCluster` as written → the ParseOptions.defaults it gives (`{ cluster: {...} }`), scalar
 * values only; undefined when unset or not an object.
 */
export function defaultClusterSetting(raw: unknown): Record<string, unknown> | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const cluster: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>).slice(0, 64)) {
    if (/^[a-z_][a-z0-9_]*$/.test(key) && (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) cluster[key] = value;
  }
  return Object.keys(cluster).length > 0 ? { cluster } : undefined;
}
