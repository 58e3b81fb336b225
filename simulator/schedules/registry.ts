/**
 * The schedule registry: one `ScheduleSpec` per kind. `BUILT_IN_SCHEDULES` is the list the config contract's
 * `ScheduleKind` and `SCHEDULE_KINDS` are derived from, so adding a schedule is one new file plus one line here
 * (and its entry in schemas/parallelism.json, which a test keeps in step). `registerSchedule` adds one at run time
 * (tests, extensions of the engine); a registered kind is simulated like a built-in one but is not a config value.
 */
import { dualPipeSchedule } from './dualpipe';
import { dualPipeVSchedule } from './dualpipev';
import { gpipeSchedule } from './gpipe';
import { interleavedSchedule } from './interleaved';
import { oneFOneBSchedule } from './one-f-one-b';
import type { ScheduleSpec } from './spec';
import { zbH1Schedule } from './zb-h1';
import { zbH2Schedule } from './zb-h2';
import { zbVSchedule } from './zbv';

/** The built-in schedules, in the order the preview's comparison and the completion list show them. */
export const BUILT_IN_SCHEDULES = [
  gpipeSchedule,
  oneFOneBSchedule,
  interleavedSchedule,
  zbH1Schedule,
  zbH2Schedule,
  zbVSchedule,
  dualPipeSchedule,
  dualPipeVSchedule,
] as const;

/** A `parallelism.schedule` value. */
export type ScheduleKind = (typeof BUILT_IN_SCHEDULES)[number]['kind'];

export const SCHEDULE_KINDS: readonly ScheduleKind[] = BUILT_IN_SCHEDULES.map((s) => s.kind);

export function isScheduleKind(value: unknown): value is ScheduleKind {
  return typeof value === 'string' && (SCHEDULE_KINDS as readonly string[]).includes(value);
}

/** How papers and tools write each schedule's name. */
export const SCHEDULE_DISPLAY_NAMES = Object.fromEntries(BUILT_IN_SCHEDULES.map((s) => [s.kind, s.displayName])) as Readonly<Record<ScheduleKind, string>>;

const registry = new Map<string, ScheduleSpec>(BUILT_IN_SCHEDULES.map((s) => [s.kind, s]));

/**
 * Adds a schedule at run time; returns a function that removes it again. A kind that is already registered is
 * refused (a built-in cannot be replaced behind its callers' backs).
 */
export function registerSchedule(spec: ScheduleSpec): () => void {
  if (registry.has(spec.kind)) throw new Error(`pipeline schedule '${spec.kind}' is already registered`);
  registry.set(spec.kind, spec);
  return () => {
    if (registry.get(spec.kind) === spec) registry.delete(spec.kind);
  };
}

/** The spec of `kind`, or undefined when no schedule of that name is registered (own names only: not `constructor`). */
export function findSchedule(kind: unknown): ScheduleSpec | undefined {
  return typeof kind === 'string' ? registry.get(kind) : undefined;
}

/** The spec of `kind`; throws on an unknown kind (callers that take user input use `findSchedule` first). */
export function scheduleSpec(kind: string): ScheduleSpec {
  const spec = registry.get(kind);
  if (!spec) throw new Error(`unknown pipeline schedule '${kind}'`);
  return spec;
}

/** Every registered schedule, built-in ones first. */
export function registeredSchedules(): readonly ScheduleSpec[] {
  return [...registry.values()];
}
