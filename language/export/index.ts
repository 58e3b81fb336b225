/** The exporters by target name. */
import type { ExportResult, ExportTarget } from './common';
import { exportMegatron } from './megatron';
import { exportNemo } from './nemo';
import { exportTorchtitan } from './torchtitan';
import { exportTorchtitanJson, exportTorchtitanPython } from './torchtitanMain';

export type { ExportResult, ExportTarget, ExportWarning } from './common';

export const EXPORTERS: Record<ExportTarget, { label: string; run: (value: unknown) => ExportResult }> = {
  megatron: { label: 'Megatron-LM arguments', run: exportMegatron },
  torchtitan: { label: 'torchtitan TOML', run: exportTorchtitan },
  'torchtitan-python': { label: 'torchtitan main Python recipe', run: exportTorchtitanPython },
  'torchtitan-json': { label: 'torchtitan main JSON', run: exportTorchtitanJson },
  nemo: { label: 'Megatron-Bridge overrides (NeMo)', run: exportNemo },
};
