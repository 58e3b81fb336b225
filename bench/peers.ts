/**
 * The peer we compare the checker with: Red Hat's yaml-language-server (the engine behind the YAML extension most
 * VS Code users run), driven in-process through its exported language service with the same JSON Schemas
 * (schemas/training-config.json and the section files it references), validating the same texts.
 *
 * Fairness: both sides compile their schemas once (warm-up) and then re-check the full text each iteration;
 * yaml-language-server caches parsed documents by URI and version, so every iteration bumps the version to force
 * a re-parse, as an edit would. Schemas are served from disk; no request leaves the process.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Measurement } from './harness';
import { repoRoot } from '../test/support/generate';

export interface PeerMeasurement extends Measurement {
  /** Diagnostics the peer reported on the input (a sanity check that it really validated). */
  diagnostics: number;
}

interface PeerDiagnostic {
  message: string;
  range: { start: { line: number } };
}

interface PeerService {
  configure(settings: unknown): void;
  doValidation(document: unknown, isKubernetes: boolean): Promise<PeerDiagnostic[]>;
}

export interface YamlLanguageServer {
  version: string;
  validate(text: string): Promise<PeerDiagnostic[]>;
}

/** Loads yaml-language-server (an ES module; Node ≥ 20.19 can require it) configured with our schemas. */
export async function loadYamlLanguageServer(): Promise<YamlLanguageServer> {
  const root = repoRoot();
  const load = async (id: string): Promise<any> => {
    try {
      return require(id);
    } catch (e) {
      // Older Node: no require(esm). A dynamic import that TypeScript's CommonJS output leaves alone.
      if ((e as NodeJS.ErrnoException)?.code !== 'ERR_REQUIRE_ESM') throw e;
      return new Function('id', 'return import(id)')(id);
    }
  };
  const yls = await load('yaml-language-server');
  const { TextDocument } = await load('vscode-languageserver-textdocument');
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules', 'yaml-language-server', 'package.json'), 'utf8'));

  const schemaDir = join(root, 'schemas');
  const schemaFiles = readdirSync(schemaDir).filter((f) => f.endsWith('.json'));
  const main = schemaFiles.includes('training-config.json') ? 'training-config.json' : schemaFiles.find((f) => /config/.test(f));
  if (!main) throw new Error(`no top-level schema in ${schemaDir}`);
  const uriOf = (f: string) => pathToFileURL(join(schemaDir, f)).href;
  const byUri = new Map(schemaFiles.map((f) => [uriOf(f), readFileSync(join(schemaDir, f), 'utf8')]));

  const service: PeerService = yls.getLanguageService({
    // Only our schema files; anything else (e.g. a meta-schema URL) is refused, never fetched.
    schemaRequestService: async (uri: string) => {
      const text = byUri.get(uri);
      if (text === undefined) throw new Error(`offline benchmark: not fetching ${uri}`);
      return text;
    },
    workspaceContext: { resolveRelativePath: (relative: string, resource: string) => new URL(relative, resource).href },
  });
  service.configure({
    validate: true,
    hover: false,
    completion: false,
    format: false,
    schemas: [{ uri: uriOf(main), fileMatch: ['*'], schema: JSON.parse(byUri.get(uriOf(main))!) }],
  });
  let version = 0;
  return {
    version: pkg.version,
    validate: (text: string) => service.doValidation(TextDocument.create('file:///bench/input.train.yaml', 'yaml', ++version, text), false),
  };
}

/** Like harness.measure, for an async function: warm-up runs, then timed runs until `iterations` or `maxSeconds`. */
export async function measureAsync(
  name: string,
  fn: () => Promise<unknown>,
  options: { iterations?: number; warmup?: number; maxSeconds?: number } = {},
): Promise<Measurement> {
  const iterations = options.iterations ?? 30;
  const warmup = options.warmup ?? Math.min(5, iterations);
  for (let i = 0; i < warmup; i++) await fn();
  const deadline = performance.now() + (options.maxSeconds ?? 5) * 1000;
  const samples: number[] = [];
  for (let i = 0; i < iterations && (samples.length < 3 || performance.now() < deadline); i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { name, medianMs: at(0.5), p95Ms: at(0.95), iterations: samples.length };
}

export async function measurePeer(
  peer: YamlLanguageServer,
  name: string,
  text: string,
  options: { iterations?: number; warmup?: number; maxSeconds?: number } = {},
): Promise<PeerMeasurement> {
  const diagnostics = (await peer.validate(text)).length;
  const m = await measureAsync(name, () => peer.validate(text), options);
  return { ...m, diagnostics };
}

/**
 * Ours and the peer timed alternately, one sample each per round, so a change in machine load during the run
 * affects both sides alike and the ratio stays meaningful on a busy machine.
 */
export async function measureInterleaved(
  name: string,
  ours: () => unknown,
  peer: YamlLanguageServer,
  text: string,
  options: { iterations?: number; warmup?: number; maxSeconds?: number } = {},
): Promise<{ ours: Measurement; peer: PeerMeasurement }> {
  const iterations = options.iterations ?? 30;
  const warmup = options.warmup ?? Math.min(5, iterations);
  const diagnostics = (await peer.validate(text)).length;
  for (let i = 0; i < warmup; i++) {
    ours();
    await peer.validate(text);
  }
  const deadline = performance.now() + (options.maxSeconds ?? 5) * 2000;
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < iterations && (a.length < 3 || performance.now() < deadline); i++) {
    let t0 = performance.now();
    ours();
    a.push(performance.now() - t0);
    t0 = performance.now();
    await peer.validate(text);
    b.push(performance.now() - t0);
  }
  const summary = (samples: number[]): Measurement => {
    samples.sort((x, y) => x - y);
    const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
    return { name, medianMs: at(0.5), p95Ms: at(0.95), iterations: samples.length };
  };
  return { ours: summary(a), peer: { ...summary(b), diagnostics } };
}
