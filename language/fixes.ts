/**
 * Quick-fix builders for schema and rules. Format-neutral: the edits come from the document's own EditWriter, so
 * one rule offers a correct fix in YAML, Megatron-LM arguments or TOML alike. A fix the format cannot write is
 * undefined, and report() drops it.
 */
import type { Fix } from './diagnostics';
import type { SourceDocument } from './formats/types';
import { keyName } from './paths';

/** Sets `path` to `value`: replaces the value when the key exists, inserts the key otherwise. */
export function setValueFix(doc: Pick<SourceDocument, 'edits'>, path: string, value: unknown, title?: string, preferred = false): Fix | undefined {
  const edits = doc.edits.setValue(path, value);
  if (!edits) return undefined;
  const fix: Fix = { title: title ?? `Set ${setText(doc, path, value)}`, edits };
  if (preferred) fix.preferred = true;
  return fix;
}

/**
 * "pipeline to 8" in our YAML; in a format whose keys are not the config's, the edit as the file reads it
 * ("`--pipeline-model-parallel-size 8`"), so a fix title names what the user will see change.
 */
export function setText(doc: Pick<SourceDocument, 'edits'>, path: string, value: unknown, shown = doc.edits.valueText(value)): string {
  const written = doc.edits.assignment?.(path, value);
  return written !== undefined ? `\`${written}\`` : `${keyName(path)} to ${shown}`;
}

export function renameKeyFix(doc: SourceDocument, path: string, newKey: string): Fix | undefined {
  const edits = doc.edits.renameKey(path, newKey);
  return edits ? { title: `Rename to ${newKey}`, edits, preferred: true } : undefined;
}

/** A fix with its own title from any of the builders' edits; undefined when there are none. */
export function fixOf(title: string, edits: Fix['edits'] | undefined, preferred = false): Fix | undefined {
  if (!edits) return undefined;
  return preferred ? { title, edits, preferred } : { title, edits };
}

/** The fixes that could be written, in order. */
export const written = (fixes: readonly (Fix | undefined)[]): Fix[] => fixes.filter((f): f is Fix => f !== undefined);

/** A diagnostic's `fixes`: those that could be written, or undefined for none. */
export function offered(...fixes: (Fix | undefined)[]): Fix[] | undefined {
  const out = written(fixes);
  return out.length > 0 ? out : undefined;
}
