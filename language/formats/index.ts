/**
 * Every front end the checker reads, one line each. A document goes to the first whose `detect` accepts it, so
 * the more specific come first; our YAML is last, and also where a document no front end claims goes.
 */
import type { FormatId, FrontEnd } from './types';
import { deepspeedFrontEnd } from './deepspeed';
import { hfFrontEnd } from './hf';
import { megatronFrontEnd } from './megatron';
import { nemoFrontEnd } from './nemo';
import { torchtitanFrontEnd } from './torchtitan';
import { yamlFrontEnd } from './yaml';

export type { EditWriter, FormatId, FrontEnd, NodeRanges, ParseOptions, SourceDocument } from './types';

export const FRONT_ENDS: readonly FrontEnd[] = [
  hfFrontEnd,
  deepspeedFrontEnd,
  torchtitanFrontEnd,
  nemoFrontEnd,
  megatronFrontEnd,
  yamlFrontEnd,
];

export interface FrontEndRequest {
  /** The format, when the caller knows it (a language id, a CLI flag); otherwise recognised from the name and text. */
  format?: FormatId;
  fileName?: string;
  text: string;
}

/** The front end for a document: the one named, else the first that recognises it, else YAML. */
export function frontEndFor(request: FrontEndRequest, frontEnds: readonly FrontEnd[] = FRONT_ENDS): FrontEnd {
  if (request.format !== undefined) {
    const named = frontEnds.find((f) => f.format === request.format);
    if (named) return named;
  }
  for (const f of frontEnds) {
    try {
      if (f.detect(request.text, request.fileName)) return f;
    } catch {
      // detect must not throw; one that does claims nothing.
    }
  }
  return frontEnds.find((f) => f.format === 'yaml') ?? yamlFrontEnd;
}
