/**
 * What the extension ships and how fast it starts: bundle sizes (raw and gzip) of dist/, and the extension's
 * activation time measured in Node by loading dist/extension.js against a stand-in `vscode` module.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import Module from 'node:module';
import { repoRoot } from '../test/support/generate';

export interface BundleSize {
  file: string;
  bytes?: number;
  gzipBytes?: number;
  /** Set when the bundle is missing. */
  missing?: string;
  minified?: boolean;
}

export const BUNDLES = ['dist/extension.js', 'dist/webview.js', 'dist/cli.js', 'dist/webview.css'];

export function bundleSizes(): BundleSize[] {
  const root = repoRoot();
  return BUNDLES.map((file) => {
    const path = join(root, file);
    if (!existsSync(path)) return { file, missing: 'not built (npm run build)' };
    const bytes = readFileSync(path);
    // Minified output has few, very long lines.
    const lines = bytes.toString('utf8').split('\n').length;
    return { file, bytes: statSync(path).size, gzipBytes: gzipSync(bytes).length, minified: bytes.length / Math.max(1, lines) > 500 };
  });
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

// ---------------------------------------------------------------------------------------------------------------
// Activation in Node with a stand-in `vscode`.

/**
 * A stand-in for the `vscode` module: any property is a callable, constructible stand-in, so an `activate()` that
 * registers providers, creates diagnostics collections and status bar items runs to completion. `get(key, default)`
 * returns the default (configuration), iteration yields nothing, and nothing is thenable.
 */
export function fakeVscode(): unknown {
  const cache = new Map<PropertyKey, unknown>();
  const make = (name: string): unknown => {
    const target = function () {} as unknown as Record<PropertyKey, unknown>;
    const own = new Map<PropertyKey, unknown>();
    return new Proxy(target, {
      get(_t, prop) {
        if (prop === 'then') return undefined;
        if (prop === Symbol.iterator) return function* () {};
        if (prop === Symbol.toPrimitive) return () => (name.endsWith('length') || name.endsWith('size') ? 0 : '');
        if (prop === 'length' || prop === 'size') return 0;
        if (prop === 'dispose') return () => undefined;
        if (own.has(prop)) return own.get(prop);
        const child = make(`${name}.${String(prop)}`);
        own.set(prop, child);
        return child;
      },
      set(_t, prop, value) {
        own.set(prop, value);
        return true;
      },
      apply(_t, _this, args) {
        // configuration.get(key, defaultValue)
        if (name.endsWith('.get') && args.length >= 2) return args[1];
        if (name.endsWith('.get') && args.length === 1) return undefined;
        return make(`${name}()`);
      },
      construct() {
        return make(`new ${name}`) as object;
      },
    });
  };
  // esbuild's __toESM copies the module's own property names, so the stand-in lists vscode's real top-level API.
  const api: Record<string, unknown> = {};
  for (const name of vscodeApiNames()) {
    Object.defineProperty(api, name, {
      enumerable: true,
      get() {
        if (!cache.has(name)) cache.set(name, make(`vscode.${name}`));
        return cache.get(name);
      },
    });
  }
  return api;
}

/** Top-level names of the `vscode` API, read from @types/vscode (a devDependency). */
function vscodeApiNames(): string[] {
  const fallback = ['commands', 'window', 'workspace', 'languages', 'env', 'extensions', 'Uri', 'Range', 'Position', 'Selection',
    'Diagnostic', 'DiagnosticSeverity', 'CodeAction', 'CodeActionKind', 'WorkspaceEdit', 'EventEmitter', 'Disposable',
    'StatusBarAlignment', 'ViewColumn', 'MarkdownString', 'Hover', 'CompletionItem', 'CompletionItemKind', 'CompletionList',
    'SnippetString', 'TextEdit', 'ThemeColor', 'ThemeIcon', 'RelativePattern', 'ConfigurationTarget'];
  try {
    const dts = readFileSync(join(repoRoot(), 'node_modules', '@types', 'vscode', 'index.d.ts'), 'utf8');
    const names = [...dts.matchAll(/^\texport (?:namespace|class|enum|function|const|let) ([A-Za-z_]\w*)/gm)].map((m) => m[1]);
    return names.length > 50 ? [...new Set(names)] : fallback;
  } catch {
    return fallback;
  }
}

function fakeContext(root: string): unknown {
  const subscriptions: { dispose(): void }[] = [];
  const memento = { get: (_k: string, d?: unknown) => d, update: async () => undefined, keys: () => [] };
  return {
    subscriptions,
    extensionPath: root,
    extensionUri: { fsPath: root, path: root, scheme: 'file', toString: () => `file://${root}` },
    globalState: { ...memento, setKeysForSync: () => undefined },
    workspaceState: memento,
    asAbsolutePath: (p: string) => join(root, p),
    storageUri: undefined,
    globalStorageUri: { fsPath: join(root, '.bench-storage') },
    logUri: { fsPath: join(root, '.bench-log') },
    extensionMode: 3,
    environmentVariableCollection: {},
    secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose() {} }) },
    extension: { id: 'training-config-studio.training-config-studio', packageJSON: {} },
  };
}

export interface Activation {
  /** Milliseconds to load (require) the bundle and run activate(), first time in this process. */
  coldMs?: number;
  /** Median over fresh re-loads (module cache cleared; the JIT is warm). */
  warmMedianMs?: number;
  requireMs?: number;
  activateMs?: number;
  subscriptions?: number;
  unavailable?: string;
}

/** Loads dist/extension.js with `vscode` resolved to the stand-in, and times require + activate(). */
export async function measureActivation(samples = 10): Promise<Activation> {
  const root = repoRoot();
  const bundle = join(root, 'dist', 'extension.js');
  if (!existsSync(bundle)) return { unavailable: 'dist/extension.js not built' };
  const vscode = fakeVscode();
  const M = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    _cache: Record<string, unknown>;
  };
  const originalResolve = M._resolveFilename;
  const FAKE_ID = '\0bench-fake-vscode';
  M._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? FAKE_ID : originalResolve.call(this, request, ...rest);
  };
  M._cache[FAKE_ID] = { id: FAKE_ID, filename: FAKE_ID, loaded: true, exports: vscode } as unknown;
  const once = async () => {
    delete M._cache[bundle];
    const context = fakeContext(root) as { subscriptions: { dispose(): void }[] };
    const t0 = performance.now();
    const ext = require(bundle) as { activate?: (c: unknown) => unknown; deactivate?: () => unknown };
    const t1 = performance.now();
    if (typeof ext.activate !== 'function') throw new Error('dist/extension.js exports no activate()');
    await ext.activate(context);
    const t2 = performance.now();
    for (const s of context.subscriptions) {
      try {
        s?.dispose?.();
      } catch {
        /* stand-in disposables */
      }
    }
    await ext.deactivate?.();
    return { requireMs: t1 - t0, activateMs: t2 - t1, subscriptions: context.subscriptions.length };
  };
  try {
    const first = await once();
    const warm: number[] = [];
    for (let i = 0; i < samples; i++) {
      const r = await once();
      warm.push(r.requireMs + r.activateMs);
    }
    warm.sort((a, b) => a - b);
    return {
      coldMs: first.requireMs + first.activateMs,
      requireMs: first.requireMs,
      activateMs: first.activateMs,
      warmMedianMs: warm[Math.floor(warm.length / 2)],
      subscriptions: first.subscriptions,
    };
  } catch (e) {
    return { unavailable: `activate() in Node failed (${String((e as Error)?.message ?? e).split('\n')[0].slice(0, 120)}); see e2e` };
  } finally {
    M._resolveFilename = originalResolve;
    delete M._cache[FAKE_ID];
    delete M._cache[bundle];
  }
}
