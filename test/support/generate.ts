/**
 * Generators for benchmark inputs and for the hostile inputs too big to keep in the repository
 * (test/fixtures/bad/README.md lists which fixture comes from which generator).
 *
 * Every generator is deterministic: the same arguments give the same text, so a benchmark or a
 * failing test can be reproduced byte for byte.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root (the folder holding package.json), found from this file in test/support/ or out/test/support/. */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'examples'))) return dir;
    dir = dirname(dir);
  }
  return resolve(__dirname, '..', '..');
}

export interface Example {
  /** File name, e.g. `deepseek-v3.train.yaml`. */
  name: string;
  path: string;
  text: string;
}

/** The bundled examples, sorted by name. */
export function loadExamples(): Example[] {
  const dir = join(repoRoot(), 'examples');
  return readdirSync(dir)
    .filter((f) => /\.train\.ya?ml$/.test(f))
    .sort()
    .map((name) => ({ name, path: join(dir, name), text: readFileSync(join(dir, name), 'utf8') }));
}

export function loadExample(name = 'deepseek-v3.train.yaml'): string {
  return readFileSync(join(repoRoot(), 'examples', name), 'utf8');
}

/** Small deterministic PRNG (mulberry32), so generated text does not depend on Math.random. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCHEDULES = ['1f1b', 'interleaved-1f1b', 'zb-h1', 'zb-h2', 'zbv', 'dualpipe', 'dualpipev', 'gpipe'];
const OUTCOMES = ['ok', 'OOM', 'slow', 'NaN loss', 'hang', 'best'];

/**
 * One block of what a long-lived config accumulates: a commented-out earlier attempt, the way
 * people keep a sweep's history next to the live settings. Lines stay short (≈ 18 characters on
 * average) so a 50,000-line file stays under the checker's 1 MiB document cap and measures
 * parsing, not the refusal.
 */
function historyBlock(i: number, indent: string, random: () => number): string[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const pow2 = (lo: number, hi: number) => 2 ** (lo + Math.floor(random() * (hi - lo + 1)));
  return [
    `${indent}# try ${i}: ${pick(OUTCOMES)}`,
    `${indent}#  pipeline: ${pow2(1, 5)}`,
    `${indent}#  expert: ${pow2(3, 7)}`,
    `${indent}#  schedule: ${pick(SCHEDULES)}`,
  ];
}

export type GeneratedKind =
  /** A valid config whose length is comment history (what users really grow: sweeps kept as comments). */
  | 'history'
  /** The same config plus unknown keys, one per line: every line yields a diagnostic with a suggestion. */
  | 'unknown-keys';

/**
 * A config of about `lines` lines built on the DeepSeek-V3 example. The config format is a single
 * document whose schema rejects unknown keys, so length cannot come from extra data:
 * `history` pads with comment blocks spread across every section (the live settings stay valid and
 * check clean); `unknown-keys` adds keys under `cluster:` that the schema rejects, the worst case
 * for diagnostics and "did you mean" suggestions.
 */
export function generateConfig(lines: number, kind: GeneratedKind = 'history', seed = 1): string {
  const base = loadExample('deepseek-v3.train.yaml').replace(/\r\n?/g, '\n').trimEnd().split('\n');
  const random = prng(seed);
  const budget = Math.max(0, lines - base.length);
  if (kind === 'unknown-keys') {
    const extra: string[] = [];
    for (let i = 0; i < budget; i++) extra.push(`  rack_${i}: ${1 + (i % 7)}`);
    return [...base, ...extra].join('\n') + '\n';
  }
  // Insertion points: before every top-level key (indent '') and every second-level key (indent '  ').
  const points: { at: number; indent: string }[] = [];
  base.forEach((line, at) => {
    const m = /^( *)[a-z_]+:/.exec(line);
    if (m && m[1].length <= 2) points.push({ at, indent: m[1] });
  });
  const blocks = Math.ceil(budget / 4);
  const perPoint = Math.ceil(blocks / Math.max(1, points.length));
  const out: string[] = [];
  let written = 0;
  let p = 0;
  base.forEach((line, at) => {
    if (p < points.length && points[p].at === at) {
      for (let k = 0; k < perPoint && written < budget; k++) {
        for (const l of historyBlock(written / 4, points[p].indent, random)) {
          if (written < budget) out.push(l);
          written++;
        }
      }
      p++;
    }
    out.push(line);
  });
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Hostile inputs (test/fixtures/bad/README.md). Small ones are files; these are generated at test time.

/** Nesting `depth` levels deep. `flow-seq`: `[[[…]]]`; `flow-map`: `{a: {a: …}}`; `compact-seq`: `- - - … x`;
 *  `block-map`: `a:` indented one space per level (the text grows as depth², ≈ 50 MB at 10,000). */
export function deepNesting(depth: number, style: 'flow-seq' | 'flow-map' | 'compact-seq' | 'block-map' = 'flow-seq'): string {
  switch (style) {
    case 'flow-seq':
      return `name: deep\nmodel: ${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
    case 'flow-map':
      return `name: deep\nmodel: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
    case 'compact-seq':
      return `name: deep\nmodel:\n  ${'- '.repeat(depth)}1\n`;
    case 'block-map': {
      const parts = ['name: deep\nmodel:\n'];
      for (let i = 1; i <= depth; i++) parts.push(`${' '.repeat(i)}a:\n`);
      parts.push(`${' '.repeat(depth + 1)}1\n`);
      return parts.join('');
    }
  }
}

/** A valid config padded with comment history to at least `bytes` characters (10 MB: `largeFile(10 * 2 ** 20)`). */
export function largeFile(bytes: number): string {
  const head = loadExample('deepseek-v3.train.yaml');
  const random = prng(7);
  const parts = [head];
  let size = head.length;
  for (let i = 0; size < bytes; i++) {
    const block = historyBlock(i, '', random).join('\n') + '\n';
    parts.push(block);
    size += block.length;
  }
  return parts.join('');
}

/** Billion laughs: `levels` anchors, each a list of `fanout` aliases of the previous one (fanout^levels leaves). */
export function aliasBomb(levels = 9, fanout = 9): string {
  const lines = [`name: &l0 [${Array(fanout).fill('lol').join(', ')}]`];
  for (let i = 1; i < levels; i++) lines.push(`x${i}: &l${i} [${Array(fanout).fill(`*l${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

/** Decodes bytes the way VS Code opens a file it takes for UTF-8: invalid sequences become U+FFFD. */
export function decodeLikeEditor(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
}

/**
 * Writes the small hostile fixtures of test/fixtures/bad/ (see its README). Deterministic: re-running it
 * reproduces the stored files byte for byte. `node -e "require('./out/test/support/generate').writeBadFixtures()"`.
 */
export function writeBadFixtures(dir = join(repoRoot(), 'test', 'fixtures', 'bad')): string[] {
  const { writeFileSync } = require('node:fs') as typeof import('node:fs');
  const base = loadExample('deepseek-v3.train.yaml');
  const files: Record<string, string | Buffer> = {};
  let bomb = '# Billion laughs: 9 levels x 9 aliases; expanding it naively means ~387 million strings.\nname: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  let prev = 'a';
  for (const k of 'bcdefghi') {
    bomb += `${k}: &${k} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
    prev = k;
  }
  files['alias-bomb.train.yaml'] = bomb;
  files['nul-bytes.train.yaml'] = base.replace('name: DeepSeek-V3 pre-training', 'name: DeepSeek\u0000V3\u0000\u0000');
  const parts: Buffer[] = [];
  for (const line of base.split('\n')) {
    if (line.startsWith('name:')) parts.push(Buffer.from('name: DeepSeek-V3 '), Buffer.from([0xff, 0xfe, 0x80, 0xe2, 0x82, 0xc0, 0xaf]), Buffer.from('\n'));
    else if (line.startsWith('  layers:')) parts.push(Buffer.from('  layers: 6'), Buffer.from([0xc3]), Buffer.from('1\n'));
    else parts.push(Buffer.from(line + '\n'));
  }
  files['invalid-utf8.train.yaml'] = Buffer.concat(parts).subarray(0, -1);
  files['crlf-tabs.train.yaml'] = base.replace(/\n/g, '\r\n').replace('\r\n  pipeline: 16', '\r\n\tpipeline: 16');
  files['crlf-valid.train.yaml'] = base.replace(/\n/g, '\r\n');
  files['duplicate-keys.train.yaml'] = base.replace('  pipeline: 16\n', '  pipeline: 16\n  pipeline: 8\n');
  files['billion-micro-batches.train.yaml'] =
    '# 128,000,000,000 sequences per step over data 128, micro-batch 1: 10^9 micro-batches per step.\n' +
    base.replace('global_batch_size: 15360        # sequences per optimizer step', 'global_batch_size: 128000000000 # 10^9 micro-batches per data rank');
  files['bad-numbers.train.yaml'] = base
    .replace('layers: 61', 'layers: .nan')
    .replace('hidden_size: 7168', 'hidden_size: -7168')
    .replace('vocab_size: 129280', 'vocab_size: 1e308')
    .replace('sequence_length: 4096', 'sequence_length: .inf')
    .replace('pipeline: 16', 'pipeline: sixteen');
  files['empty.train.yaml'] = '';
  files['binary-junk.train.yaml'] = Buffer.from(Array.from({ length: 4096 }, (_, i) => ((i * 2654435761) >>> 13) & 0xff));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return Object.keys(files);
}
