/**
 * Properties of the simulator on the configs it can be handed:
 * 1. any layout that checks clean → `simulate` returns finite, non-negative numbers (MFU in (0, 1]) or a refusal
 *    with a code and a reason, for the config's own schedule and for every `--schedule` override;
 * 2. any config that resolves — schema-valid, though cross-field rules may fail — → the same: the host posts such
 *    configs to the preview, whose simulator must not crash on them (zeros, 1, primes, 65536 where a count goes).
 * Re-run a failure with FC_SEED=<seed printed by fast-check>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkText } from '../../language/check';
import { SCHEDULE_KINDS, type ScheduleKind } from '../../simulator/config';
import { simulate } from '../../simulator/simulate';
import { isResolvedConfig } from '../../protocol/preview';
import { loadExample } from '../support/generate';
import { bounded, fuzzSeed, outcomeProblems } from './invariants';

const params = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, includeErrorInReport: true, ...fuzzSeed() });

/** Replaces `key: value` inside `section:` (first match after the section header); removes the line when value is undefined. */
function setKey(text: string, section: string, key: string, value: string | number | undefined): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === `${section}:`);
  assert.ok(start >= 0, `section ${section}`);
  let i = start + 1;
  for (; i < lines.length && (lines[i].startsWith(' ') || lines[i] === ''); i++) {
    const m = new RegExp(`^(  ${key}:\\s*)([^#]*?)(\\s*(#.*)?)$`).exec(lines[i]);
    if (m) {
      if (value === undefined) lines.splice(i, 1);
      else lines[i] = `${m[1]}${value}${m[3]}`;
      return lines.join('\n');
    }
  }
  if (value !== undefined) lines.splice(i, 0, `  ${key}: ${value}`);
  return lines.join('\n');
}

function setIn(text: string, sectionPath: string, key: string, value: string | number | undefined): string {
  // Two-level: `model.moe` keys are indented four spaces.
  if (!sectionPath.includes('.')) return setKey(text, sectionPath, key, value);
  const re = new RegExp(`^(    ${key}:\\s*)([^#]*?)(\\s*(#.*)?)$`, 'm');
  return value === undefined ? text.replace(new RegExp(`^    ${key}:.*\\n`, 'm'), '') : text.replace(re, `$1${value}$3`);
}

interface Layout {
  moe: boolean;
  gpu: string;
  nodesLog2: number;
  tensorLog2: number;
  pipelineLog2: number;
  expertLog2: number;
  schedule: ScheduleKind;
  virtualStages: number;
  microBatchFactor: number;
  microBatchSize: number;
  fp8: boolean;
  recompute: string;
  zeroStage: number;
}

const layout: fc.Arbitrary<Layout> = fc.record({
  moe: fc.boolean(),
  gpu: fc.constantFrom('h800', 'h100-sxm', 'h200', 'b200', 'a100-80gb'),
  nodesLog2: fc.integer({ min: 2, max: 11 }),
  tensorLog2: fc.integer({ min: 0, max: 3 }),
  pipelineLog2: fc.integer({ min: 0, max: 5 }),
  expertLog2: fc.integer({ min: 0, max: 8 }),
  schedule: fc.constantFrom(...SCHEDULE_KINDS),
  virtualStages: fc.constantFrom(1, 2, 4),
  microBatchFactor: fc.integer({ min: 1, max: 8 }),
  microBatchSize: fc.constantFrom(1, 2),
  fp8: fc.boolean(),
  recompute: fc.constantFrom('none', 'selective', 'full'),
  zeroStage: fc.constantFrom(0, 1, 2, 3),
});

/** A config text for the layout, built so most layouts satisfy the cross-field rules (divisibility, micro-batch needs). */
function render(l: Layout): string {
  const gpusPerNode = 8;
  const nodes = 2 ** l.nodesLog2;
  const tensor = 2 ** l.tensorLog2;
  const pipeline = 2 ** l.pipelineLog2;
  const world = nodes * gpusPerNode;
  const data = Math.max(1, world / (tensor * pipeline));
  const microBatches = 2 * pipeline * l.microBatchFactor;
  let text = loadExample(l.moe ? 'deepseek-v3.train.yaml' : 'llama3-405b.train.yaml');
  text = setKey(text, 'cluster', 'gpu', l.gpu);
  text = setKey(text, 'cluster', 'nodes', nodes);
  text = setKey(text, 'parallelism', 'tensor', tensor);
  text = setKey(text, 'parallelism', 'pipeline', pipeline);
  text = setKey(text, 'parallelism', 'data', undefined); // derived
  text = setKey(text, 'parallelism', 'schedule', l.schedule);
  text = setKey(text, 'parallelism', 'virtual_stages', l.schedule === 'interleaved-1f1b' ? l.virtualStages : 1);
  text = setKey(text, 'parallelism', 'zero_stage', l.zeroStage);
  text = setKey(text, 'training', 'micro_batch_size', l.microBatchSize);
  text = setKey(text, 'training', 'global_batch_size', data * l.microBatchSize * microBatches);
  text = setKey(text, 'training', 'recompute', l.recompute);
  if (l.moe) {
    const expert = Math.min(2 ** l.expertLog2, data * tensor, 256);
    text = setKey(text, 'parallelism', 'expert', expert);
    const span = expert / gpusPerNode;
    text = setIn(text, 'model.moe', 'max_nodes_per_token', span >= 2 ? Math.min(4, span) : undefined);
    if (!l.fp8 || l.gpu === 'a100-80gb') {
      text = setKey(text, 'precision', 'compute', 'bf16');
      text = text.replace(/\n  fp8:\n(    .*\n)+/, '\n');
    }
    // The preset's own bandwidths, not the H800's.
    if (l.gpu !== 'h800') {
      text = setKey(text, 'cluster', 'intra_node_gbps', undefined);
      text = setKey(text, 'cluster', 'inter_node_gbps', undefined);
    }
  }
  return text;
}

test('the layout generator yields configs that check clean (else the property below proves nothing)', () => {
  const base: Layout = {
    moe: true, gpu: 'h800', nodesLog2: 8, tensorLog2: 0, pipelineLog2: 4, expertLog2: 6, schedule: 'dualpipe',
    virtualStages: 1, microBatchFactor: 4, microBatchSize: 1, fp8: true, recompute: 'selective', zeroStage: 1,
  };
  const { diagnostics, config } = checkText(render(base));
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`), []);
  assert.ok(config);
  assert.equal(config.parallelism.data, 128);
  assert.equal(config.parallelism.microBatches, 128);
});

test('any layout that checks clean simulates to finite, in-range numbers or a reason', { timeout: 120_000 }, bounded(() => {
  let clean = 0;
  let runs = 0;
  fc.assert(
    fc.property(layout, fc.constantFrom<ScheduleKind | undefined>(undefined, ...SCHEDULE_KINDS), (l, override) => {
      runs++;
      const { diagnostics, config } = checkText(render(l));
      if (!config || diagnostics.some((d) => d.severity === 'error')) return;
      clean++;
      const outcome = simulate(config, override ? { schedule: override } : undefined);
      assert.deepEqual(outcomeProblems(outcome), [], `layout ${JSON.stringify(l)} schedule ${override ?? 'own'}`);
      if (!override) {
        // A config that checks clean must simulate: the checker is the simulator's gate.
        assert.ok(outcome.ok, `clean config refused by the simulator: ${!outcome.ok ? `${outcome.code} ${outcome.reason}` : ''}\n${JSON.stringify(l)}`);
      }
    }),
    params(80),
  );
  assert.ok(clean >= runs / 10, `only ${clean} of ${runs} generated layouts checked clean; the generator needs fixing`);
}));

// ---------------------------------------------------------------------------------------------------------------
// What the preview receives: the host posts a config whenever it resolves (schema-valid), even when cross-field
// rules found errors, and the webview simulates it. So every schema-valid combination must simulate safely.

/** Lines of the example holding a plain number, by index. */
function numericLines(text: string): number[] {
  return text.split('\n').flatMap((l, i) => (/^\s+[a-z_]+:\s+\d[\d.]*\s*(#.*)?$/.test(l) ? [i] : []));
}

test('any config that resolves (rules may still fail) simulates without throwing: what the preview receives', { timeout: 120_000 }, bounded(() => {
  const texts = ['deepseek-v3.train.yaml', 'llama3-405b.train.yaml'].map((f) => loadExample(f));
  const candidates = texts.map(numericLines);
  assert.ok(candidates.every((c) => c.length >= 15), 'found the numeric keys');
  const edit = fc.record({ line: fc.nat(), value: fc.constantFrom(0, 1, 2, 3, 5, 7, 13, 63, 64, 100, 127, 1000, 1024, 4096, 65536) });
  let resolved = 0;
  let withRuleErrors = 0;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (which, edits) => {
      const lines = texts[which].split('\n');
      for (const e of edits) {
        const i = candidates[which][e.line % candidates[which].length];
        lines[i] = lines[i].replace(/(:\s+)\d[\d.]*/, `$1${e.value}`);
      }
      const { config, diagnostics } = checkText(lines.join('\n'));
      if (!config) return;
      resolved++;
      if (diagnostics.some((d) => d.severity === 'error')) withRuleErrors++;
      let outcome;
      try {
        outcome = simulate(config);
      } catch (e) {
        throw new Error(`simulate threw on ${JSON.stringify(edits)}: ${(e as Error)?.stack ?? e}`);
      }
      assert.deepEqual(outcomeProblems(outcome), [], `edits ${JSON.stringify(edits)}`);
      assert.ok(isResolvedConfig(config), 'the resolved config passes the webview gate');
    }),
    params(100),
  );
  assert.ok(resolved >= 20 && withRuleErrors >= 5, `resolved ${resolved}, with rule errors ${withRuleErrors}: the generator misses the case`);
}));
