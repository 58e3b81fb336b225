/** The custom requests of protocol/lsp.ts: the simulation and the schedule timeline of an open document. */
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver/node';
import {
  MAX_ERRORS,
  MAX_TIMELINE_OPS,
  SIMULATE_METHOD,
  TIMELINE_METHOD,
  type NotSimulated,
  type SimulateParams,
  type SimulateResult,
  type TimelineParams,
  type TimelineResult,
} from '../protocol/lsp';
import { simulationBlockers } from '../language/service';
import { isScheduleKind } from '../simulator/config';
import type { SimulationResult } from '../simulator/result';
import { simulate } from '../simulator/simulate';
import type { OpenDocument } from './documents';
import type { TrainingConfigServer } from './server';

/** Lets a `$/cancelRequest` sent right after the request arrive before the work starts. */
const yieldToMessages = () => new Promise<void>((resolve) => setImmediate(resolve));

type Simulated = { entry: OpenDocument; outcome: { ok: true; result: SimulationResult } | NotSimulated };

async function simulateDocument(server: TrainingConfigServer, params: SimulateParams, token: CancellationToken): Promise<Simulated> {
  const entry = server.open(params?.textDocument?.uri);
  if (params?.schedule !== undefined && !isScheduleKind(params.schedule)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `unknown schedule: ${JSON.stringify(params.schedule)?.slice(0, 60)}`);
  }
  if (!(await server.isServed(entry))) throw new ResponseError(ErrorCodes.InvalidParams, `not a training config: ${entry.uri}`);
  await yieldToMessages();
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
  const { uri } = entry;
  const version = entry.text.version;
  const checked = server.result(entry);
  // As the preview and `tcs simulate`: a layout over HBM is still priced; every other error stops the simulation.
  const errors = simulationBlockers(checked.diagnostics);
  if (errors.length > 0 || !checked.config) {
    const shown = errors.length > 0 ? errors : [{ code: 'simulate/unresolved', message: 'The config did not resolve.', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }];
    return {
      entry,
      outcome: { uri, version, status: 'invalid', errors: shown.slice(0, MAX_ERRORS).map((d) => ({ code: d.code, message: d.message, range: entry.codec.rangeToClient(d.range) })) },
    };
  }
  const outcome = simulate(checked.config, { schedule: params?.schedule });
  return { entry, outcome: outcome.ok ? outcome : { uri, version, status: 'unsupported', code: outcome.code, reason: outcome.reason } };
}

/** At most `max` ops, the same share of each rank (its first ones), so every rank stays drawn. */
function capOps(timeline: SimulationResult['timeline'], max: number): { timeline: SimulationResult['timeline']; omittedOps: number } {
  const total = timeline.ops.reduce((n, rank) => n + rank.length, 0);
  if (total <= max) return { timeline, omittedOps: 0 };
  const perRank = Math.max(0, Math.floor(max / Math.max(1, timeline.ops.length)));
  const ops = timeline.ops.map((rank) => rank.slice(0, perRank));
  return { timeline: { ...timeline, ops }, omittedOps: total - ops.reduce((n, rank) => n + rank.length, 0) };
}

export function registerSimulation(server: TrainingConfigServer): void {
  server.connection.onRequest(SIMULATE_METHOD, async (params: SimulateParams, token): Promise<SimulateResult> => {
    const { entry, outcome } = await simulateDocument(server, params, token);
    if (!('ok' in outcome)) return outcome;
    const { timeline, ...result } = outcome.result;
    return { uri: entry.uri, version: entry.text.version, status: 'ok', schedule: timeline.schedule, result };
  });
  server.connection.onRequest(TIMELINE_METHOD, async (params: TimelineParams, token): Promise<TimelineResult> => {
    const max = params?.maxOps === undefined ? MAX_TIMELINE_OPS : params.maxOps;
    if (!Number.isInteger(max) || max < 0) throw new ResponseError(ErrorCodes.InvalidParams, 'maxOps must be a non-negative integer');
    const { entry, outcome } = await simulateDocument(server, params, token);
    if (!('ok' in outcome)) return outcome;
    return { uri: entry.uri, version: entry.text.version, status: 'ok', ...capOps(outcome.result.timeline, Math.min(max, MAX_TIMELINE_OPS)) };
  });
}
