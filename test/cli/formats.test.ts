/**
 * `tcs check` and `tcs simulate` on a file in another format print each problem's best fix as they do for a
 * training config, the edit written in that file's own syntax; `--json` lists every fix with `errorsLeft`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../cli/main';
import { fakeIO } from '../support/fakeIO';
import { fixture } from '../formats/helpers';

interface JsonFix {
  title: string;
  errorsLeft?: number;
  edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[];
}
interface JsonDiagnostic {
  severity: string;
  code: string;
  fixes?: JsonFix[];
}

function checkJson(file: string, text: string): JsonDiagnostic[] {
  const f = fakeIO({ [file]: text });
  main(['check', '--json', file], f.io);
  return (JSON.parse(f.out()) as { files: { diagnostics: JsonDiagnostic[] }[] }).files[0].diagnostics;
}

/** The text after a fix's edits (each on one line here, so line/character offsets are enough). */
function applyEdits(text: string, edits: JsonFix['edits']): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

/** One broken file per format (the fixtures, with one mistake a practitioner makes), and the fix line it must print. */
const CASES: { format: string; file: string; text: string; code: string; fixLine: RegExp }[] = [
  {
    format: 'Megatron-LM launch script',
    file: 'launch.sh',
    text: fixture('megatron-uneven-pp.sh'), // 30 layers over PP 4
    code: 'megatron/layers-not-divisible',
    fixLine: /^ {2}fix: Set `--pipeline-model-parallel-size 2`$/m,
  },
  {
    format: 'torchtitan TOML',
    file: 'small.toml',
    text: fixture('torchtitan-gbs-below-dp.toml'), // a global batch of 16 over 32 data-parallel ranks
    code: 'parallelism/micro-batches',
    fixLine: /^ {2}fix: Set `global_batch_size = 32` \(1 micro-batch\)$/m,
  },
  {
    format: 'NeMo YAML',
    file: 'nemo.yaml',
    text: fixture('nemo-gpt.yaml').replace('tensor_model_parallel_size: 4', 'tensor_model_parallel_size: 3'), // 40 heads over TP 3
    code: 'parallelism/heads-tensor',
    fixLine: /^ {2}fix: Set `tensor_model_parallel_size: 2` \(clears all \d+ errors\)$/m,
  },
  {
    format: 'DeepSpeed JSON',
    file: 'ds.json',
    text: fixture('deepspeed-mismatch.json'), // train_batch_size 1000 ≠ 4 × 8 × DP
    code: 'deepspeed/batch-mismatch',
    fixLine: /^ {2}fix: Set `"train_batch_size": 992` \(31 micro-batches\)/m,
  },
  {
    format: 'Hugging Face config.json',
    file: 'config.json',
    text: fixture('hf-llama-kv4.json').replace('"num_key_value_heads": 4', '"num_key_value_heads": 5'), // 32 heads over 5 groups
    code: 'model/kv-heads',
    fixLine: /^ {2}fix: Set `"num_key_value_heads": 4`$/m,
  },
];

for (const c of CASES) {
  test(`tcs check on a ${c.format} prints the best fix in its own syntax after the problem`, () => {
    const f = fakeIO({ [c.file]: c.text });
    assert.equal(main(['check', c.file], f.io), 1);
    const lines = f.out().split('\n');
    const at = lines.findIndex((l) => l.startsWith(`${c.file}:`) && l.includes(` ${c.code} `));
    assert.ok(at >= 0, f.out());
    assert.match(lines[at + 1], c.fixLine, `the line after the problem:\n${f.out()}`);
  });

  test(`tcs check --json on a ${c.format} lists the fixes with errorsLeft, and the best one does what it says`, () => {
    const diagnostics = checkJson(c.file, c.text);
    const d = diagnostics.find((x) => x.code === c.code)!;
    assert.ok(d.fixes && d.fixes.length > 0, JSON.stringify(d));
    for (const fix of d.fixes) assert.equal(typeof fix.errorsLeft, 'number', fix.title);
    const lefts = d.fixes.map((x) => x.errorsLeft!);
    assert.deepEqual(lefts, [...lefts].sort((a, b) => a - b), 'fewest errors left first');
    const best = d.fixes[0];
    const after = checkJson(c.file, applyEdits(c.text, best.edits));
    assert.equal(after.filter((x) => x.severity === 'error').length, best.errorsLeft, `after "${best.title}"`);
    assert.ok(!after.some((x) => x.code === c.code), `"${best.title}" removes the problem`);
  });
}

test('tcs simulate on a broken launch script prints its errors as tcs check does, with the fix line', () => {
  const f = fakeIO({ 'launch.sh': fixture('megatron-uneven-pp.sh') });
  assert.equal(main(['simulate', 'launch.sh'], f.io), 1);
  assert.match(f.err(), /^launch\.sh:20:69 error megatron\/layers-not-divisible .*\n {2}fix: Set `--pipeline-model-parallel-size 2`\n/m);
  assert.match(f.err(), /not simulated: 1 error/);
});

test('a value the file lacks is an info with a fix that writes it as a # tcs: line, which the re-check then reads', () => {
  const text = fixture('megatron-uneven-pp.sh');
  const assumed = checkJson('launch.sh', text).find((x) => x.code === 'formats/assumed' && JSON.stringify(x).includes('cluster.gpu'))!;
  assert.equal(assumed.severity, 'info');
  const [fix] = assumed.fixes!;
  assert.match(fix.title, /^Write the assumed cluster: `# tcs: cluster\.gpu=h100-sxm`/);
  const after = checkJson('launch.sh', applyEdits(text, fix.edits));
  assert.ok(!after.some((x) => x.code === 'formats/assumed' && JSON.stringify(x).includes('cluster.gpu')));
});
