/**
 * What each efficiency technique buys: the config with each of its choices undone one at a time, and all together.
 * Each variant is an ordinary ResolvedConfig, simulated like any other; the CLI (`tcs simulate --ablate`) and the
 * preview only present the rows. Only the choices the config makes are undone (a BF16 config has no FP8 row).
 */
import type { ResolvedConfig } from './config';
import type { OutcomeSummary, SimulationOutcome } from './result';
import { scheduleSpec } from './schedules/registry';
import { simulate } from './simulate';

export type AblationId = 'fp8' | 'dualpipe' | 'node-limit' | 'flex-dispatch' | 'overlap' | 'all';

export interface AblationVariant {
  id: AblationId;
  /** What is undone, as the row reads: "FP8 → BF16". */
  label: string;
  config: ResolvedConfig;
}

type Undo = { id: Exclude<AblationId, 'all'>; label: (c: ResolvedConfig) => string; applies: (c: ResolvedConfig) => boolean; undo: (c: ResolvedConfig) => ResolvedConfig };

const withParallelism = (c: ResolvedConfig, p: Partial<ResolvedConfig['parallelism']>): ResolvedConfig => ({ ...c, parallelism: { ...c.parallelism, ...p } });
const moeWithEp = (c: ResolvedConfig) => !!c.model.moe && c.parallelism.expert > 1;

const UNDO: readonly Undo[] = [
  {
    id: 'fp8',
    label: () => 'FP8 → BF16',
    applies: (c) => c.precision.compute === 'fp8',
    undo: (c) => ({ ...c, precision: { ...c.precision, compute: 'bf16', fp8: undefined } }),
  },
  {
    id: 'dualpipe',
    label: (c) => `${scheduleSpec(c.parallelism.schedule).displayName} → 1F1B`,
    applies: (c) => scheduleSpec(c.parallelism.schedule).pairsChunks,
    undo: (c) => withParallelism(c, { schedule: '1f1b', virtualStages: 1 }),
  },
  {
    id: 'node-limit',
    label: () => 'node-limited routing → unlimited',
    applies: (c) => moeWithEp(c) && c.model.moe?.maxNodesPerToken !== undefined,
    undo: (c) => ({ ...c, model: { ...c.model, moe: c.model.moe && { ...c.model.moe, maxNodesPerToken: undefined } } }),
  },
  {
    id: 'flex-dispatch',
    label: () => 'DeepEP-style (flex) → all-to-all dispatch',
    applies: (c) => moeWithEp(c) && c.parallelism.moeTokenDispatcher === 'flex',
    undo: (c) => withParallelism(c, { moeTokenDispatcher: 'alltoall' }),
  },
  {
    id: 'overlap',
    label: () => 'communication overlap off',
    applies: (c) => {
      const p = c.parallelism;
      return (p.overlapExpertComm && moeWithEp(c)) || (p.tpCommOverlap && p.tensor > 1) || p.overlapGradReduce || (p.overlapParamGather && p.zeroStage > 0) || (p.overlapP2pComm && p.pipeline > 1);
    },
    undo: (c) => withParallelism(c, { overlapExpertComm: false, tpCommOverlap: false, overlapGradReduce: false, overlapParamGather: false, overlapP2pComm: false }),
  },
];

/** The variants of `config` worth simulating: each applicable choice undone alone, then all of them (when ≥ 2). */
export function ablationVariants(config: ResolvedConfig): AblationVariant[] {
  const applicable = UNDO.filter((u) => u.applies(config));
  const rows: AblationVariant[] = applicable.map((u) => ({ id: u.id, label: u.label(config), config: u.undo(config) }));
  if (applicable.length >= 2) rows.push({ id: 'all', label: 'all of the above', config: applicable.reduce((c, u) => u.undo(c), config) });
  return rows;
}

export interface AblationRow<O extends OutcomeSummary = SimulationOutcome> {
  id: AblationId | 'current';
  label: string;
  outcome: O;
  /** GPU-hours over the current config's (undefined when either cannot be simulated). */
  ratio?: number;
}

/** One row's numbers against the current config's. */
export function ablationRow<O extends OutcomeSummary>(variant: Pick<AblationVariant, 'id' | 'label'>, outcome: O, current: OutcomeSummary): AblationRow<O> {
  const ratio = outcome.ok && current.ok && current.result.gpuHours > 0 ? outcome.result.gpuHours / current.result.gpuHours : undefined;
  return { id: variant.id, label: variant.label, outcome, ratio };
}

/** The current config and every variant, simulated (the CLI's table; the preview runs the variants one per task). */
export function ablate(config: ResolvedConfig): AblationRow[] {
  const current = simulate(config);
  return [
    { id: 'current', label: 'current config', outcome: current, ratio: current.ok ? 1 : undefined },
    ...ablationVariants(config).map((v) => ablationRow(v, simulate(v.config), current)),
  ];
}
