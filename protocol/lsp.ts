/**
 * What `tcs lsp` answers beyond the Language Server Protocol, as rust-analyzer's `lsp_ext` does for its own
 * requests (https://github.com/rust-lang/rust-analyzer/blob/master/docs/book/src/contributing/lsp-extensions.md).
 * Plain JSON both ways; any LSP client can send them (Neovim: `client.request('trainingConfig/simulate', …)`).
 * Pure types and constants: the server (server/) implements them; a client may import this module.
 *
 *   trainingConfig/simulate   {textDocument, schedule?}  →  SimulateResult
 *       The headline (GPU-hours, wall-clock days, cost, step time, tokens/s, MFU, bubble, exposed communication),
 *       the memory per pipeline stage and the step/communication/FLOP breakdowns of the document's config as it is
 *       now — the numbers the VS Code preview shows. `schedule` simulates another pipeline schedule than the file's.
 *   trainingConfig/timeline   {textDocument, schedule?, maxOps?}  →  TimelineResult
 *       The executed pipeline schedule: per rank, every op (F forward, B backward, b input-only backward,
 *       W weight gradient, FB overlapped) with start and end in seconds — what the preview draws.
 *
 * Both answer for the text the server holds (its `version`), whether or not diagnostics were published for it.
 * A document with errors answers `{status: 'invalid', errors}` (first MAX_ERRORS; a layout over HBM is still
 * simulated, as in the preview, its ranks' overflow in `memory`); one the simulator refuses,
 * `{status: 'unsupported', code, reason}`. A document not open in the server, or not a training config, is a
 * protocol error (InvalidParams), as is a malformed `schedule`.
 */
import type { ScheduleKind } from '../simulator/config';
import type { SimulationResult, TimelineResult as SimulatedTimeline } from '../simulator/result';
import type { Range } from '../language/service';

export const SIMULATE_METHOD = 'trainingConfig/simulate';
export const TIMELINE_METHOD = 'trainingConfig/timeline';

/** Errors in one answer. */
export const MAX_ERRORS = 200;
/** Ops in one timeline answer unless the client asks for fewer (a 16-rank, 120-micro-batch DualPipe has ~6,000). */
export const MAX_TIMELINE_OPS = 100_000;

export interface SimulateParams {
  textDocument: { uri: string };
  /** Simulate with this schedule instead of the file's `parallelism.schedule`. */
  schedule?: ScheduleKind;
}

export interface TimelineParams extends SimulateParams {
  /** Keep at most this many ops (the first of each rank, evenly); at most MAX_TIMELINE_OPS. */
  maxOps?: number;
}

/** An error that stops the simulation, in the client's position encoding. */
export interface ConfigError {
  code: string;
  message: string;
  range: Range;
}

interface Answer {
  uri: string;
  /** The document version simulated. */
  version: number;
}

export type NotSimulated =
  | (Answer & { status: 'invalid'; errors: ConfigError[] })
  | (Answer & { status: 'unsupported'; code: string; reason: string });

export type SimulateResult =
  | (Answer & { status: 'ok'; schedule: ScheduleKind; result: Omit<SimulationResult, 'timeline'> })
  | NotSimulated;

export type TimelineResult =
  | (Answer & { status: 'ok'; timeline: SimulatedTimeline; /** Ops left out to stay under maxOps. */ omittedOps: number })
  | NotSimulated;
