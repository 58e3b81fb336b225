/**
 * The layer split against every split there is: the heaviest rank (what the rules report and the simulator runs) is as
 * light as it can be — except where Megatron-Core's own schedules split evenly (layers divisible by stages), which is
 * what those runs do.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResolvedConfig, ScheduleKind } from '../../simulator/config';
import { layerSplit, stageCount, stagesOfRank } from '../../simulator/stages';
import { deepSeekV3 } from './fixtures';

/** Every way to put `layers` layers on `stages` stages, at least one each. */
function* compositions(layers: number, stages: number): Generator<number[]> {
  if (stages === 1) {
    yield [layers];
    return;
  }
  for (let first = 1; first <= layers - (stages - 1); first++) for (const rest of compositions(layers - first, stages - 1)) yield [first, ...rest];
}

const MEGATRON = new Set<ScheduleKind>(['gpipe', '1f1b', 'interleaved-1f1b']);
const KINDS: ScheduleKind[] = ['gpipe', '1f1b', 'zb-h1', 'zb-h2', 'interleaved-1f1b', 'zbv', 'dualpipe', 'dualpipev'];

test('for every schedule, the split minimises the heaviest rank, counting each stage as often as a rank runs it', () => {
  const base = { ...deepSeekV3(), parallelism: { ...deepSeekV3().parallelism, firstStageLayers: undefined, lastStageLayers: undefined } };
  for (const kind of KINDS) {
    for (let P = 1; P <= 5; P++) {
      for (const v of kind === 'interleaved-1f1b' ? [1, 2] : [1]) {
        const stages = stageCount(kind, P, v);
        for (let layers = stages; layers <= stages + 5; layers++) {
          const config: ResolvedConfig = {
            ...base,
            model: { ...base.model, layers },
            parallelism: { ...base.parallelism, schedule: kind, pipeline: P, virtualStages: v },
          };
          const layout = layerSplit(config);
          const { first, last } = layout.boundary;
          const rankLoads = (split: number[]) =>
            Array.from({ length: P }, (_, r) =>
              stagesOfRank(kind, P, v, r).reduce((sum, s) => sum + split[s] + (s === 0 ? first : 0) + (s === stages - 1 ? last : 0), 0),
            );
          let best = Infinity;
          for (const split of compositions(layers, stages)) best = Math.min(best, Math.max(...rankLoads(split)));
          const where = `${kind} P=${P} v=${v} layers=${layers}: ${layout.layersPerStage.join(',')}`;
          assert.deepEqual(layout.rankLoad, rankLoads(layout.layersPerStage), where);
          if (MEGATRON.has(kind) && layers % stages === 0) {
            assert.ok(layout.layersPerStage.every((n) => n === layers / stages), `${where}: Megatron splits evenly`);
            continue;
          }
          assert.ok(Math.max(...layout.rankLoad) <= best + 1e-9, `${where} has a heaviest rank of ${Math.max(...layout.rankLoad)}, the best is ${best}`);
        }
      }
    }
  }
});
