import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changesText } from '../../webview/views/layouts';

test('a layout\'s changes read as key and value, a boolean as on or off', () => {
  assert.equal(changesText([]), 'the file as it is');
  assert.equal(
    changesText([{ key: 'parallelism.tensor', value: 8 }, { key: 'parallelism.sequence_parallel', value: true }, { key: 'parallelism.schedule', value: 'zb-h1' }]),
    'tensor 8, sequence_parallel on, schedule zb-h1',
  );
  assert.equal(changesText([{ key: 'parallelism.sequence_parallel', value: false }]), 'sequence_parallel off');
});
