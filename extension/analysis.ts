/**
 * The extension's one language service (the core's facade; hover, completion, code actions and the preview ask it
 * through `language`). Checks each open training config on open and on change
 * (debounced per document, a newer edit cancelling the pending check), memoizes the result by URI and version so
 * diagnostics, hover, completion, code actions and the status bar share one check per edit, and forgets a document
 * when it closes. Never throws into the extension host: a core exception becomes one diagnostic and one log line.
 */
import * as vscode from 'vscode';
import { createLanguageService, FORMAT_PROBE_CHARS, INTERNAL_ERROR_CODE, ZERO_RANGE, type CheckResult, type Diagnostic, type LanguageService } from '../language/service';
import { onDidChangeSettings, patterns, settings } from './config';
import { CHECK_DEBOUNCE_MS, CheckSchedule, editDelayMs } from './checkSchedule';
import { selectDocument, type Selection, type SelectionSettings } from './selection';

export interface AnalysisUpdate {
  document: vscode.TextDocument;
  result: CheckResult;
}

/** When an edit event arrived: performance.now() for this process's intervals, Date.now() to compare with the webview. */
export interface EditTime {
  version: number;
  at: number;
  wallAt: number;
}

export class AnalysisService implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; result: CheckResult; checkMs: number }>();
  /** When each document's next check runs (extension/checkSchedule.ts). */
  private readonly checks = new CheckSchedule((uri) => this.awaited(uri));
  /** Version last announced through onDidUpdate, per URI: one event per version. */
  private readonly announced = new Map<string, number>();
  private readonly loggedErrors = new Set<string>();
  /** When the editor reported the change that produced each document's latest version (for latency readings). */
  private readonly edits = new Map<string, EditTime>();
  private readonly updateEmitter = new vscode.EventEmitter<AnalysisUpdate>();
  private readonly forgetEmitter = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [];
  private selection: SelectionSettings = selectionSettings();
  /** Each document's selection, per version and language (detection reads the first lines on each new version). */
  private readonly selected = new Map<string, { version: number; languageId: string; selection: Selection | undefined }>();

  /** The language core, for every feature that reads a checked document (hover, completion, quick fixes, preview). */
  readonly language: LanguageService = createLanguageService();

  /** Whether a view waits on this document's check (the preview showing it): then it runs before anything else. */
  awaited: (uri: string) => boolean = () => false;

  /** Milliseconds from the latest edit event to its diagnostics being published (for latency readings). */
  lastEditToUpdateMs: number | undefined;

  /** A training config was checked after it opened or changed. */
  readonly onDidUpdate: vscode.Event<AnalysisUpdate> = this.updateEmitter.event;
  /** A document closed or stopped being a training config: drop whatever was shown for it. */
  readonly onDidForget: vscode.Event<vscode.Uri> = this.forgetEmitter.event;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly debounceMs = CHECK_DEBOUNCE_MS,
  ) {
    this.disposables.push(
      this.updateEmitter,
      this.forgetEmitter,
      vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document, 0)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length === 0) return;
        this.edits.set(event.document.uri.toString(), { version: event.document.version, at: performance.now(), wallAt: Date.now() });
        this.schedule(event.document, this.delayFor(event.document), true);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      onDidChangeSettings((affects) => {
        if (affects('files') || affects('formats.files') || affects('defaultCluster')) this.reconsiderOpenDocuments();
      }),
    );
    // Documents open before activation. Deferred so listeners wired right after construction see them.
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  isTrainingConfig(document: vscode.TextDocument): boolean {
    return this.selectionOf(document) !== undefined;
  }

  /** Whether the document is a training config and in which format (extension/selection.ts). */
  selectionOf(document: vscode.TextDocument): Selection | undefined {
    const key = document.uri.toString();
    const known = this.selected.get(key);
    if (known && known.version === document.version && known.languageId === document.languageId) return known.selection;
    let selection: Selection | undefined;
    try {
      selection = selectDocument(
        // Only the probe's head is read: a large JSON that is no config costs no more than a small one.
        { fileName: document.uri.path, languageId: document.languageId, text: document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(FORMAT_PROBE_CHARS))) },
        this.selection,
        (pattern) => vscode.languages.match({ pattern }, document) > 0,
        (text, fileName) => this.language.formatOf(text, fileName),
      );
    } catch {
      selection = undefined;
    }
    this.selected.set(key, { version: document.version, languageId: document.languageId, selection });
    return selection;
  }

  /** The check of the document's current text; computed now if this version was not checked yet. */
  get(document: vscode.TextDocument): CheckResult {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.result;
    const started = performance.now();
    const result = this.check(document);
    this.cache.set(key, { version: document.version, result, checkMs: performance.now() - started });
    return result;
  }

  /** When the edit that produced `version` of the document at `uri` arrived, if it was the latest edit. */
  editedAt(uri: string, version: number): EditTime | undefined {
    const edit = this.edits.get(uri);
    return edit && edit.version === version ? edit : undefined;
  }

  /** How long to wait after an edit: at once for a small document, else a few times the last check's cost, capped. */
  private delayFor(document: vscode.TextDocument): number {
    const length = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
    return editDelayMs(length, this.cache.get(document.uri.toString())?.checkMs, this.debounceMs);
  }

  dispose(): void {
    this.checks.dispose();
    this.cache.clear();
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
  }

  /**
   * Checks the document after `delayMs`, or for an edit (`edit`) of a small document (`delayMs` 0) once the editor's
   * change events of this message are dispatched: see CheckSchedule.edited.
   */
  private schedule(document: vscode.TextDocument, delayMs: number, edit = false): void {
    const key = document.uri.toString();
    if (!this.isTrainingConfig(document)) {
      // An edit that removed what made it a config (its launch line, say): drop what was shown for it.
      if (this.cache.has(key)) this.forget(document.uri);
      return;
    }
    const check = () => this.announce(key, document);
    if (edit) this.checks.edited(key, delayMs, check);
    else this.checks.after(key, delayMs, check);
  }

  private announce(key: string, document: vscode.TextDocument): void {
    if (document.isClosed || !this.isTrainingConfig(document)) return;
    const result = this.get(document);
    if (this.announced.get(key) === document.version) return;
    this.announced.set(key, document.version);
    this.updateEmitter.fire({ document, result });
    // Listeners (diagnostics, preview) ran synchronously: this is the edit → problems latency of this version.
    const editedAt = this.editedAt(key, document.version);
    if (editedAt !== undefined) this.lastEditToUpdateMs = performance.now() - editedAt.at;
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.checks.cancel(key);
    this.announced.delete(key);
    this.edits.delete(key);
    this.selected.delete(key);
    const known = this.cache.delete(key);
    if (known) this.forgetEmitter.fire(uri);
  }

  /**
   * After `files`, `formats.files` or `defaultCluster` changed: check documents that became configs (and re-check
   * the others, whose defaults may have changed), forget those that stopped being.
   */
  private reconsiderOpenDocuments(): void {
    this.selection = selectionSettings();
    this.selected.clear();
    for (const document of vscode.workspace.textDocuments) {
      if (this.isTrainingConfig(document)) {
        const key = document.uri.toString();
        this.cache.delete(key);
        this.announced.delete(key);
        this.schedule(document, 0);
      } else this.forget(document.uri);
    }
  }

  private check(document: vscode.TextDocument): CheckResult {
    const text = document.getText();
    const uri = document.uri;
    try {
      const format = this.selectionOf(document)?.format;
      return this.language.check(text, { fileName: uri.path, format, defaults: settings(uri).defaults });
    } catch (error) {
      return this.failure(text, uri, error);
    }
  }

  /** A core exception: one error diagnostic at the top of the file, one log entry per distinct failure. */
  private failure(text: string, uri: vscode.Uri, error: unknown): CheckResult {
    const message = error instanceof Error ? error.message : String(error);
    const signature = error instanceof Error ? `${error.name}: ${message}\n${error.stack ?? ''}` : message;
    if (!this.loggedErrors.has(signature)) {
      this.loggedErrors.add(signature);
      this.log.error(`Checking ${uri.toString(true)} failed: ${signature}`);
    }
    const diagnostic: Diagnostic = {
      severity: 'error',
      code: INTERNAL_ERROR_CODE,
      message: `Training Config Studio could not check this file (${message}). This is a bug; details are in the "Training Config Studio" output.`,
      path: '',
      range: ZERO_RANGE,
    };
    return { document: this.language.parse(text, { fileName: uri.path }), diagnostics: [diagnostic], derived: {} };
  }
}

function selectionSettings(): SelectionSettings {
  return { yamlPatterns: patterns(), formatFiles: settings().formatFiles };
}
