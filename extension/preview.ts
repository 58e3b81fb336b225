/**
 * The preview host: one webview panel beside the editor that follows the active training config. It posts the
 * resolved config (the webview simulates and draws), and turns the webview's validated requests into editor
 * actions: an undoable WorkspaceEdit for "use this schedule", a reveal for an error's line.
 *
 * Safety: scripts only by nonce (see previewHtml.ts), resources only from dist/, every message checked on arrival.
 * No retainContextWhenHidden: the page keeps its state with getState/setState and asks for the config again
 * (`ready`) when it comes back; a WebviewPanelSerializer restores the panel after a reload.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { simulationBlockers, type Diagnostic } from '../language/service';
import {
  isHostMessage,
  isScheduleKind,
  isWebviewMessage,
  MAX_ERRORS,
  MAX_STRING,
  type HostMessage,
  type PreviewError,
  type RenderedMessage,
  type WebviewMessage,
} from '../protocol/preview';
import type { AfterPreviewPaint } from './afterPreviewPaint';
import type { AnalysisService } from './analysis';
import { applyLayoutChanges } from './layoutSearch';
import { layoutsMessage, searchInWorker } from './layoutSearchMessages';
import { makeNonce, renderPreviewHtml } from './previewHtml';

export const OPEN_PREVIEW_COMMAND = 'trainingConfig.openPreview';
export const PREVIEW_VIEW_TYPE = 'trainingConfig.preview';
/** Internal commands for tests: the last rendered headline; apply a schedule as the webview's button would. */
export const PREVIEW_STATE_COMMAND = 'trainingConfig._previewState';
export const APPLY_SCHEDULE_COMMAND = 'trainingConfig._applySchedule';

/** Between a check and the post to the webview; leading edge, so a lone keystroke is not delayed. */
export const POST_THROTTLE_MS = 100;

type CheckResult = ReturnType<AnalysisService['get']>;

/** What the tests read: the last `rendered` report of the webview, plus where the panel is. */
export interface PreviewState {
  uri: string;
  version: number;
  schedule: string;
  gpuHours: number;
  wallClockDays: number;
  renderMs: number;
  ops: number;
  stale: boolean;
  /** Milliseconds from the host's post to the webview's `rendered` arriving back, when the versions match. */
  roundTripMs?: number;
  /** The webview's own work for the update (simulate and every view), before the browser paints. */
  updateMs: number;
  /** Wall-clock epoch ms (Date.now()) of each step of the latest update; see `latency`. */
  sentAt: number;
  receivedAt: number;
  paintedAt: number;
  /** Whether a frame was painted (false: the page was hidden and reported without one). */
  painted: boolean;
  /** Date.now() of the editor's change event that produced this version, when it was the latest edit. */
  editedAt?: number;
}

/** An update's path in milliseconds: edit → host posts → webview receives → webview painted. */
export interface PreviewLatency {
  /** Edit event to paint: what a user sees (the keystroke's own trip to the host comes before the edit event). */
  editToPaint: number;
  /** Edit event to post: checking and resolving in the extension host. */
  editToPost: number;
  /** Post to arrival: the editor's transport, host → webview. */
  transport: number;
  /** Arrival to paint: simulate, every view, and the browser's paint. */
  webview: number;
}

/** The segments of the latest update, or undefined without an edit event for it (a first render) or a painted frame. */
export function previewLatency(state: PreviewState): PreviewLatency | undefined {
  if (state.editedAt === undefined || state.sentAt === 0 || !state.painted) return undefined;
  return {
    editToPaint: state.paintedAt - state.editedAt,
    editToPost: state.sentAt - state.editedAt,
    transport: state.receivedAt - state.sentAt,
    webview: state.paintedAt - state.receivedAt,
  };
}

let currentPanel: PreviewPanel | undefined;
let lastRendered: PreviewState | undefined;

/** The preview's last rendered headline, or undefined while nothing has rendered since the panel opened. */
export function getPreviewState(): PreviewState | undefined {
  return lastRendered ? { ...lastRendered } : undefined;
}

/**
 * Call before the other onDidUpdate listeners (diagnostics, status bar): the editor handles messages in the order
 * they are sent, so the preview's post goes first and its round trip does not queue behind the problems update.
 */
export function registerPreview(context: vscode.ExtensionContext, analysis: AnalysisService, afterPreviewPaint?: AfterPreviewPaint): void {
  analysis.awaited = (uri) => currentPanel?.shows(uri) ?? false;
  context.subscriptions.push(
    analysis.onDidUpdate((e) => currentPanel?.onAnalysisUpdate(e.document)),
    vscode.commands.registerCommand(OPEN_PREVIEW_COMMAND, (uri?: unknown) => {
      const target = uri instanceof vscode.Uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) : undefined;
      const document = target ?? activeTrainingConfig(analysis);
      if (currentPanel) currentPanel.reveal(document);
      else currentPanel = PreviewPanel.create(context, analysis, document, afterPreviewPaint);
    }),
    vscode.commands.registerCommand(PREVIEW_STATE_COMMAND, () => getPreviewState()),
    vscode.commands.registerCommand(APPLY_SCHEDULE_COMMAND, (schedule: unknown) =>
      currentPanel?.handleMessage({ type: 'applySchedule', schedule }) ?? Promise.resolve(false),
    ),
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const document = (await documentFromState(state, analysis)) ?? activeTrainingConfig(analysis);
        currentPanel?.dispose();
        currentPanel = new PreviewPanel(panel, context, analysis, document, afterPreviewPaint);
      },
    }),
    { dispose: () => currentPanel?.dispose() },
  );
}

function activeTrainingConfig(analysis: AnalysisService): vscode.TextDocument | undefined {
  const active = vscode.window.activeTextEditor?.document;
  if (active && analysis.isTrainingConfig(active)) return active;
  return vscode.window.visibleTextEditors.map((e) => e.document).find((d) => analysis.isTrainingConfig(d));
}

/** The document a restored panel showed; its URI comes from the webview's saved state, so it is checked. */
async function documentFromState(state: unknown, analysis: AnalysisService): Promise<vscode.TextDocument | undefined> {
  const uri = typeof state === 'object' && state !== null ? (state as { uri?: unknown }).uri : undefined;
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > MAX_STRING) return undefined;
  try {
    const parsed = vscode.Uri.parse(uri, true);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === parsed.toString());
    const document = open ?? (parsed.scheme === 'file' || parsed.scheme === 'untitled' ? await vscode.workspace.openTextDocument(parsed) : undefined);
    return document && analysis.isTrainingConfig(document) ? document : undefined;
  } catch {
    return undefined;
  }
}

function toPreviewErrors(result: CheckResult): PreviewError[] {
  return result.diagnostics
    .filter((d: Diagnostic) => d.severity === 'error')
    .slice(0, MAX_ERRORS)
    .map((d: Diagnostic) => ({ message: d.message.slice(0, MAX_STRING), line: Math.max(-1, d.range?.start?.line ?? -1) }));
}

class PreviewPanel implements vscode.Disposable {
  private document?: vscode.TextDocument;
  private readonly disposables: vscode.Disposable[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private lastPostAt = 0;
  private posted?: { uri: string; version: number; at: number };
  private disposed = false;
  /** The layout search in flight (one at a time), and the worker bundle it runs in. */
  private search?: { cancel: () => void };
  private readonly workerScript: string;

  static create(context: vscode.ExtensionContext, analysis: AnalysisService, document: vscode.TextDocument | undefined, afterPaint?: AfterPreviewPaint): PreviewPanel {
    const panel = vscode.window.createWebviewPanel(
      PREVIEW_VIEW_TYPE,
      'Training Config Preview',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      PreviewPanel.options(context),
    );
    return new PreviewPanel(panel, context, analysis, document, afterPaint);
  }

  private static options(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableForms: false,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist')],
    };
  }

  constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly analysis: AnalysisService,
    document: vscode.TextDocument | undefined,
    /** Told what was posted and what was painted, so the problems of a version wait for its paint. */
    private readonly afterPaint?: AfterPreviewPaint,
  ) {
    lastRendered = undefined;
    this.workerScript = vscode.Uri.joinPath(context.extensionUri, 'dist', 'searchWorker.js').fsPath;
    const webview = panel.webview;
    // A restored panel keeps its old options; set them again so the roots and scripts are ours.
    webview.options = PreviewPanel.options(context);
    const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
    webview.html = renderPreviewHtml({
      nonce: makeNonce((n) => randomBytes(n)),
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      codiconUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicon.css')).toString(),
    });

    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => void this.handleMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor && analysis.isTrainingConfig(editor.document)) this.track(editor.document);
      }),
      vscode.workspace.onDidCloseTextDocument((closed) => {
        if (this.document && closed.uri.toString() === this.document.uri.toString()) {
          // Keep showing it (the page keeps its last preview); follow whichever config becomes active next.
          this.document = undefined;
        }
      }),
    );
    this.track(document);
  }

  /** Whether the panel is showing the document at `uri` (and so waits on its checks). */
  shows(uri: string): boolean {
    return !this.disposed && this.panel.visible && this.document?.uri.toString() === uri;
  }

  /** A document was checked: post it if it is the one shown. */
  onAnalysisUpdate(document: vscode.TextDocument): void {
    if (this.document && document.uri.toString() === this.document.uri.toString()) this.schedulePost();
  }

  reveal(document: vscode.TextDocument | undefined): void {
    this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    if (document) this.track(document);
  }

  private track(document: vscode.TextDocument | undefined): void {
    if (!document) return;
    const changed = this.document?.uri.toString() !== document.uri.toString();
    this.document = document;
    this.panel.title = `Preview: ${basename(document.uri)}`;
    if (changed) this.postNow();
  }

  /** Leading-edge throttle: post at once if the last post is older than POST_THROTTLE_MS, else once it is. */
  private schedulePost(): void {
    if (this.timer) return;
    const wait = POST_THROTTLE_MS - (Date.now() - this.lastPostAt);
    if (wait <= 0) this.postNow();
    else this.timer = setTimeout(() => this.postNow(), wait);
  }

  private postNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const document = this.document;
    if (this.disposed || !document || document.isClosed) return;
    this.lastPostAt = Date.now();
    let message: HostMessage;
    const uri = document.uri.toString();
    const sentAt = 0; // stamped just before the post, below
    try {
      const result = this.analysis.get(document);
      const errors = toPreviewErrors(result);
      // A layout over HBM is still drawn, with its real numbers and the ranks over the line marked.
      message =
        result.config && simulationBlockers(result.diagnostics).length === 0
          ? { type: 'update', uri, version: document.version, sentAt, config: result.config, errors }
          : { type: 'invalid', uri, version: document.version, sentAt, errors: errors.length ? errors : [{ message: 'The config did not resolve.', line: -1 }] };
    } catch (e) {
      message = { type: 'invalid', uri, version: document.version, sentAt, errors: [{ message: `Checking failed: ${String(e)}`.slice(0, MAX_STRING), line: -1 }] };
    }
    // Our own core produced it, but the page trusts only what passes the same check it runs.
    if (!isHostMessage(message)) {
      message = { type: 'invalid', uri, version: document.version, sentAt, errors: [{ message: 'Internal error: the resolved config is malformed.', line: -1 }] };
    }
    const edit = this.analysis.editedAt(uri, document.version);
    if (edit) message.editedAt = edit.wallAt;
    message.sentAt = Date.now();
    this.posted = { uri, version: document.version, at: message.sentAt };
    void this.panel.webview.postMessage(message);
    // A hidden webview paints nothing: nothing waits on it.
    if (this.panel.visible) this.afterPaint?.posted(uri, document.version);
  }

  /** Every message from the page passes isWebviewMessage first; anything else is dropped. */
  async handleMessage(raw: unknown): Promise<boolean> {
    if (!isWebviewMessage(raw)) return false;
    const m: WebviewMessage = raw;
    switch (m.type) {
      case 'ready':
        if (!this.document) this.document = activeTrainingConfig(this.analysis);
        if (this.document) this.panel.title = `Preview: ${basename(this.document.uri)}`;
        this.postNow();
        return true;
      case 'rendered':
        this.onRendered(m);
        return true;
      case 'applySchedule':
        return this.applySchedule(m.schedule);
      case 'reveal':
        return this.revealLine(m.line);
      case 'findLayouts':
        return this.findLayouts();
      case 'cancelLayouts':
        this.search?.cancel();
        return true;
      case 'applyLayout': {
        const document = this.document;
        return document && !document.isClosed ? applyLayoutChanges(document, this.analysis, m.changes) : false;
      }
    }
  }

  /** Searches the shown document's layouts in the worker, posting progress (throttled there) and the result. */
  private async findLayouts(): Promise<boolean> {
    const document = this.document;
    if (!document || document.isClosed) return false;
    this.search?.cancel();
    const uri = document.uri.toString();
    const version = document.version;
    const post = (m: HostMessage) => void (!this.disposed && this.panel.webview.postMessage(m));
    const run = searchInWorker(this.workerScript, { text: document.getText(), fileName: document.fileName, options: {} }, (examined, total) =>
      post({ type: 'layouts', uri, version, state: 'running', progress: { examined, total } }),
    );
    this.search = run;
    post({ type: 'layouts', uri, version, state: 'running' });
    const outcome = await run.done;
    if (this.search === run) this.search = undefined;
    const message = layoutsMessage(uri, version, outcome);
    if (message && isHostMessage(message)) post(message);
    else if (message) post({ type: 'layouts', uri, version, state: 'failed', message: 'Internal error: the search result is malformed.' });
    return outcome.type === 'done';
  }

  private onRendered(m: RenderedMessage): void {
    this.afterPaint?.painted(m.uri, m.version);
    const matches = this.posted && this.posted.uri === m.uri && this.posted.version === m.version;
    const editedAt = this.analysis.editedAt(m.uri, m.version);
    lastRendered = {
      uri: m.uri,
      version: m.version,
      schedule: m.schedule,
      gpuHours: m.gpuHours,
      wallClockDays: m.wallClockDays,
      renderMs: m.renderMs,
      updateMs: m.updateMs,
      ops: m.ops,
      stale: m.stale,
      roundTripMs: matches ? Date.now() - this.posted!.at : undefined,
      sentAt: m.sentAt,
      receivedAt: m.receivedAt,
      paintedAt: m.paintedAt,
      painted: m.painted,
      editedAt: editedAt?.wallAt,
    };
  }

  private async applySchedule(schedule: string): Promise<boolean> {
    const document = this.document;
    if (!isScheduleKind(schedule) || !document || document.isClosed) return false;
    const result = this.analysis.get(document);
    const [edit] = this.analysis.language.setValue(result, 'parallelism.schedule', schedule) ?? [];
    if (!edit) return false;
    const range = new vscode.Range(edit.range.start.line, edit.range.start.character, edit.range.end.line, edit.range.end.character);
    const workspaceEdit = new vscode.WorkspaceEdit();
    workspaceEdit.replace(document.uri, document.validateRange(range), edit.newText, {
      label: `Use the ${schedule} pipeline schedule`,
      needsConfirmation: false,
    });
    const applied = await vscode.workspace.applyEdit(workspaceEdit);
    if (!applied) void vscode.window.showWarningMessage(`Could not set parallelism.schedule to ${schedule}.`);
    return applied;
  }

  private async revealLine(line: number): Promise<boolean> {
    const document = this.document;
    if (!document || document.isClosed) return false;
    const position = document.validatePosition(new vscode.Position(line, 0));
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === document);
    await vscode.window.showTextDocument(document, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      selection: new vscode.Range(position, position),
      preserveFocus: false,
    });
    return true;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.search?.cancel();
    this.afterPaint?.releaseAll();
    if (currentPanel === this) currentPanel = undefined;
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.panel.dispose();
  }
}

function basename(uri: vscode.Uri): string {
  const path = uri.path;
  return path.slice(path.lastIndexOf('/') + 1) || path;
}
