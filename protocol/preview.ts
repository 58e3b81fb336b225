/**
 * The preview's message protocol, both ways, with the validators both sides run before touching a message.
 * Pure: no DOM, no `vscode`. The host (extension/preview.ts) and the webview (webview/main.ts) import it alike.
 *
 *   host → webview   update   {uri, version, sentAt, editedAt?, config, errors}   a resolved config to simulate and draw
 *                    invalid  {uri, version, sentAt, editedAt?, errors}           the text has errors: keep the last good preview, dimmed
 *                    layouts  {uri, version, state, progress?, result?, message?}  a layout search's progress or result
 *   webview → host   ready                                      the page (re)loaded and wants the current config
 *                    applySchedule {schedule}                   rewrite parallelism.schedule in the document (undoable)
 *                    findLayouts / cancelLayouts                start (in the host's search worker) or stop a layout search
 *                    applyLayout {changes}                      set every key a found layout changes (one undoable edit)
 *                    reveal {line}                              show a line of the document (an error in the banner)
 *                    rendered {…}                               what was painted, and when (see RenderedMessage)
 *
 * Times named `…At` are wall-clock epoch milliseconds (Date.now()): the host and the webview run in different
 * processes, and the wall clock is the one clock they share, so edit → post → arrival → paint can be split exactly.
 */
import {
  ATTENTION_BACKENDS,
  ATTENTION_TYPES,
  COMPUTE_PRECISIONS,
  FP8_FORMATS,
  FP8_SCALINGS,
  GPU_FAMILIES,
  isScheduleKind,
  MOE_TOKEN_DISPATCHERS,
  RECOMPUTE_METHODS,
  RECOMPUTE_MODES,
  RECOMPUTE_MODULES,
  type ResolvedConfig,
  type ScheduleKind,
  STORAGE_WIDTHS,
  ZERO_STAGES,
} from '../simulator/config';

/** An error the banner names; `line` is 0-based like the editor's, or -1 for the whole document. */
export interface PreviewError {
  message: string;
  line: number;
}

export interface UpdateMessage {
  type: 'update';
  uri: string;
  version: number;
  /** Date.now() when the host posted this message. */
  sentAt: number;
  /** Date.now() of the editor's change event that produced this version (absent when no edit did: open, reload). */
  editedAt?: number;
  config: ResolvedConfig;
  /** Errors that did not stop the config from resolving (usually empty). */
  errors: PreviewError[];
}

export interface InvalidMessage {
  type: 'invalid';
  uri: string;
  version: number;
  /** Date.now() when the host posted this message. */
  sentAt: number;
  editedAt?: number;
  errors: PreviewError[];
}

/** One layout a search found: the keys it changes and its numbers (simulate's, for the file with those changes). */
export interface LayoutPoint {
  changes: LayoutChange[];
  gpuHours: number;
  days: number;
  peakGiB: number;
  fits: boolean;
}

export interface LayoutChange {
  key: string;
  value: number | string | boolean;
}

export interface LayoutsMessage {
  type: 'layouts';
  uri: string;
  version: number;
  state: 'running' | 'done' | 'failed';
  progress?: { examined: number; total: number };
  result?: { objective: string; current?: LayoutPoint; frontier: LayoutPoint[]; top: LayoutPoint[]; hbmGiB: number; summary: string };
  /** Why a search failed or admitted nothing. */
  message?: string;
}

export type HostMessage = UpdateMessage | InvalidMessage | LayoutsMessage;

export interface ReadyMessage {
  type: 'ready';
}

export interface ApplyScheduleMessage {
  type: 'applySchedule';
  schedule: ScheduleKind;
}

export interface RevealMessage {
  type: 'reveal';
  /** 0-based line. */
  line: number;
}

export interface RenderedMessage {
  type: 'rendered';
  uri: string;
  version: number;
  schedule: ScheduleKind;
  /** The headline as drawn. */
  gpuHours: number;
  wallClockDays: number;
  /** Milliseconds the timeline canvas took to draw (performance.now around the draw). */
  renderMs: number;
  /** Milliseconds of the webview's own work for this update: simulate plus every view, before the browser paints. */
  updateMs: number;
  /** The `sentAt` of the host message this answers (0 for a render the host did not ask for). */
  sentAt: number;
  /** Date.now() when that message arrived in the webview. */
  receivedAt: number;
  /** Date.now() after the browser painted the update (the frame after the DOM changed). */
  paintedAt: number;
  /** False when no frame came (a hidden page): paintedAt is then only when the page gave up waiting. */
  painted: boolean;
  /** Ops drawn in the timeline. */
  ops: number;
  /** Whether the preview is showing the last good config under an error banner. */
  stale: boolean;
}

export interface FindLayoutsMessage {
  type: 'findLayouts' | 'cancelLayouts';
}

export interface ApplyLayoutMessage {
  type: 'applyLayout';
  changes: LayoutChange[];
}

export type WebviewMessage = ReadyMessage | ApplyScheduleMessage | RevealMessage | RenderedMessage | FindLayoutsMessage | ApplyLayoutMessage;

// ---------------------------------------------------------------------------------------------------------------
// Limits: a message is data from the other side of a trust boundary, so sizes are bounded too.

/** Errors carried in one message; the banner shows the first few anyway. */
export const MAX_ERRORS = 200;
/** Characters of one error message, of the URI and of any other string. */
export const MAX_STRING = 4096;
/** Lines in a document the host will consider (VS Code's own limit is far above a config's size). */
export const MAX_LINE = 10_000_000;

type Obj = Record<string, unknown>;

function isObject(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isString(x: unknown): x is string {
  return typeof x === 'string' && x.length <= MAX_STRING;
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function isNonNegative(x: unknown): x is number {
  return isFiniteNumber(x) && x >= 0;
}

function isCount(x: unknown): x is number {
  return isFiniteNumber(x) && Number.isInteger(x) && x >= 0;
}

function isLine(x: unknown): x is number {
  return isFiniteNumber(x) && Number.isInteger(x) && x >= -1 && x <= MAX_LINE;
}

function oneOf<T extends string>(values: readonly T[]) {
  return (x: unknown): x is T => typeof x === 'string' && (values as readonly string[]).includes(x);
}

export { isScheduleKind };

function isPreviewError(x: unknown): x is PreviewError {
  return isObject(x) && isString(x.message) && isLine(x.line);
}

function isErrors(x: unknown): x is PreviewError[] {
  return Array.isArray(x) && x.length <= MAX_ERRORS && x.every(isPreviewError);
}

/** Every listed field is a finite, non-negative number. */
function numbers(o: unknown, keys: readonly string[]): o is Obj {
  return isObject(o) && keys.every((k) => isNonNegative(o[k]));
}

/** Every listed field is absent or a finite, non-negative number. */
function optionalNumbers(o: Obj, keys: readonly string[]): boolean {
  return keys.every((k) => o[k] === undefined || isNonNegative(o[k]));
}

function strings(o: unknown, keys: readonly string[]): o is Obj {
  return isObject(o) && keys.every((k) => isString(o[k]));
}

const isAttentionType = oneOf(ATTENTION_TYPES);
const isRecompute = oneOf(RECOMPUTE_MODES);
const isRecomputeModule = oneOf(RECOMPUTE_MODULES);
const isRecomputeMethod = oneOf(RECOMPUTE_METHODS);
const isAttentionBackend = oneOf(ATTENTION_BACKENDS);
const isDispatcher = oneOf(MOE_TOKEN_DISPATCHERS);
const isCompute = oneOf(COMPUTE_PRECISIONS);
const isWidth = oneOf(STORAGE_WIDTHS);
const isFamily = oneOf(GPU_FAMILIES);
const isFp8Format = oneOf(FP8_FORMATS);
const isFp8Scaling = oneOf(FP8_SCALINGS);

/**
 * Structural check of a resolved config: every field the simulator reads has the right type and a finite,
 * non-negative value; enums are from their vocabularies. Extra fields are allowed (the type may grow).
 */
export function isResolvedConfig(x: unknown): x is ResolvedConfig {
  if (!isObject(x) || !isString(x.name)) return false;
  const { model, training, precision, parallelism, cluster } = x;

  if (!numbers(model, ['layers', 'hiddenSize', 'ffnHiddenSize', 'vocabSize', 'mtpDepth'])) return false;
  if (!isString(model.activation) || typeof model.tiedEmbeddings !== 'boolean') return false;
  const attention = model.attention;
  if (!numbers(attention, ['heads', 'kvHeads', 'headDim']) || !isAttentionType(attention.type)) return false;
  if (!optionalNumbers(attention, ['qLoraRank', 'kvLoraRank', 'qkNopeHeadDim', 'qkRopeHeadDim', 'vHeadDim'])) return false;
  if (model.moe !== undefined) {
    if (!numbers(model.moe, ['denseLayers', 'routedExperts', 'sharedExperts', 'expertsPerToken', 'expertHiddenSize'])) return false;
    if (!optionalNumbers(model.moe, ['maxNodesPerToken', 'routerGroups', 'routerGroupTopk'])) return false;
    if (typeof model.moe.forceLoadBalancing !== 'boolean' || !isNonNegative(model.moe.loadImbalance)) return false;
  }

  if (!numbers(training, ['tokens', 'sequenceLength', 'globalBatchSize', 'microBatchSize'])) return false;
  if (!isRecompute(training.recompute) || !isAttentionBackend(training.attentionBackend)) return false;
  if (typeof training.crossEntropyLossFusion !== 'boolean') return false;
  if (!isRecomputeMethod(training.recomputeMethod) || !numbers(training, ['recomputeLayers'])) return false;
  if (!Array.isArray(training.recomputeModules) || training.recomputeModules.length > 16 || !training.recomputeModules.every(isRecomputeModule)) return false;

  if (!isObject(precision) || !isCompute(precision.compute)) return false;
  if (!isWidth(precision.masterWeights) || !isWidth(precision.optimizerStates) || !isWidth(precision.gradients)) return false;
  if (precision.fp8 !== undefined) {
    const fp8 = precision.fp8;
    if (!numbers(fp8, ['activationTile', 'weightBlock', 'accumulationInterval'])) return false;
    if (!isFp8Format(fp8.format) || !isFp8Scaling(fp8.scaling) || typeof fp8.dispatchFp8 !== 'boolean') return false;
    if (!Array.isArray(fp8.highPrecision) || fp8.highPrecision.length > 16 || !fp8.highPrecision.every(isString)) return false;
  }

  if (!numbers(parallelism, ['tensor', 'pipeline', 'data', 'context', 'expert', 'expertTensor', 'virtualStages', 'microBatches'])) {
    return false;
  }
  if (!(ZERO_STAGES as readonly unknown[]).includes(parallelism.zeroStage) || !isScheduleKind(parallelism.schedule)) return false;
  if (typeof parallelism.dataDerived !== 'boolean' || typeof parallelism.overlapExpertComm !== 'boolean') return false;
  if (!isDispatcher(parallelism.moeTokenDispatcher) || !optionalNumbers(parallelism, ['firstStageLayers', 'lastStageLayers', 'dataShard', 'ddpBucketSize'])) return false;
  for (const k of ['sequenceParallel', 'tpCommOverlap', 'overlapGradReduce', 'overlapParamGather', 'overlapP2pComm']) if (typeof parallelism[k] !== 'boolean') return false;

  if (!numbers(cluster, ['nodes', 'gpusPerNode', 'intraNodeGBps', 'interNodeGBps'])) return false;
  if (!optionalNumbers(cluster, ['pricePerGpuHour'])) return false;
  const gpu = cluster.gpu;
  if (!strings(gpu, ['id', 'name']) || !isFamily(gpu.family) || typeof gpu.mxfp8 !== 'boolean') return false;
  if (!numbers(gpu, ['bf16Tflops', 'hbmGiB', 'hbmTBps', 'nvlinkSpecGBps', 'intraNodeGBps', 'interNodeGBps', 'sms'])) return false;
  if (!optionalNumbers(gpu, ['fp8Tflops'])) return false;
  return true;
}

function isDocumentRef(x: Obj): boolean {
  return isString(x.uri) && isCount(x.version);
}

/** A host message's document and send time. */
function isPosted(x: Obj): boolean {
  return isDocumentRef(x) && isNonNegative(x.sentAt) && (x.editedAt === undefined || isNonNegative(x.editedAt));
}

/** Keys a layout may change (the search's), and how many points one message carries. */
export const LAYOUT_KEYS: readonly string[] = [
  'cluster.nodes', 'parallelism.tensor', 'parallelism.sequence_parallel', 'parallelism.pipeline', 'parallelism.context', 'parallelism.data', 'parallelism.expert',
  'parallelism.expert_tensor', 'parallelism.zero_stage', 'parallelism.schedule', 'parallelism.virtual_stages',
  'training.micro_batch_size', 'training.recompute', 'model.moe.max_nodes_per_token',
];
export const MAX_LAYOUT_POINTS = 200;

/** The layout keys whose value is a boolean; every other takes a count or a short lowercase word. */
const BOOLEAN_LAYOUT_KEYS: readonly string[] = ['parallelism.sequence_parallel'];

function isLayoutValue(key: string, v: unknown): boolean {
  if (BOOLEAN_LAYOUT_KEYS.includes(key)) return typeof v === 'boolean';
  return (isCount(v) && (v as number) <= 1e9) || (isString(v) && /^[a-z0-9-]{1,32}$/.test(v as string));
}

function isLayoutChanges(x: unknown): x is LayoutChange[] {
  return (
    Array.isArray(x) &&
    x.length <= LAYOUT_KEYS.length &&
    x.every((c) => isObject(c) && LAYOUT_KEYS.includes(c.key as string) && isLayoutValue(c.key as string, c.value)) &&
    new Set(x.map((c) => (c as LayoutChange).key)).size === x.length
  );
}

function isLayoutPoint(x: unknown): x is LayoutPoint {
  return isObject(x) && isLayoutChanges(x.changes) && numbers(x, ['gpuHours', 'days', 'peakGiB']) && typeof x.fits === 'boolean';
}

function isLayoutsResult(x: unknown): boolean {
  if (!isObject(x) || !isString(x.objective) || !isString(x.summary) || !isNonNegative(x.hbmGiB)) return false;
  if (x.current !== undefined && !isLayoutPoint(x.current)) return false;
  const list = (l: unknown) => Array.isArray(l) && l.length <= MAX_LAYOUT_POINTS && l.every(isLayoutPoint);
  return list(x.frontier) && list(x.top);
}

/** Host → webview. The webview drops anything this rejects. */
export function isHostMessage(x: unknown): x is HostMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'update':
      return isPosted(x) && isErrors(x.errors) && isResolvedConfig(x.config);
    case 'invalid':
      return isPosted(x) && isErrors(x.errors);
    case 'layouts':
      return (
        isDocumentRef(x) &&
        ['running', 'done', 'failed'].includes(x.state as string) &&
        (x.progress === undefined || numbers(x.progress, ['examined', 'total'])) &&
        (x.result === undefined || isLayoutsResult(x.result)) &&
        (x.message === undefined || isString(x.message))
      );
    default:
      return false;
  }
}

/** Webview → host. The host drops anything this rejects. */
export function isWebviewMessage(x: unknown): x is WebviewMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'ready':
      return true;
    case 'applySchedule':
      return isScheduleKind(x.schedule);
    case 'reveal':
      return isLine(x.line) && x.line >= 0;
    case 'findLayouts':
    case 'cancelLayouts':
      return true;
    case 'applyLayout':
      return isLayoutChanges(x.changes) && x.changes.length > 0;
    case 'rendered':
      return (
        isDocumentRef(x) &&
        isScheduleKind(x.schedule) &&
        isNonNegative(x.gpuHours) &&
        isNonNegative(x.wallClockDays) &&
        isNonNegative(x.renderMs) &&
        isNonNegative(x.updateMs) &&
        isNonNegative(x.sentAt) &&
        isNonNegative(x.receivedAt) &&
        isNonNegative(x.paintedAt) &&
        typeof x.painted === 'boolean' &&
        isCount(x.ops) &&
        typeof x.stale === 'boolean'
      );
    default:
      return false;
  }
}
