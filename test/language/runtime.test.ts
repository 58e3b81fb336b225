/** The framework-choice keys: resolved with Megatron-Core's defaults, checked for what Megatron refuses or ignores. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoverAt } from '../../language/hover';
import { applyFix, check, codes, DEEPSEEK, LLAMA, only, setLine } from './helpers';

test("defaults are Megatron-Core's: allgather dispatcher, TP/DP overlap off, P2P overlap on, auto attention, even split", () => {
  const text = LLAMA()
    .replace(/^\s*(first|last)_stage_layers:.*\n/gm, '')
    .replace(/^\s*overlap_(grad_reduce|param_gather):.*\n/gm, '');
  const config = check(text).config!;
  assert.equal(config.parallelism.moeTokenDispatcher, 'allgather');
  assert.equal(config.parallelism.tpCommOverlap, false);
  assert.equal(config.parallelism.overlapGradReduce, false);
  assert.equal(config.parallelism.overlapParamGather, false);
  assert.equal(config.parallelism.overlapP2pComm, true);
  assert.equal(config.parallelism.firstStageLayers, undefined);
  assert.equal(config.training.attentionBackend, 'auto');
});

test('the examples say what was published: Llama 3 without checkpointing, ZeRO-2-like, 128,256 tokens; DeepSeek-V3 with flex', () => {
  const llama = check(LLAMA()).config!;
  assert.equal(llama.training.recompute, 'none');
  assert.equal(llama.parallelism.zeroStage, 2);
  assert.equal(llama.model.vocabSize, 128256);
  assert.equal(llama.parallelism.firstStageLayers, 1);
  // The pinned ends are the published choice, not an uneven split to report; unpinned, the same split is reported.
  assert.ok(!codes(check(LLAMA())).includes('parallelism/uneven-stages'));
  assert.ok(codes(check(LLAMA().replace(/^\s*(first|last)_stage_layers:.*\n/gm, ''))).includes('parallelism/uneven-stages'));
  assert.equal(check(DEEPSEEK()).config!.parallelism.moeTokenDispatcher, 'flex');
});

test('first/last stage layers that leave a stage empty are an error', () => {
  const r = check(setLine(LLAMA(), 'first_stage_layers', '125'));
  assert.match(only(r, 'runtime/stage-layers-exceed').message, /leave 0 of 126 layers for 62 other stages/);
});

test('overlap_param_gather without a sharded optimizer is an error with a zero_stage fix', () => {
  const r = check(setLine(LLAMA(), 'zero_stage', '0'));
  const d = only(r, 'runtime/param-gather-without-sharding');
  assert.ok(!codes(check(applyFix(r, d)), 'error').includes('runtime/param-gather-without-sharding'));
});

test('unfused attention with context parallelism is an error; a dispatcher without EP and tp overlap at TP 1 are warnings', () => {
  assert.ok(codes(check(setLine(LLAMA(), 'context', '2').replace('  recompute: none', '  recompute: none\n  attention_backend: unfused'))).includes('runtime/unfused-with-context-parallel'));
  assert.ok(codes(check(setLine(DEEPSEEK(), 'expert', '1')), 'warning').includes('runtime/dispatcher-without-ep'));
  assert.ok(codes(check(LLAMA().replace('  tensor: 8', '  tensor: 1\n  tp_comm_overlap: true')), 'warning').includes('runtime/tp-overlap-without-tp'));
});

test("tp_comm_sm_margin defaults to Transformer Engine 2.x's 16 SMs, warns without tp_comm_overlap and errs beyond the GPU's SMs", () => {
  const margin = (m: string, overlap: boolean) => LLAMA().replace('  tensor: 8', `  tensor: 8\n  sequence_parallel: true\n  tp_comm_overlap: ${overlap}\n  tp_comm_sm_margin: ${m}`);
  const given = check(margin('{ proj_fprop: 24, qkv_dgrad: 0 }', true));
  assert.deepEqual(given.config!.parallelism.tpCommSmMargin, { proj_fprop: 24, fc2_fprop: 16, qkv_dgrad: 0, qkv_wgrad: 16, fc1_dgrad: 16, fc1_wgrad: 16 });
  assert.ok(!codes(given, 'warning').includes('runtime/sm-margin-without-tp-overlap'));
  assert.ok(codes(check(margin('{ proj_fprop: 24 }', false)), 'warning').includes('runtime/sm-margin-without-tp-overlap'));
  assert.ok(codes(check(margin('{ proj_fprop: 132 }', true))).includes('runtime/sm-margin-exceeds-gpu'));
  assert.ok(!codes(check(margin('{ proj_fprop: 131 }', true))).includes('runtime/sm-margin-exceeds-gpu'));
});

test('hover documents each key with its Megatron flag, through the schema', () => {
  const text = DEEPSEEK();
  const line = text.split('\n').findIndex((l) => l.includes('moe_token_dispatcher'));
  const hover = hoverAt(check(text), { line, character: 4 });
  assert.match(JSON.stringify(hover), /--moe-token-dispatcher-type/);
});
