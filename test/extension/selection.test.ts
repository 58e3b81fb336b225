import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLanguageService, FORMAT_PROBE_CHARS } from '../../language/service';
import { defaultClusterSetting, formatFilesSetting, selectDocument, type DocumentFacts, type SelectionSettings } from '../../extension/selection';

const language = createLanguageService();
const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', 'formats', name), 'utf8');
const DEFAULTS: SelectionSettings = { yamlPatterns: ['**/*.train.yaml', '**/*.train.yml'], formatFiles: [] };

/** A glob match good enough for these tests: `**` any path, `*` within one segment. */
function globMatches(pattern: string, path: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '(?:.*/)?');
  return new RegExp(`^/?${source}$`).test(path.replace(/^\//, ''));
}

function select(document: DocumentFacts, settings = DEFAULTS) {
  return selectDocument(document, settings, (p) => globMatches(p, document.fileName), (text, name) => language.formatOf(text, name));
}

test('each format fixture is picked up by its content in the language it opens as', () => {
  const cases: Array<[string, string, string]> = [
    ['megatron-deepseek.sh', 'shellscript', 'megatron'],
    ['megatron-recipe.yaml', 'yaml', 'megatron'],
    ['torchtitan-llama3-8b.toml', 'toml', 'torchtitan'],
    ['torchtitan-llama3-8b.toml', 'plaintext', 'torchtitan'],
    ['nemo-gpt.yaml', 'yaml', 'nemo'],
    ['bridge-run-config.yaml', 'yaml', 'nemo'],
    ['deepspeed-auto.json', 'json', 'deepspeed'],
    ['hf-llama-kv4.json', 'json', 'hf'],
  ];
  for (const [name, languageId, format] of cases) {
    assert.deepEqual(select({ fileName: `/w/${name}`, languageId, text: fixture(name) }), { format, by: 'content' }, name);
  }
});

test('a plain docker-compose.yaml, package.json, tsconfig.json, GitHub workflow or shell script is not claimed', () => {
  const plain: Array<[string, string, string]> = [
    ['/w/docker-compose.yaml', 'yaml', 'services:\n  trainer:\n    image: nvcr.io/nvidia/pytorch:24.05-py3\n    command: torchrun train.py --model llama\n    environment:\n      NUM_LAYERS: "32"\n    deploy:\n      resources:\n        reservations:\n          devices:\n            - driver: nvidia\n              count: 8\n'],
    ['/w/package.json', 'json', readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')],
    ['/w/tsconfig.json', 'jsonc', readFileSync(join(__dirname, '..', '..', '..', 'tsconfig.json'), 'utf8')],
    ['/w/.github/workflows/ci.yml', 'yaml', 'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n'],
    ['/w/scripts/build.sh', 'shellscript', '#!/bin/bash\nset -euo pipefail\nnpm ci\nnode scripts/build.mjs --minify\n'],
    ['/w/pyproject.toml', 'toml', '[project]\nname = "trainer"\nversion = "0.1.0"\n[tool.ruff]\nline-length = 120\n'],
    ['/w/notes.txt', 'plaintext', '--num-layers 32 --hidden-size 4096 torchrun pretrain_gpt.py'],
  ];
  for (const [fileName, languageId, text] of plain) assert.equal(select({ fileName, languageId, text }), undefined, fileName);
});

test('a Megatron launch script in a language that is no config language (Python) is not probed', () => {
  assert.equal(select({ fileName: '/w/launch.py', languageId: 'python', text: fixture('megatron-deepseek.sh') }), undefined);
});

test('*.train.yaml and trainingConfig.files globs are our YAML without reading the text; formats.files forces a format', () => {
  assert.deepEqual(select({ fileName: '/w/a.train.yaml', languageId: 'yaml', text: fixture('nemo-gpt.yaml') }), { format: 'yaml', by: 'name' });
  const settings: SelectionSettings = { yamlPatterns: [...DEFAULTS.yamlPatterns, '**/configs/*.yaml'], formatFiles: [['**/launch/*.sh', 'megatron']] };
  assert.deepEqual(select({ fileName: '/w/configs/run.yaml', languageId: 'yaml', text: 'anything: 1\n' }, settings), { format: 'yaml', by: 'name' });
  // A script detection misses (its flags come from a variable) is read as Megatron because the setting says so.
  const script = '#!/bin/bash\nARGS="$COMMON"\npython train.py $ARGS\n';
  assert.equal(select({ fileName: '/w/launch/run.sh', languageId: 'shellscript', text: script }), undefined);
  assert.deepEqual(select({ fileName: '/w/launch/run.sh', languageId: 'shellscript', text: script }, settings), { format: 'megatron', by: 'setting' });
  assert.equal(select({ fileName: '/w/other/run.sh', languageId: 'shellscript', text: script }, settings), undefined);
});

test('formatOf reads only the first FORMAT_PROBE_CHARS: markers after them are not seen', () => {
  const script = fixture('megatron-deepseek.sh');
  assert.equal(language.formatOf(script, '/w/run.sh'), 'megatron');
  assert.equal(language.formatOf(`${'#\n'.repeat(FORMAT_PROBE_CHARS)}${script}`, '/w/run.sh'), undefined);
  assert.equal(language.formatOf(fixture('nemo-gpt.yaml'), '/w/x.train.yaml'), undefined, 'a *.train.yaml is never another format');
});

test('settings as written: bad entries are dropped, the default cluster becomes ParseOptions.defaults', () => {
  assert.deepEqual(formatFilesSetting({ '**/launch/*.sh': 'megatron', '**/x.json': 'nonsense', '': 'hf', '**/y': 3 }), [['**/launch/*.sh', 'megatron']]);
  assert.deepEqual(formatFilesSetting(['**/a.sh']), []);
  assert.deepEqual(defaultClusterSetting({ gpu: 'h100-sxm', nodes: 64, bad: { x: 1 }, 'Bad Key': 1 }), { cluster: { gpu: 'h100-sxm', nodes: 64 } });
  assert.equal(defaultClusterSetting({}), undefined);
  assert.equal(defaultClusterSetting('h100'), undefined);
});

test('the default cluster fills what a launch script does not say; the assumed-cluster info names both ways', () => {
  const script = fixture('megatron-deepseek.sh').replace(/^.*# tcs:.*$/gm, '');
  const assumed = language.check(script, { fileName: '/w/run.sh' }).diagnostics.filter((d) => d.code === 'formats/assumed' && d.path.startsWith('cluster'));
  assert.ok(assumed.length > 0, 'without a cluster the script\'s is assumed');
  for (const d of assumed) {
    assert.equal(d.severity, 'info');
    assert.match(d.message, /# tcs: cluster/);
    assert.match(d.message, /trainingConfig\.defaultCluster/);
  }
  const withDefaults = language.check(script, { fileName: '/w/run.sh', defaults: { cluster: { gpu: 'h100-sxm', nodes: 64, gpus_per_node: 8 } } });
  assert.deepEqual(withDefaults.diagnostics.filter((d) => d.code === 'formats/assumed' && d.path.startsWith('cluster')), []);
  assert.equal((withDefaults.document.value as { cluster: { gpu: string } }).cluster.gpu, 'h100-sxm');
  // What the file says (its `# tcs:` line) wins over the setting.
  const own = language.check(fixture('megatron-deepseek.sh'), { fileName: '/w/run.sh', defaults: { cluster: { gpu: 'h100-sxm' } } });
  assert.equal((own.document.value as { cluster: { gpu: string } }).cluster.gpu, 'h800');
});
