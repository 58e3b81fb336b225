/**
 * The language server: every LSP request is answered by the language service (language/service.ts), the same core
 * the VS Code extension calls in-process, for every format the service reads. This module only wires the protocol:
 * document sync, debounced checks, push or pull diagnostics, hover, completion, quick fixes, symbols, settings and
 * the custom requests of protocol/lsp.ts. A handler never throws anything but a protocol error.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type CancellationToken,
  type CodeAction,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DocumentDiagnosticReport,
  type InitializeParams,
  type InitializeResult,
  type Position as LspPosition,
} from 'vscode-languageserver/node';
import { createLanguageService, type CheckOptions, type CheckResult, type Diagnostic, type LanguageService, type PresentedFix } from '../language/service';
import { DIAGNOSTIC_SOURCE, toCodeAction, toLspCompletion, toLspDiagnostic, toLspHover, type ClientFeatures } from './convert';
import { Documents, type OpenDocument } from './documents';
import { negotiateEncoding, type Encoding } from './encoding';
import { DEFAULT_SETTINGS, forcedFormat, isTrainingConfigPath, parseSettings, SECTION, uriPath, type ServerSettings } from './settings';
import { registerSimulation } from './simulation';
import { documentSymbols } from './symbols';

export const SERVER_NAME = 'tcs';
/** How long a `workspace/configuration` answer is awaited before the defaults are used. */
const SETTINGS_TIMEOUT_MS = 2000;

/** A request about a document: the document must be open, the position inside it. */
export interface DocumentRequest {
  entry: OpenDocument;
  result: CheckResult;
  settings: ServerSettings;
}

export class TrainingConfigServer {
  readonly service: LanguageService = createLanguageService();
  private documents!: Documents;
  private encoding: Encoding = 'utf-16';
  private features: ClientFeatures = { hoverMarkdown: true, completionMarkdown: true, insertReplace: false, labelDetails: false, documentChanges: false };
  private pull = false;
  private pullRefresh = false;
  private canAskSettings = false;
  private dynamicConfiguration = false;
  private pushedSettings: unknown;
  private roots: string[] = [];
  private globalSettings?: Promise<ServerSettings>;
  /** The window-wide settings last received, for the synchronous check options (a forced format, a default cluster). */
  private knownGlobal: ServerSettings = DEFAULT_SETTINGS;
  private readonly resourceSettings = new Map<string, Promise<ServerSettings>>();
  /** URIs whose last published diagnostics were not empty. */
  private readonly published = new Set<string>();
  /** Presented fixes per core diagnostic of one document version: clients ask on every cursor move. */
  private fixCache?: { uri: string; version: number; fixes: Map<Diagnostic, PresentedFix[]> };

  constructor(
    readonly connection: Connection,
    private readonly log: (line: string) => void,
  ) {
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => this.initialized());
    connection.onDidChangeConfiguration((change) => this.settingsChanged(change.settings));
    connection.onDidOpenTextDocument(({ textDocument: t }) =>
      this.guard('didOpen', () => {
        if (typeof t?.uri !== 'string' || typeof t.text !== 'string') return;
        const entry = this.documents.add(t.uri, String(t.languageId ?? ''), Number(t.version) || 0, t.text);
        this.fixCache = undefined;
        // Checked once its settings are known; a pull client asks for the diagnostics itself.
        if (!this.pull) this.afterSettings(t.uri, () => this.documents.get(t.uri) === entry && this.documents.schedule(entry, true));
      }),
    );
    connection.onDidChangeTextDocument(({ textDocument, contentChanges }) =>
      this.guard('didChange', () => {
        const entry = this.documents.get(textDocument?.uri);
        if (!entry || !Array.isArray(contentChanges)) return;
        this.documents.change(entry, Number(textDocument.version) || entry.text.version + 1, contentChanges);
        this.fixCache = undefined;
        if (!this.pull) this.documents.schedule(entry);
      }),
    );
    connection.onDidCloseTextDocument(({ textDocument }) =>
      this.guard('didClose', () => {
        const uri = textDocument?.uri;
        if (!this.documents.get(uri)) return;
        this.documents.remove(uri);
        this.resourceSettings.delete(uri);
        if (this.published.delete(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
      }),
    );
    connection.onHover((params) => this.answer('hover', params, ({ entry, result }, position) => {
      const hover = this.service.hover(result, position);
      return hover ? toLspHover(hover, entry.codec, this.features) : null;
    }));
    connection.onCompletion((params) => this.answer('completion', params, ({ entry, result }, position, clientPosition) =>
      this.service.completions(result, position).map((item) => toLspCompletion(item, clientPosition, entry.codec, this.features)),
    ));
    connection.onDocumentSymbol((params) => this.answer('documentSymbol', params, ({ entry, result }) => documentSymbols(result, entry.codec)));
    connection.onCodeAction((params) => this.answer('codeAction', params, (request) => this.codeActions(request, params.range, params.context)));
    connection.languages.diagnostics.on((params, token) => this.pullDiagnostics(params.textDocument?.uri, params.previousResultId, token));
    registerSimulation(this);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Lifecycle and settings

  private initialize(params: InitializeParams): InitializeResult {
    const caps = params.capabilities ?? {};
    this.encoding = negotiateEncoding(caps.general?.positionEncodings);
    const markdown = (formats: readonly string[] | undefined) => formats === undefined || formats.includes('markdown');
    this.features = {
      hoverMarkdown: markdown(caps.textDocument?.hover?.contentFormat),
      completionMarkdown: markdown(caps.textDocument?.completion?.completionItem?.documentationFormat),
      insertReplace: caps.textDocument?.completion?.completionItem?.insertReplaceSupport === true,
      labelDetails: caps.textDocument?.completion?.completionItem?.labelDetailsSupport === true,
      documentChanges: caps.workspace?.workspaceEdit?.documentChanges === true,
    };
    this.pull = caps.textDocument?.diagnostic !== undefined;
    this.pullRefresh = caps.workspace?.diagnostics?.refreshSupport === true;
    this.canAskSettings = caps.workspace?.configuration === true;
    this.dynamicConfiguration = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    this.pushedSettings = params.initializationOptions;
    const folders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (folders.length === 0 && params.rootUri) folders.push(params.rootUri);
    this.roots = folders.map(uriPath).map((p) => p.replace(/\/$/, ''));
    this.documents = new Documents(this.encoding, this.service, (uri) => this.checkOptions(uri), (entry) => void this.publish(entry));
    return {
      capabilities: {
        positionEncoding: this.encoding,
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
        ...(this.pull ? { diagnosticProvider: { identifier: SERVER_NAME, interFileDependencies: false, workspaceDiagnostics: false } } : {}),
      },
      serverInfo: { name: SERVER_NAME },
    };
  }

  private initialized(): void {
    // Clients that only send didChangeConfiguration when asked to (VS Code's language client, pull or push).
    if (this.dynamicConfiguration) void this.connection.client.register(DidChangeConfigurationNotification.type, { section: SECTION }).catch(() => undefined);
  }

  private settingsChanged(pushed: unknown): void {
    if (pushed !== undefined && pushed !== null) this.pushedSettings = pushed;
    this.globalSettings = undefined;
    this.resourceSettings.clear();
    this.fixCache = undefined;
    for (const entry of this.documents.all()) this.afterSettings(entry.uri, () => this.documents.schedule(entry, true));
    if (this.pull && this.pullRefresh) this.connection.languages.diagnostics.refresh();
  }

  private fetchSettings(scopeUri?: string): Promise<ServerSettings> {
    if (!this.canAskSettings) return Promise.resolve(parseSettings(this.pushedSettings));
    const timeout = new Promise<ServerSettings>((resolve) => setTimeout(() => resolve(parseSettings(this.pushedSettings)), SETTINGS_TIMEOUT_MS).unref?.());
    const asked = this.connection.workspace
      .getConfiguration(scopeUri === undefined ? { section: SECTION } : { scopeUri, section: SECTION })
      .then(parseSettings, () => parseSettings(this.pushedSettings));
    return Promise.race([asked, timeout]);
  }

  /** The settings for a document: `files` is window-wide, `validate` per resource. */
  private settingsFor(uri: string): Promise<ServerSettings> {
    this.globalSettings ??= this.fetchSettings().then((s) => (this.knownGlobal = s));
    let resource = this.resourceSettings.get(uri);
    if (!resource) {
      const global = this.globalSettings;
      resource = Promise.all([global, this.fetchSettings(uri)]).then(([g, r]) => ({ ...g, validate: r.validate }), () => DEFAULT_SETTINGS);
      this.resourceSettings.set(uri, resource);
    }
    return resource;
  }

  /** How a document is checked: its name, the format `formats.files` forces on it, and the default cluster. */
  private checkOptions(uri: string): CheckOptions {
    const fileName = uriPath(uri);
    const { formatFiles, defaults } = this.knownGlobal;
    const format = forcedFormat(fileName, formatFiles, this.roots);
    return { fileName, ...(format ? { format } : {}), ...(defaults ? { defaults } : {}) };
  }

  private afterSettings(uri: string, then: () => void): void {
    this.settingsFor(uri).then(() => this.guard('settings', then), () => undefined);
  }

  /**
   * Whether the document is a training config: a default pattern or `trainingConfig.files` matches its path, or the
   * language service recognised it as one of the other formats it reads (Megatron-LM arguments, torchtitan TOML,
   * DeepSpeed JSON, …). Any other YAML falls to the YAML front end and is left alone: docker-compose.yaml is no config.
   */
  private served(entry: OpenDocument, settings: ServerSettings): boolean {
    const path = uriPath(entry.uri);
    if (isTrainingConfigPath(path, settings.files, this.roots) || forcedFormat(path, settings.formatFiles, this.roots)) return true;
    // The front end that read the document; YAML is also where a document no front end claims goes.
    return this.documents.result(entry).document.format !== 'yaml';
  }

  // -------------------------------------------------------------------------------------------------------------
  // Diagnostics

  private diagnosticsOf(entry: OpenDocument, settings: ServerSettings): LspDiagnostic[] {
    if (!settings.validate || !this.served(entry, settings)) return [];
    return this.documents.result(entry).diagnostics.map((d) => toLspDiagnostic(d, entry.codec));
  }

  /** Push: after a scheduled check; a clean file that stays clean is not re-sent. */
  private async publish(entry: OpenDocument): Promise<void> {
    if (this.pull) return;
    const settings = await this.settingsFor(entry.uri);
    if (this.documents.get(entry.uri) !== entry || !this.documents.isChecked(entry)) return;
    const diagnostics = this.guard('publish', () => this.diagnosticsOf(entry, settings)) ?? [];
    if (diagnostics.length === 0 && !this.published.has(entry.uri)) return;
    if (diagnostics.length > 0) this.published.add(entry.uri);
    else this.published.delete(entry.uri);
    await this.connection.sendDiagnostics({ uri: entry.uri, version: entry.text.version, diagnostics });
  }

  /** Pull (LSP 3.17 textDocument/diagnostic): the report of the current text, unchanged when the client has it. */
  private async pullDiagnostics(uri: unknown, previous: string | undefined, token: CancellationToken): Promise<DocumentDiagnosticReport> {
    const entry = this.open(uri);
    const settings = await this.settingsFor(entry.uri);
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const resultId = `${entry.text.version}:${settings.validate}:${this.served(entry, settings)}`;
    if (previous === resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
    const items = this.guard('diagnostic', () => this.diagnosticsOf(entry, settings));
    if (items === undefined) throw new ResponseError(ErrorCodes.InternalError, 'checking the document failed; see the server log');
    return { kind: DocumentDiagnosticReportKind.Full, resultId, items };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Requests

  /** The open document a request names, or InvalidParams. */
  open(uri: unknown): OpenDocument {
    const entry = typeof uri === 'string' ? this.documents?.get(uri) : undefined;
    if (!entry) throw new ResponseError(ErrorCodes.InvalidParams, `document not open: ${String(uri).slice(0, 200)}`);
    return entry;
  }

  /** A position inside the document (the character past a line's end means its end, as LSP says), or InvalidParams. */
  private position(entry: OpenDocument, p: unknown): LspPosition {
    const { line, character } = (p ?? {}) as Partial<LspPosition>;
    const count = entry.text.lineCount;
    if (!Number.isInteger(line) || !Number.isInteger(character) || (line as number) < 0 || (character as number) < 0 || (line as number) >= count) {
      throw new ResponseError(ErrorCodes.InvalidParams, `position out of range: ${JSON.stringify(p)?.slice(0, 100)} (the document has ${count} lines)`);
    }
    return { line: line as number, character: character as number };
  }

  /** Runs a positional request on the open document's latest check; a document that is no config answers null. */
  private answer<T>(
    name: string,
    params: { textDocument?: { uri?: unknown }; position?: unknown },
    handler: (request: DocumentRequest, position: LspPosition, clientPosition: LspPosition) => T,
  ): Promise<T | null> {
    const run = async (): Promise<T | null> => {
      const entry = this.open(params?.textDocument?.uri);
      const clientPosition = 'position' in (params ?? {}) ? this.position(entry, params.position) : { line: 0, character: 0 };
      const settings = await this.settingsFor(entry.uri);
      if (this.documents.get(entry.uri) !== entry || !this.served(entry, settings)) return null;
      const position = entry.codec.fromClient(clientPosition);
      const value = this.guard(name, () => handler({ entry, result: this.documents.result(entry), settings }, position, clientPosition));
      if (value === undefined) throw new ResponseError(ErrorCodes.InternalError, `${name} failed; see the server log`);
      return value;
    };
    return run();
  }

  private codeActions({ entry, result, settings }: DocumentRequest, range: unknown, context: { diagnostics?: LspDiagnostic[]; only?: string[] } | undefined): CodeAction[] {
    const only = context?.only;
    if (only && !only.some((kind) => kind === CodeActionKind.QuickFix || kind === '' || CodeActionKind.QuickFix.startsWith(`${kind}.`))) return [];
    const shown = (context?.diagnostics ?? []).filter((d) => d?.source === DIAGNOSTIC_SOURCE);
    const at = (a: LspPosition | undefined, b: LspPosition | undefined) => a?.line === b?.line && a?.character === b?.character;
    const same = (a: LspDiagnostic, b: LspDiagnostic) => a.code === b.code && a.message === b.message && at(a.range.start, b.range?.start) && at(a.range.end, b.range?.end);
    const all = result.diagnostics.map((core) => ({ core, lsp: toLspDiagnostic(core, entry.codec) }));
    let pairs = shown.flatMap((d) => all.filter((c) => same(c.lsp, d)).slice(0, 1).map((c) => ({ core: c.core, lsp: d })));
    // Clients that send no diagnostics in the context (some ask for the cursor's actions): the ones under the range,
    // if they are shown at all.
    if (shown.length === 0 && settings.validate) {
      const r = range as { start: LspPosition; end: LspPosition } | undefined;
      const cmp = (a: LspPosition, b: LspPosition) => a.line - b.line || a.character - b.character;
      pairs = r?.start && r.end ? all.filter((c) => cmp(c.lsp.range.start, r.end) <= 0 && cmp(r.start, c.lsp.range.end) <= 0) : [];
    }
    const version = entry.text.version;
    if (this.fixCache?.uri !== entry.uri || this.fixCache.version !== version) this.fixCache = { uri: entry.uri, version, fixes: new Map() };
    const cache = this.fixCache.fixes;
    // One action per distinct edit: two diagnostics on a key often share a fix ("Set pipeline to 16").
    const actions = new Map<string, CodeAction>();
    for (const { core, lsp } of pairs) {
      let fixes = cache.get(core);
      if (!fixes) {
        fixes = this.service.fixes(result, core);
        // A list the request's budget cut short is not kept: the next request completes it.
        if (fixes.every((f) => f.errorsLeft !== undefined)) cache.set(core, fixes);
      }
      for (const presented of fixes) {
        const key = JSON.stringify(presented.fix.edits);
        const existing = actions.get(key);
        if (existing) {
          existing.diagnostics = [...(existing.diagnostics ?? []), lsp];
          existing.isPreferred = existing.isPreferred || presented.preferred;
        } else actions.set(key, toCodeAction(entry.uri, version, presented, [lsp], entry.codec, this.features));
      }
    }
    return [...actions.values()];
  }

  // -------------------------------------------------------------------------------------------------------------

  /** Runs `fn`; a protocol error passes, any other exception is logged and becomes undefined. */
  guard<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      const detail = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
      this.log(`tcs lsp: ${what} failed: ${detail}`);
      return undefined;
    }
  }

  /** Whether the document is served, with its settings (for the custom requests). */
  async isServed(entry: OpenDocument): Promise<boolean> {
    return this.served(entry, await this.settingsFor(entry.uri));
  }

  result(entry: OpenDocument): CheckResult {
    return this.documents.result(entry);
  }

  dispose(): void {
    this.documents?.dispose();
  }
}
