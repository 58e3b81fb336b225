/** The formats registered with the checker: the facade checks a launch script on its own lines, with fixes in its syntax. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService } from '../../language/service';
import { fixture } from './helpers';

const apply = (text: string, edits: { range: { start: { line: number; character: number } }; newText: string }[], offsetAt: (p: { line: number; character: number }) => number) => {
  const sorted = [...edits].sort((a, b) => offsetAt(b.range.start) - offsetAt(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetAt(e.range.start)) + e.newText + out.slice(offsetAt(e.range.start));
  return out;
};

test('the facade picks the front end by content and name, and rules land on the flag', () => {
  const svc = createLanguageService();
  const result = svc.check(fixture('megatron-uneven-pp.sh'), { fileName: 'launch.sh' });
  assert.equal(result.document.format, 'megatron');
  const d = result.diagnostics.find((x) => x.code === 'megatron/layers-not-divisible')!;
  assert.equal(d.range.start.line + 1, 20);
  assert.equal(svc.check(fixture('torchtitan-llama3-8b.toml'), { fileName: 'run.toml' }).document.format, 'torchtitan');
  assert.equal(svc.check('name: x\n# --num-layers 4 from torchrun\n', { fileName: 'a.train.yaml' }).document.format, 'yaml', 'a training config is never taken for a script');
});

test('a cluster the file lacks is assumed, said so with how to give it, and its fix writes a # tcs: line that the re-check reads', () => {
  const svc = createLanguageService();
  const text = fixture('megatron-uneven-pp.sh');
  const result = svc.check(text, { fileName: 'launch.sh' });
  assert.ok(!result.diagnostics.some((x) => x.code === 'schema/missing-key'), 'nothing the file cannot say is reported missing');
  const d = result.diagnostics.find((x) => x.code === 'formats/assumed' && x.path === 'cluster.gpu')!;
  assert.equal(d.severity, 'info');
  assert.match(d.message, /^`cluster\.gpu` is not in this file: assumed 4 nodes of 8 × h100-sxm\. To give it, add a comment line `# tcs: cluster\.gpu=…`, pass `--gpu NAME` to `tcs check` or `tcs simulate`, or set `trainingConfig\.defaultCluster`/);
  const [fix] = svc.fixes(result, d);
  assert.equal(fix.fix.edits[0].newText, '# tcs: cluster.gpu=h100-sxm\n');
  const after = svc.check(apply(text, fix.fix.edits, result.document.offsetAt), { fileName: 'launch.sh' });
  assert.ok(!after.diagnostics.some((x) => x.code === 'formats/assumed' && x.path === 'cluster.gpu'));
  const json = svc.check(fixture('hf-mixtral.json'), { fileName: 'config.json' }).diagnostics.find((x) => x.code === 'formats/assumed' && x.path.startsWith('cluster'));
  assert.match(json?.message ?? '', /pass `--gpu NAME --nodes N --gpus-per-node G` to `tcs check`/, 'JSON has no comments: the options and the setting');
  assert.match(json?.message ?? '', /JSON has no comments to write them in/);
  assert.equal(json?.fixes, undefined);
});
