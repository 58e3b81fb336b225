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

/** Megatron's split rules: layers pinned on the first or last stage (--decoder-first/last-pipeline-num-layers), and
 * whether a split that divides is kept even (Megatron-Core's own schedules) rather than balanced by load. */
export interface FixedEnds {
  first?: number;
  last?: number;
  even?: boolean;
}

/**
 * Megatron's even split (`fixed.even`): layers / stages each when that divides; with the ends pinned by `fixed` (exact
 * counts), the other stages start from ⌊rest / free stages⌋. Otherwise every stage starts with one layer. Each remaining layer then
 * goes to the free stage whose rank group is lightest once the layer is added (ties: the stage with fewer layers, then
 * the earlier stage). Adding unit layers to the lightest group is optimal for the max group load because groups are
 * disjoint. `groupOfStage[s]` names the rank group holding stage s (default: one group per stage); `copiesOfStage[s]`
 * how many times each rank of that group runs it (default 1; 2 for DualPipe's middle stage on an odd pipeline, held
 * in both directions by one rank). With fewer layers than stages, stages past the layer count stay empty (an error
 * the rules report). Work is O(layers × stages); both are schema-capped (1,024 layers).
 */
export function splitLayers(
  layers: number,
  stages: number,
  boundary: BoundaryLoad = { first: 0, last: 0 },
  groupOfStage?: readonly number[],
  copiesOfStage?: readonly number[],
  fixed: FixedEnds = {},
): StageSplit {
  const n = Math.max(1, Math.floor(stages));
  const total = Math.max(0, Math.floor(layers));
  const safe = (x: number) => (Number.isFinite(x) && x > 0 ? x : 0);
  const extra = Array.from({ length: n }, (_, s) => (s === 0 ? safe(boundary.first) : 0) + (s === n - 1 ? safe(boundary.last) : 0));
  // Group ids index an array: callers pass ids below the stage count.
  const group = Array.from({ length: n }, (_, s) => Math.min(n - 1, Math.max(0, groupOfStage?.[s] ?? s)));
  const copies = Array.from({ length: n }, (_, s) => Math.max(1, Math.floor(copiesOfStage?.[s] ?? 1)));
  const pin = (x: number | undefined) => (x !== undefined && Number.isFinite(x) && x >= 1 ? Math.floor(x) : undefined);
  const pinned: (number | undefined)[] = Array.from({ length: n }, () => undefined);
  if (n > 1) {
    pinned[0] = pin(fixed.first);
    pinned[n - 1] = pin(fixed.last);
  }
  const pinnedLayers = pinned.reduce<number>((a, x) => a + (x ?? 0), 0);
  const free = pinned.filter((x) => x === undefined).length;
  // Pins that leave fewer layers than free stages fall back to the plain even split (a rule reports them).
  const usePins = pinnedLayers > 0 && (free > 0 ? total - pinnedLayers >= free : total === pinnedLayers);
  // Megatron splits evenly and refuses a remainder unless the ends are pinned; a remainder without pins is spread
  // from one layer per stage by load (the split a user would write with explicit stage sizes).
  const base = usePins ? Math.floor((total - pinnedLayers) / Math.max(1, free)) : fixed.even && total % n === 0 ? total / n : 1;
  const layersPerStage = Array.from({ length: n }, (_, s) => (usePins && pinned[s] !== undefined ? (pinned[s] as number) : total < n ? (s < total ? 1 : 0) : base));
  const canGrow = (s: number) => !(usePins && pinned[s] !== undefined);
  const groupLoad = new Float64Array(n);
  const inUse = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    groupLoad[group[s]] += copies[s] * (layersPerStage[s] + extra[s]);
    inUse[group[s]] = 1;
  }
  for (let remaining = total - layersPerStage.reduce((a, b) => a + b, 0); remaining > 0; remaining--) {
    let best = -1;
    for (let s = 0; s < n; s++) {
      if (!canGrow(s)) continue;
      if (best < 0) {
        best = s;
        continue;
      }
      const load = groupLoad[group[s]] + copies[s];
      const bestLoad = groupLoad[group[best]] + copies[best];
      if (load < bestLoad || (load === bestLoad && layersPerStage[s] < layersPerStage[best])) best = s;
    }
    if (best < 0) break;
    layersPerStage[best]++;
    groupLoad[group[best]] += copies[best];
  }
  const loadPerStage = layersPerStage.map((l, s) => l + extra[s]);
  const loads = Array.from(groupLoad).filter((_, g) => inUse[g] === 1);
  const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
  const imbalance = mean > 0 ? Math.max(...loads) / mean - 1 : 0;
  return { layersPerStage, loadPerStage, imbalance };
}
