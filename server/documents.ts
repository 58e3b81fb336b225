/**
 * The open documents: their text (kept in sync with incremental edits in the negotiated encoding), the check of
 * their latest version, and one pending check each, debounced so a burst of edits is checked once. The server
 * handles one message per event-loop turn, so an edit burst is only seen as one after a short quiet gap; a document
 * edited without pause is still checked every MAX_WAIT_MS.
 */
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { CheckOptions, CheckResult, LanguageService } from '../language/service';
import { PositionCodec, type Encoding } from './encoding';

/** Quiet gap after an edit before the check; a larger document waits a few times its own last check, capped. */
export const MIN_DELAY_MS = 15;
export const MAX_DELAY_MS = 75;
const DELAY_PER_CHECK_MS = 3;
/** Longest an edited document goes unchecked while edits keep arriving. */
export const MAX_WAIT_MS = 250;

export interface OpenDocument {
  readonly uri: string;
  readonly text: TextDocument;
  readonly codec: PositionCodec;
  /** The check of `checkedVersion`; recomputed on demand when the text moved on. */
  checked?: { version: number; options: string; result: CheckResult; ms: number };
  timer?: ReturnType<typeof setTimeout>;
  /** When the oldest edit not yet checked arrived (performance.now()). */
  dirtySince?: number;
}

/** The text of one line, without its line break. */
function lineOf(doc: TextDocument, line: number): string {
  const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  return text.replace(/\r?\n$|\r$/, '');
}

export class Documents {
  private readonly open = new Map<string, OpenDocument>();

  constructor(
    private readonly encoding: Encoding,
    private readonly service: LanguageService,
    /** The check the text needs, given its URI (the file name tells some formats apart). */
    private readonly checkOptions: (uri: string) => CheckOptions,
    /** A scheduled check finished: publish it. */
    private readonly onChecked: (document: OpenDocument) => void,
  ) {}

  get(uri: string): OpenDocument | undefined {
    return this.open.get(uri);
  }

  all(): OpenDocument[] {
    return [...this.open.values()];
  }

  get size(): number {
    return this.open.size;
  }

  add(uri: string, languageId: string, version: number, text: string): OpenDocument {
    this.remove(uri);
    const doc = TextDocument.create(uri, languageId, version, text);
    const entry: OpenDocument = { uri, text: doc, codec: new PositionCodec(this.encoding, (line) => lineOf(doc, line)) };
    this.open.set(uri, entry);
    return entry;
  }

  /** Applies the client's edits in order; each range is in the client's encoding, against the text before it. */
  change(entry: OpenDocument, version: number, changes: readonly TextDocumentContentChangeEvent[]): void {
    for (const change of changes) {
      const converted = 'range' in change && change.range ? { ...change, range: entry.codec.rangeFromClient(change.range) } : change;
      TextDocument.update(entry.text, [converted], version);
    }
    // A change with no edits still carries the new version.
    if (changes.length === 0) TextDocument.update(entry.text, [], version);
  }

  remove(uri: string): void {
    const entry = this.open.get(uri);
    if (entry?.timer !== undefined) clearTimeout(entry.timer);
    this.open.delete(uri);
  }

  /** The check of the document's current text, computed now when stale (a pending publication still happens). */
  result(entry: OpenDocument): CheckResult {
    const version = entry.text.version;
    const options = this.checkOptions(entry.uri);
    // A settings change (a forced format, a default cluster) makes the same text a different check.
    const optionsKey = JSON.stringify(options);
    if (entry.checked?.version === version && entry.checked.options === optionsKey) return entry.checked.result;
    const started = performance.now();
    const result = this.service.check(entry.text.getText(), options);
    entry.checked = { version, options: optionsKey, result, ms: performance.now() - started };
    return result;
  }

  /** Whether the latest text has been checked. */
  isChecked(entry: OpenDocument): boolean {
    return entry.checked?.version === entry.text.version;
  }

  /** Check after a quiet gap (a newer edit restarts it), or at once: `now` for an open or a settings change. */
  schedule(entry: OpenDocument, now = false): void {
    this.cancel(entry);
    const since = (entry.dirtySince ??= performance.now());
    const waited = performance.now() - since;
    const delay = now ? 0 : Math.min(Math.max(MIN_DELAY_MS, (entry.checked?.ms ?? 0) * DELAY_PER_CHECK_MS), MAX_DELAY_MS, Math.max(0, MAX_WAIT_MS - waited));
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.dirtySince = undefined;
      if (this.open.get(entry.uri) !== entry) return;
      this.result(entry);
      this.onChecked(entry);
    }, delay);
  }

  private cancel(entry: OpenDocument): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  dispose(): void {
    for (const entry of this.open.values()) this.cancel(entry);
    this.open.clear();
  }
}
