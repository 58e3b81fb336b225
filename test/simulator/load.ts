/**
 * Loads an example as the calibration tests see it: through the language service (language/check.ts) when it
 * resolves the YAML, else from the fixtures that mirror it. `source` says which, so a test can report it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkText } from '../../language/check';
import type { ResolvedConfig } from '../../simulator/config';
import { deepSeekV3, llama3405B } from './fixtures';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

export function loadExample(name: 'deepseek-v3' | 'llama3-405b'): { config: ResolvedConfig; source: 'yaml' | 'fixture' } {
  try {
    const checked = checkText(readFileSync(join(EXAMPLES, `${name}.train.yaml`), 'utf8'));
    if (checked.config && !checked.diagnostics.some((d) => d.severity === 'error')) return { config: checked.config, source: 'yaml' };
  } catch {
    // fall through to the fixture
  }
  return { config: name === 'deepseek-v3' ? deepSeekV3() : llama3405B(), source: 'fixture' };
}

/** The Llama 3 405B example with DP changed (the 8,192-GPU row: data 64 on 1,024 nodes). */
export function withData(config: ResolvedConfig, data: number): ResolvedConfig {
  const p = config.parallelism;
  const world = p.tensor * p.context * p.pipeline * data;
  return {
    ...config,
    parallelism: { ...p, data, microBatches: Math.floor(config.training.globalBatchSize / (data * config.training.microBatchSize)) },
    cluster: { ...config.cluster, nodes: world / config.cluster.gpusPerNode },
  };
}
