/**
 * Layout search: every reported number equals `tcs simulate` of the file with the layout's changes applied; the
 * checker agrees with every reported layout and with the structural rejections; the pruning bounds hold on every
 * priced layout; bad input and empty or oversized spaces are said, not hidden.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { searchCommand } from '../../cli/search';
import { simulateCommand } from '../../cli/simulate';
import { transcriptIO } from '../support/fakeIO';
import { checkText } from '../../language/check';
import { applyChanges, findLayouts, ruleRejection } from '../../language/layouts';
import { applyLayout, layoutChanges, layoutOf, paretoFrontier, structuralProblem, type Layout, type PricedLayout } from '../../simulator/search';
import { SCHEDULE_KINDS } from '../../simulator/config';
import { PipelineMemo, simulate } from '../../simulator/simulate';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const example = (name: string) => readFileSync(join(EXAMPLES, name), 'utf8');

const fakeIO = (files: Record<string, string>) => transcriptIO(files);

/** A search small enough for a unit test: its layouts are exact whatever budget cut the search. */
const QUICK = { maxSimulations: 40, top: 3 };

// DeepSeek-V3 (TP 1) with budget enough to reach its first TP > 1 layouts, so a sequence_parallel change is covered.
for (const [name, maxSimulations] of [['llama3-405b.train.yaml', QUICK.maxSimulations], ['deepseek-v3.train.yaml', 80]] as const) {
  test(`${name}: every reported layout checks clean and its numbers equal tcs simulate's for the edited file`, () => {
    const text = example(name);
    const io = fakeIO({ [name]: text });
    assert.ok([0, 1].includes(searchCommand([name, '--json', '--max-simulations', String(maxSimulations), '--top', '3'], io)), io.stderr);
    const json = JSON.parse(io.stdout);
    for (const key of ['candidates', 'rejected', 'simulated', 'seconds', 'frontier', 'top']) assert.ok(key in json, key);
    const points: { changes: { key: string; value: number | string | boolean }[]; gpuHours: number; days: number; peakGiB: number; fits: boolean }[] = [...json.frontier, ...json.top];
    assert.ok(points.length > 0, 'the search found layouts');
    if (name.startsWith('deepseek')) assert.ok(points.some((p) => p.changes.some((c) => c.key === 'parallelism.sequence_parallel' && c.value === true)), 'a reported layout turns sequence_parallel on');
    for (const p of points) {
      const edited = applyChanges(text, p.changes);
      const errors = checkText(edited).diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors.map((d) => d.code), [], JSON.stringify(p.changes));
      const sim = fakeIO({ 'edited.train.yaml': edited });
      assert.equal(simulateCommand(['edited.train.yaml', '--json'], sim), 0, sim.stderr);
      const r = JSON.parse(sim.stdout);
      assert.equal(p.gpuHours, r.gpuHours, JSON.stringify(p.changes));
      assert.equal(p.days, r.wallClockDays);
      assert.equal(p.peakGiB, r.memory.peakGiB);
      assert.equal(p.fits, r.memory.fits);
    }
  });
}

test('DeepSeek-V3 (TP 1): every proposed TP > 1 layout sets sequence_parallel, and checks without the MoE warning', () => {
  const text = example('deepseek-v3.train.yaml');
  const found = findLayouts(text, { maxSimulations: 120, top: 10 });
  assert.ok(found.ok);
  const proposed = [...found.result.frontier, ...found.result.top].filter((p) => p.config.parallelism.tensor > 1);
  assert.ok(proposed.length > 0, 'the search proposes TP > 1 layouts');
  for (const p of proposed) {
    assert.equal(p.config.parallelism.sequenceParallel, true);
    assert.deepEqual(p.changes.filter((c) => c.key === 'parallelism.sequence_parallel'), [{ key: 'parallelism.sequence_parallel', value: true }]);
    const edited = checkText(applyChanges(text, p.changes));
    assert.equal(edited.config!.parallelism.sequenceParallel, true, JSON.stringify(p.changes));
    assert.equal(edited.config!.parallelism.tensor, p.config.parallelism.tensor);
    const codes = edited.diagnostics.map((d) => d.code);
    assert.ok(!codes.includes('parallelism/moe-tensor-needs-sequence-parallel'), JSON.stringify(p.changes));
    assert.ok(!codes.includes('parallelism/sequence-parallel-without-tp'));
  }
});

test('a TP 1 layout from a file with sequence_parallel on turns it off, in the change list and the edited file, priced exactly', () => {
  const text = example('llama3-405b.train.yaml');
  const checked = checkText(text);
  const base = checked.config!;
  assert.equal(base.parallelism.sequenceParallel, true);
  // Tensor 8 → 1 with the data degree taking the factor of 8 (the world stays 16,384 GPUs), under 1F1B (interleaving
  // needs whole rounds of micro-batches, which 8× the data degree leaves too few for).
  const layout: Layout = { ...layoutOf(base), tensor: 1, sequenceParallel: false, schedule: '1f1b', virtualStages: 1 };
  assert.equal(structuralProblem(base, layout), undefined);
  const config = applyLayout(base, layout);
  const changes = layoutChanges(base, config);
  assert.deepEqual(changes.find((c) => c.key === 'parallelism.sequence_parallel'), { key: 'parallelism.sequence_parallel', value: false });
  const edited = checkText(applyChanges(text, changes));
  assert.equal(edited.config!.parallelism.tensor, 1);
  assert.ok(!edited.diagnostics.some((d) => d.code === 'parallelism/sequence-parallel-without-tp'), 'no leftover sequence_parallel at TP 1');
  const a = simulate(config);
  const b = simulate(edited.config!);
  assert.ok(a.ok && b.ok);
  assert.equal(a.result.gpuHours, b.result.gpuHours);
  assert.equal(a.result.memory.peakGiB, b.result.memory.peakGiB);
  // And the other way: the search's own TP > 1 layouts of a TP 1 file carry it on.
  const dsv3 = checkText(example('deepseek-v3.train.yaml')).config!;
  const tp2 = applyLayout(dsv3, { ...layoutOf(dsv3), tensor: 2, sequenceParallel: true });
  assert.deepEqual(layoutChanges(dsv3, tp2).slice(0, 2), [{ key: 'parallelism.tensor', value: 2 }, { key: 'parallelism.sequence_parallel', value: true }]);
});

test('the pruning bounds hold on every priced layout: step and memory bounds never exceed what simulate() reports', () => {
  const overlapped = example('llama3-405b.train.yaml').replace(/  zero_stage: 2.*\n/, (line) => `${line}  tp_comm_overlap: true\n`);
  assert.notEqual(overlapped, example('llama3-405b.train.yaml'));
  for (const [name, text, sims] of [['llama3-405b.train.yaml', example('llama3-405b.train.yaml'), 120], ['deepseek-v3.train.yaml', example('deepseek-v3.train.yaml'), 120], ['llama3-405b with tp_comm_overlap', overlapped, 60]] as const) {
    const found = findLayouts(text, { maxSimulations: sims, keepAll: true });
    assert.ok(found.ok);
    const all = found.result.all!;
    assert.ok(all.length > 40, `${all.length} priced`);
    let exact = 0;
    for (const p of all) {
      assert.ok(p.bounds!.stepSeconds <= p.stepSeconds! * (1 + 1e-12), `${name} step bound ${p.bounds!.stepSeconds} > ${p.stepSeconds} for ${JSON.stringify(p.changes)}`);
      assert.ok(p.bounds!.peakGiB <= p.peakGiB * (1 + 1e-12), `${name} memory bound ${p.bounds!.peakGiB} > ${p.peakGiB} for ${JSON.stringify(p.changes)}`);
      assert.ok(p.bounds!.objective <= p.objective * (1 + 1e-12));
      // With its schedule shape's executed peaks known, the bound is the estimate simulate() makes, to the bit: the
      // per-stage parts the search shares between layouts (memory.ts's StageFootprint) are keyed by all they read.
      if (p.bounds!.peakExact) {
        exact++;
        assert.equal(p.bounds!.peakGiB, p.peakGiB, `${name} exact memory for ${JSON.stringify(p.changes)}`);
      }
    }
    assert.ok(exact > all.length / 4, `${name}: ${exact} of ${all.length} exact memory bounds`);
  }
});

test('a pipeline shared between ZeRO stages gives every number simulate() gives without it', () => {
  const base = checkText(example('deepseek-v3.train.yaml')).config!;
  const memo = new PipelineMemo();
  const layouts = [1, 2, 3].flatMap((zeroStage) => [applyLayout(base, { ...layoutOf(base), zeroStage: zeroStage as 1 | 2 | 3 }), applyLayout(base, { ...layoutOf(base), zeroStage: zeroStage as 1 | 2 | 3, recompute: 'full' })]);
  for (const config of layouts) {
    const fresh = simulate(config);
    const shared = simulate(config, { pipelines: memo });
    assert.ok(fresh.ok && shared.ok);
    assert.deepEqual(JSON.parse(JSON.stringify(shared.result)), JSON.parse(JSON.stringify(fresh.result)), `zero ${config.parallelism.zeroStage}, ${config.training.recompute}`);
  }
  // The memo keys on everything but the ZeRO stage: another recompute is not the same pipeline.
  assert.notEqual(PipelineMemo.keyOf(layouts[0]), PipelineMemo.keyOf(layouts[1]));
  assert.equal(PipelineMemo.keyOf(layouts[0]), PipelineMemo.keyOf(layouts[2]));
});

test('the structural checks agree with the rules: a layout they reject has an error, one they pass has none but memory', () => {
  const text = example('deepseek-v3.train.yaml');
  const checked = checkText(text);
  const base = checked.config!;
  // A deterministic walk over the value lists (a linear congruential sequence: no randomness in tests).
  const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  let rejected = 0;
  let passed = 0;
  for (let i = 0; i < 400; i++) {
    const layout: Layout = {
      ...layoutOf(base),
      tensor: pick([1, 2, 4, 8, 3], next()),
      pipeline: pick([1, 2, 4, 8, 16, 32, 64, 6], next()),
      context: pick([1, 2, 3], next()),
      expert: pick([1, 8, 16, 32, 64, 128, 256, 12], next()),
      expertTensor: pick([1, 2], next()),
      microBatchSize: pick([1, 2, 4, 7], next()),
      schedule: pick(SCHEDULE_KINDS, next()),
      virtualStages: pick([1, 2, 3], next()),
      maxNodesPerToken: pick([1, 2, 4, 8, 16, undefined], next()),
    };
    const config = applyLayout(base, layout);
    const structural = structuralProblem(base, layout);
    // The search asks once per layout less its recompute and ZeRO stage: neither may change the answer.
    for (const recompute of ['none', 'selective', 'full'] as const)
      for (const zeroStage of [0, 1, 2, 3] as const) assert.equal(structuralProblem(base, { ...layout, recompute, zeroStage }), structural, `recompute ${recompute}, ZeRO ${zeroStage}`);
    const rule = ruleRejection(checked.document, config);
    if (structural) {
      rejected++;
      assert.ok(rule, `structural ${structural} but the rules pass ${JSON.stringify(layout)}`);
    } else {
      passed++;
      assert.ok(rule === undefined || rule === 'memory/exceeds-hbm' || rule.startsWith('routing/'), `the rules reject ${rule} what the structural checks pass: ${JSON.stringify(layout)}`);
    }
  }
  assert.ok(rejected > 50 && passed > 20, `${rejected} rejected, ${passed} passed`);
});

test('the frontier keeps exactly the layouts no other beats on every axis', () => {
  const p = (objective: number, peakGiB: number, days: number) => ({ objective, peakGiB, days, gpuHours: objective }) as PricedLayout;
  const points = [p(1, 70, 10), p(2, 50, 12), p(2, 60, 12), p(3, 40, 9), p(4, 45, 13), p(1, 70, 11)];
  const frontier = paretoFrontier(points);
  assert.deepEqual(frontier.map((f) => [f.objective, f.peakGiB, f.days]), [[1, 70, 10], [2, 50, 12], [3, 40, 9]]);
});

test('a file that does not check returns its diagnostics; one that only overflows HBM is searched', () => {
  const bad = fakeIO({ 'bad.train.yaml': example('llama3-405b.train.yaml').replace('tensor: 8', 'tensor: 7') });
  assert.equal(searchCommand(['bad.train.yaml'], bad), 1);
  assert.match(bad.stderr, /parallelism\/heads-tensor/);

  const over = example('llama3-405b.train.yaml').replace('pipeline: 16', 'pipeline: 2').replace('data: 128', 'data: 1024');
  assert.ok(checkText(over).diagnostics.some((d) => d.code === 'memory/exceeds-hbm'));
  const found = findLayouts(over, QUICK);
  assert.ok(found.ok && found.result.top.length > 0 && found.result.top.every((t) => t.fits));
});

test('options that admit nothing say which constraint excluded everything', () => {
  const io = fakeIO({ 'ds.train.yaml': example('deepseek-v3.train.yaml') });
  assert.equal(searchCommand(['ds.train.yaml', '--gpus', '16'], io), 1);
  assert.match(io.stdout, /no layout admitted: .*(fits in|breaks a rule)/);
  const odd = fakeIO({ 'ds.train.yaml': example('deepseek-v3.train.yaml') });
  assert.equal(searchCommand(['ds.train.yaml', '--gpus', '12'], odd), 1);
  assert.match(odd.stdout, /not a whole number of 8-GPU nodes/);
});

test('a space over the candidate budget is reported with what was skipped, never silently cut', () => {
  const found = findLayouts(example('llama3-405b.train.yaml'), { maxCandidates: 100 });
  assert.ok(found.ok);
  assert.match(found.result.incomplete ?? '', /over the budget of 100: nothing was searched/);
  const budget = findLayouts(example('llama3-405b.train.yaml'), { maxSimulations: 5 });
  assert.ok(budget.ok);
  assert.match(budget.result.incomplete ?? '', /stopped at the budget of 5 simulations: [\d,]+ valid layouts were not examined/);
});

test('tcs search usage errors exit 2', () => {
  for (const argv of [['x.yaml', '--objective', 'speed'], ['x.yaml', '--gpus', '8', '--nodes', '1-2'], ['x.yaml', '--memory-headroom', '2'], []]) {
    assert.equal(searchCommand(argv, fakeIO({})), 2, argv.join(' '));
  }
});
