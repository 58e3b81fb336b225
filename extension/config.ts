/**
 * Settings, read in one place. Every other module asks here; nothing else calls `getConfiguration`.
 */
import * as vscode from 'vscode';
import { DEFAULT_PATTERNS } from '../language/service';

export const SECTION = 'trainingConfig';

export { DEFAULT_PATTERNS };

export interface Settings {
  /** Extra glob patterns, besides the defaults. */
  files: string[];
  validate: boolean;
  statusBar: boolean;
}

export function settings(scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const files = config.get<unknown>('files', []);
  return {
    files: Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string' && f.trim() !== '') : [],
    validate: config.get<boolean>('validate.enable', true) !== false,
    statusBar: config.get<boolean>('statusBar.enable', true) !== false,
  };
}

/** All glob patterns that make a YAML file a training config. */
export function patterns(): string[] {
  return [...new Set([...DEFAULT_PATTERNS, ...settings().files])];
}

/** The selector providers register with: YAML documents matching a pattern, on any scheme (virtual workspaces too). */
export function documentSelector(): vscode.DocumentFilter[] {
  return patterns().map((pattern) => ({ language: 'yaml', pattern }));
}

/** Fires when a setting of this extension changes; `affects(key)` narrows to `trainingConfig.<key>`. */
export function onDidChangeSettings(
  listener: (affects: (key: string) => boolean) => void,
): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(SECTION)) listener((key) => event.affectsConfiguration(`${SECTION}.${key}`));
  });
}
