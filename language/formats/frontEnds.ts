/**
 * The front ends for formats other than our own YAML, in the order they are tried: each `detect` is cheap and
 * they do not overlap (JSON by its keys, TOML by its tables, NeMo YAML by `model:` with indented arguments,
 * Megatron-LM by its flags).
 */
import { deepspeedFrontEnd } from './deepspeed';
import { hfFrontEnd } from './hf';
import { megatronFrontEnd } from './megatron';
import { nemoFrontEnd } from './nemo';
import { torchtitanFrontEnd } from './torchtitan';
import type { FrontEnd } from './types';
import type { ImportedDocument } from './source';

export interface ImportFrontEnd extends FrontEnd {
  parse(text: string, options?: Parameters<FrontEnd['parse']>[1]): ImportedDocument;
}

export const IMPORT_FRONT_ENDS: readonly ImportFrontEnd[] = [hfFrontEnd, deepspeedFrontEnd, torchtitanFrontEnd, nemoFrontEnd, megatronFrontEnd] as ImportFrontEnd[];

export function detectImportFormat(text: string, fileName?: string): ImportFrontEnd | undefined {
  for (const f of IMPORT_FRONT_ENDS) {
    try {
      if (f.detect(text, fileName)) return f;
    } catch {
      // detect never throws by contract; a bug here must not stop the other formats.
    }
  }
  return undefined;
}

export const FORMAT_LABELS = IMPORT_FRONT_ENDS.map((f) => f.label);
