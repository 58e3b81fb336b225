/**
 * Context key `trainingConfig.openConfigs`: the URIs of open training configs, so menus can say
 * `resource in trainingConfig.openConfigs` for files matched by the `trainingConfig.files` setting
 * (package.json's `resourceFilename` regex covers the default `*.train.yaml` names before activation).
 */
import * as vscode from 'vscode';
import type { AnalysisService } from './analysis';

export const OPEN_CONFIGS_CONTEXT_KEY = 'trainingConfig.openConfigs';

export function registerContextKeys(context: vscode.ExtensionContext, analysis: AnalysisService): void {
  const open = new Set<string>();
  let published = '';
  const publish = (): void => {
    const value = [...open].sort();
    const signature = value.join('\n');
    if (signature === published) return;
    published = signature;
    void vscode.commands.executeCommand('setContext', OPEN_CONFIGS_CONTEXT_KEY, value);
  };
  context.subscriptions.push(
    analysis.onDidUpdate(({ document }) => {
      open.add(document.uri.toString());
      publish();
    }),
    analysis.onDidForget((uri) => {
      open.delete(uri.toString());
      publish();
    }),
  );
}
