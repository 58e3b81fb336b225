/** The small readers under the front ends: bash words, TOML and JSON with positions, `# tcs:` lines, combining. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combine } from '../../language/formats/combine';
import { parseJson } from '../../language/formats/json';
import { parseMegatron } from '../../language/formats/megatron';
import { parseHf } from '../../language/formats/hf';
import { tokenizeShell } from '../../language/formats/shell';
import { getPath } from '../../language/formats/source';
import { parseToml } from '../../language/formats/toml';
import { parseTorchtitan } from '../../language/formats/torchtitan';

const words = (text: string) => tokenizeShell(text).commands.map((c) => c.words.map((w) => w.text));

test('shell: quotes, continuations, comments, arrays, defaults and unknown expansions', () => {
  assert.deepEqual(words(`a 'b c' "d $X" e\\\n  f # g\n`), [['a', 'b c', 'd ', 'e', 'f']]);
  assert.deepEqual(words('X=1\nY="$X 2"\necho $Y "$Y" ${Y}'), [['echo', '1', '2', '1 2', '1', '2']]);
  assert.deepEqual(words('A=(--a 1 "--b c")\nrun "${A[@]}" ${A[0]}'), [['run', '--a', '1', '--b c', '--a']]);
  assert.deepEqual(words('A=(x)\nA+=(y)\nS=a\nS+=b\nrun ${A[@]} $S'), [['run', 'x', 'y', 'ab']]);
  assert.deepEqual(words('export N=3\ndeclare -a L=(p q)\nrun $N "${L[@]}"'), [['run', '3', 'p', 'q']]);
  const s = tokenizeShell('G=${GPUS:-8}\nrun $G $(nproc) $1 `hostname`');
  const run = s.commands[0].words;
  assert.equal(run[1].text, '8');
  assert.equal(run[1].defaulted, true, 'a default the environment may override');
  assert.ok(run.slice(2).every((w) => w.unknown));
  assert.deepEqual(words('cat <<EOF\n--num-layers 9\nEOF\nrun x'), [['cat'], ['run', 'x']]);
  assert.deepEqual(words('a; b && c | d'), [['a'], ['b'], ['c'], ['d']]);
});

test('shell: a flag from a variable points at where the variable is set', () => {
  const text = 'L=48\ntorchrun pretrain_gpt.py --num-layers $L --hidden-size=1024\n';
  const doc = parseMegatron(text);
  const v = doc.nodes.get('model.layers')!.value;
  assert.equal(text.slice(doc.offsetAt(v.start), doc.offsetAt(v.end)), '48');
  const h = doc.nodes.get('model.hidden_size')!;
  assert.equal(text.slice(doc.offsetAt(h.key!.start), doc.offsetAt(h.key!.end)), '--hidden-size');
  assert.equal(text.slice(doc.offsetAt(h.value.start), doc.offsetAt(h.value.end)), '1024');
});

test('toml: tables, dotted and quoted keys, strings, numbers, arrays, inline tables, arrays of tables', () => {
  const r = parseToml(`# c\ntop = 1\n[a.b]\n"q k" = 'lit'\nx.y = 0x1F\nm = """\nline"""\narr = [1, 2,\n  # inside\n  3,]\nt = { p = true, s = "é\\u00e9" }\n[[run]]\nn = 1_000\n[[run]]\nn = -2.5e3\n`);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.value, { top: 1, a: { b: { 'q k': 'lit', x: { y: 31 }, m: 'line', arr: [1, 2, 3], t: { p: true, s: 'éé' } } }, run: [{ n: 1000 }, { n: -2500 }] });
  const span = r.spans.get('a.b.arr')!;
  assert.equal(span.valueStart < span.valueEnd, true);
  assert.match(parseToml('a = 1\na = 2\n').error!.message, /set twice/);
  assert.match(parseToml('[x]\n[x]\n').error!.message, /defined twice/);
  assert.match(parseToml('a = 1 b\n').error!.message, /end of the line/);
  assert.match(parseToml('= 1\n').error!.message, /key/);
});

test('json: values with key and value offsets; errors with their offset', () => {
  const text = '{"a": {"b": [1, "x"]}, "c": null}';
  const r = parseJson(text);
  assert.deepEqual(r.value, { a: { b: [1, 'x'] }, c: null });
  const b = r.spans.get('a.b')!;
  assert.equal(text.slice(b.keyStart, b.keyEnd), '"b"');
  assert.equal(text.slice(b.valueStart, b.valueEnd), '[1, "x"]');
  assert.equal(text.slice(r.spans.get('a.b.1')!.valueStart, r.spans.get('a.b.1')!.valueEnd), '"x"');
  assert.deepEqual(parseJson('{"a": 1,}').error?.at, 8);
  assert.match(parseJson('{"a": "x\n"}').error!.message, /control character/);
});

test('# tcs: comment lines give what the file cannot, and never override what it says', () => {
  const doc = parseTorchtitan('# tcs: cluster.gpu=h800 cluster.nodes=4 name="My run"\n[model]\nname = "llama3"\nflavor = "8B"\n[parallelism]\ntensor_parallel_degree = 2\n# tcs: parallelism.tensor=4\n');
  assert.equal(getPath(doc.value, 'cluster.gpu'), 'h800');
  assert.equal(getPath(doc.value, 'cluster.nodes'), 4);
  assert.equal(getPath(doc.value, 'name'), 'My run');
  assert.equal(getPath(doc.value, 'parallelism.tensor'), 2);
  assert.ok(doc.diagnostics.some((d) => d.code === 'formats/directive-conflict'));
  assert.equal(doc.edits.setValue('cluster.nodes', 8)?.[0].newText, '8', 'the comment is edited in place');
});

test('combine: explicit values beat framework defaults, the model config wins on shape, later files fill gaps', () => {
  const script = parseMegatron('torchrun pretrain_gpt.py --num-layers 32 --hidden-size 4096 --num-attention-heads 32 --seq-length 4096\n');
  const hf = parseHf('{"model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256, "hidden_act": "silu"}');
  const { value, notes, diagnostics, assumed } = combine([{ file: 'a.sh', doc: script }, { file: 'config.json', doc: hf }], { nodes: 2 });
  assert.equal(getPath(value, 'model.attention.type'), 'gqa', 'the script only implies MHA by leaving out --group-query-attention');
  assert.equal(getPath(value, 'model.activation'), 'swiglu');
  assert.equal(notes.get('model.attention.kv_heads'), 'config.json:1 num_key_value_heads');
  assert.equal(notes.get('model.layers'), 'a.sh:1 --num-layers');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(assumed.map((a) => a.path), ['cluster.nodes', 'training.tokens', 'training.global_batch_size', 'cluster.gpu', 'cluster.gpus_per_node']);
  assert.equal(getPath(value, 'cluster.nodes'), 2);
  assert.deepEqual(Object.keys(value), ['name', 'model', 'training', 'parallelism', 'cluster'], 'schema order; no precision flag, no precision section');
});

test('ParseOptions.defaults fill only what the file leaves out (the editor\'s cluster setting)', () => {
  const doc = parseTorchtitan('# tcs: cluster.nodes=4\n[model]\nname = "llama3"\nflavor = "8B"\n', { defaults: { cluster: { gpu: 'h800', nodes: 64 } } });
  assert.equal(getPath(doc.value, 'cluster.gpu'), 'h800');
  assert.equal(getPath(doc.value, 'cluster.nodes'), 4, 'the file\'s own # tcs: line wins');
  assert.equal(doc.nodes.has('cluster.gpu'), false, 'a default has no text in the file');
});
