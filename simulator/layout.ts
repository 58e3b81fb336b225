/**
 * How a model's layers are split over pipeline stages. The slowest rank sets the pace of every schedule, and the
 * first and last stages also carry the embedding, output head and MTP modules, so layers are placed to minimise the
 * heaviest rank's load, where a rank's load sums the stages it holds (one stage for 1F1B; v for interleaved; two for
 * the V schedules and for DualPipe, whose rank r holds stage r of one copy and P−1−r of the other).
 */

export interface StageSplit {
  /** Transformer layers per stage, in stage order. */
  layersPerStage: number[];
  /** Load per stage in layer-equivalents: layers plus the boundary modules' extra. */
  loadPerStage: number[];
  /** max stage-group load / mean − 1: the fraction of every step lost to the slowest rank. */
  imbalance: number;
}

/** Extra work on the first and last stage, in transformer-layer equivalents (≥ 0). */
export interface BoundaryLoad {
  first: number;
  last: number;
}

/**
 * Water-filling: every stage starts with one layer, then each further layer goes to the stage whose rank group is
 * lightest once the layer is added (ties: the stage with fewer layers, then the earlier stage). Adding unit layers to
 * the lightest group is optimal for the max group load because groups are disjoint. `groupOfStage[s]` names the rank
 * group holding stage s (default: one group per stage); `copiesOfStage[s]` how many times each rank of that group
 * runs it (default 1; 2 for DualPipe's middle stage on an odd pipeline, held in both directions by one rank). With
 * fewer layers than stages, stages past the layer count stay empty (an error the rules report). Work is
 * O(layers × stages); both are schema-capped (1,024 layers).
 */
export function splitLayers(
  layers: number,
  stages: number,
  boundary: BoundaryLoad = { first: 0, last: 0 },
  groupOfStage?: readonly number[],
  copiesOfStage?: readonly number[],
): StageSplit {
  const n = Math.max(1, Math.floor(stages));
  const total = Math.max(0, Math.floor(layers));
  const safe = (x: number) => (Number.isFinite(x) && x > 0 ? x : 0);
  const extra = Array.from({ length: n }, (_, s) => (s === 0 ? safe(boundary.first) : 0) + (s === n - 1 ? safe(boundary.last) : 0));
  // Group ids index an array: callers pass ids below the stage count.
  const group = Array.from({ length: n }, (_, s) => Math.min(n - 1, Math.max(0, groupOfStage?.[s] ?? s)));
  const copies = Array.from({ length: n }, (_, s) => Math.max(1, Math.floor(copiesOfStage?.[s] ?? 1)));
  const layersPerStage = Array.from({ length: n }, (_, s) => (s < total ? 1 : 0));
  const groupLoad = new Float64Array(n);
  const inUse = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    groupLoad[group[s]] += copies[s] * (layersPerStage[s] + extra[s]);
    inUse[group[s]] = 1;
  }
  for (let remaining = total - n; remaining > 0; remaining--) {
    let best = 0;
    for (let s = 1; s < n; s++) {
      const load = groupLoad[group[s]] + copies[s];
      const bestLoad = groupLoad[group[best]] + copies[best];
      if (load < bestLoad || (load === bestLoad && layersPerStage[s] < layersPerStage[best])) best = s;
    }
    layersPerStage[best]++;
    groupLoad[group[best]] += copies[best];
  }
  const loadPerStage = layersPerStage.map((l, s) => l + extra[s]);
  const loads = Array.from(groupLoad).filter((_, g) => inUse[g] === 1);
  const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
  const imbalance = mean > 0 ? Math.max(...loads) / mean - 1 : 0;
  return { layersPerStage, loadPerStage, imbalance };
}
