/**
 * Which open documents are training configs, and in which format. Pure (no `vscode`), so it is tested without an
 * editor; glob matching and format recognition are passed in (vscode.languages.match and the facade's formatOf).
 *
 * In order: a `*.train.yaml` name or a `trainingConfig.files` glob (our YAML); a `trainingConfig.formats.files`
 * glob (its format, forced); else a shell, TOML, YAML or JSON document whose first lines a front end claims.
 * Everything else — a docker-compose.yaml, a package.json — is left alone.
 *
 * Activation (package.json, which cannot hold comments): besides `*.train.yaml` in the workspace, opening a shell
 * script or a TOML file activates the extension (loading one bundle; nothing runs until a document is probed).
 * Not `onLanguage:json`/`yaml`: nearly every window opens one (settings.json), so a DeepSpeed/HF JSON or NeMo YAML
 * is picked up once the extension is active by anything else (including its commands).
 */
import type { FormatId } from '../language/service';

/** Languages whose documents may be another tool's training config (TOML has no built-in language: plaintext). */
export const CANDIDATE_LANGUAGES: readonly string[] = ['shellscript', 'yaml', 'json', 'jsonc', 'toml', 'plaintext'];
/** Plain-text documents are probed only under these names (a `.toml` without a TOML extension, a Slurm script). */
const PLAINTEXT_NAMES = /\.(toml|sh|bash|slurm|sbatch)$/i;

export { defaultClusterSetting, formatFilesSetting } from '../language/service';

export interface DocumentFacts {
  /** The document's path (for name-based recognition). */
  fileName: string;
  languageId: string;
  /** The text; only the facade's bounded probe reads it. */
  text: string;
}

export interface SelectionSettings {
  /** Our YAML's globs: the defaults and `trainingConfig.files`. */
  yamlPatterns: readonly string[];
  /** `trainingConfig.formats.files`: glob → format. */
  formatFiles: ReadonlyArray<readonly [string, FormatId]>;
}

export interface Selection {
  format: FormatId;
  /** How it was picked, for logs and tests. */
  by: 'name' | 'setting' | 'content';
}

export function selectDocument(
  document: DocumentFacts,
  settings: SelectionSettings,
  matches: (pattern: string) => boolean,
  formatOf: (text: string, fileName: string) => FormatId | undefined,
): Selection | undefined {
  if (document.languageId === 'yaml' && settings.yamlPatterns.some(matches)) return { format: 'yaml', by: 'name' };
  const forced = settings.formatFiles.find(([pattern]) => matches(pattern));
  if (forced) return { format: forced[1], by: 'setting' };
  if (!CANDIDATE_LANGUAGES.includes(document.languageId)) return undefined;
  if (document.languageId === 'plaintext' && !PLAINTEXT_NAMES.test(document.fileName)) return undefined;
  const format = formatOf(document.text, document.fileName);
  return format === undefined ? undefined : { format, by: 'content' };
}
