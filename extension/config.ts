/**
 * Settings, read in one place. Every other module asks here; nothing else calls `getConfiguration`.
 */
import * as vscode from 'vscode';
import { DEFAULT_PATTERNS, type FormatId } from '../language/service';
import { CANDIDATE_LANGUAGES, defaultClusterSetting, formatFilesSetting } from './selection';

export const SECTION = 'trainingConfig';

export { DEFAULT_PATTERNS };

export interface Settings {
  /** Extra glob patterns, besides the defaults. */
  files: string[];
  validate: boolean;
  statusBar: boolean;
  /** `formats.files`: globs whose files are read in the given format, whatever detection says. */
  formatFiles: Array<[string, FormatId]>;
  /** `defaultCluster` as ParseOptions.defaults: what a file in another format cannot say. */
  defaults?: Record<string, unknown>;
}

export function settings(scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const files = config.get<unknown>('files', []);
  return {
    files: Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string' && f.trim() !== '') : [],
    validate: config.get<boolean>('validate.enable', true) !== false,
    statusBar: config.get<boolean>('statusBar.enable', true) !== false,
    formatFiles: formatFilesSetting(config.get<unknown>('formats.files', {})),
    defaults: defaultClusterSetting(config.get<unknown>('defaultCluster', undefined)),
  };
}

/** All glob patterns that make a YAML file a training config. */
export function patterns(): string[] {
  return [...new Set([...DEFAULT_PATTERNS, ...settings().files])];
}

/**
 * The selector providers register with, on any scheme (virtual workspaces too): YAML documents matching a pattern,
 * the `formats.files` globs, and every language another tool's config may be in. It is wider than the configs:
 * each provider asks AnalysisService.isTrainingConfig (extension/selection.ts) before answering.
 */
export function documentSelector(): vscode.DocumentFilter[] {
  return [
    ...patterns().map((pattern) => ({ language: 'yaml', pattern })),
    ...settings().formatFiles.map(([pattern]) => ({ pattern })),
    ...CANDIDATE_LANGUAGES.map((language) => ({ language })),
  ];
}

/** Fires when a setting of this extension changes; `affects(key)` narrows to `trainingConfig.<key>`. */
export function onDidChangeSettings(
  listener: (affects: (key: string) => boolean) => void,
): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(SECTION)) listener((key) => event.affectsConfiguration(`${SECTION}.${key}`));
  });
}
