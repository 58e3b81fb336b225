/**
 * The front-end contract: every format the product reads (our YAML, Megatron-LM arguments, torchtitan TOML, NeMo
 * YAML, DeepSpeed JSON, Hugging Face config.json) becomes one `SourceDocument`: the value in the config model
 * (the `*.train.yaml` shape), a source map from config paths to ranges in the original text, and an edit writer
 * that writes a fix in that file's own syntax. Schema, resolve and rules run on this alone, so a diagnostic lands on
 * the exact key or flag of any format.
 */
import type { Diagnostic, Position, Range, TextEdit } from '../diagnostics';

export type FormatId = 'yaml' | 'megatron' | 'torchtitan' | 'nemo' | 'deepspeed' | 'hf';

/** Where a config path sits in the original text. `key` is the flag or key, `value` its value. */
export interface NodeRanges {
  key?: Range;
  value: Range;
}

/**
 * Writes edits in the document's own syntax. Values are in the config model: a scalar, a list of scalars, or for
 * `setValue` a plain object (a new section with those keys; a key whose value is undefined is left for the user to
 * fill in). Each returns undefined when it cannot write that change in this format; the fix is then not offered.
 */
export interface EditWriter {
  /** Set the value at a config path: replace it where it is, or insert the key (and its parents) where it belongs. */
  setValue(path: string, value: unknown): TextEdit[] | undefined;
  /** Rename the key at a path (a misspelt key to the one the user meant), keeping its value. */
  renameKey(path: string, newKey: string): TextEdit[] | undefined;
  /** Append items to the list at a path, keeping the items written there as they are. */
  appendItems(path: string, values: readonly unknown[]): TextEdit[] | undefined;
  /** A value as this format writes it, for fix titles ("Set schedule to zb-h1"). */
  valueText(value: unknown): string;
  /**
   * For a format whose keys are not the config's: the text `setValue` writes, read as the file's own key and value
   * (`--pipeline-model-parallel-size 8`, `pipeline_parallel_degree = 8`, `# tcs: cluster.nodes=4`), for fix titles.
   */
  assignment?(path: string, value: unknown): string | undefined;
}

export interface SourceDocument {
  format: FormatId;
  text: string;
  /** The value in the config model; undefined for an empty document or one refused by a cap. */
  value: unknown;
  /** By dotted config path: '' root, 'parallelism.pipeline', array items 'precision.fp8.high_precision.0'. */
  nodes: Map<string, NodeRanges>;
  /** Syntax errors, duplicates, caps hit, and what the format carries that the config model cannot (info). */
  diagnostics: Diagnostic[];
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  /** The innermost node whose key or value contains the position (ends inclusive, for a cursor after a value). */
  pathAt(position: Position): { path: string; on: 'key' | 'value' } | undefined;
  edits: EditWriter;
  /**
   * The format holds only part of a training config (a launch script names no GPU, a config.json no batch): the
   * check assumes what it lacks by one rule (formats/assumed.ts) and says so, instead of reporting it missing.
   */
  partial?: boolean;
}

export interface ParseOptions {
  /** The file's name, for formats recognised partly by name (`*.toml`, `config.json`). */
  fileName?: string;
  /** Values the file cannot give (the cluster, for most formats), merged under what the file says. */
  defaults?: Record<string, unknown>;
}

export interface FrontEnd {
  format: FormatId;
  /** Shown to users: "Megatron-LM arguments". */
  label: string;
  /** Whether this text is in this format; cheap, bounded, never throws. */
  detect(text: string, fileName?: string): boolean;
  /** Never throws: bad input becomes diagnostics. */
  parse(text: string, options?: ParseOptions): SourceDocument;
}
