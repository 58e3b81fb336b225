/** The exporters by target name. */
import type { ExportResult, ExportTarget } from './common';
import { exportMegatron } from './megatron';
import { exportNemo } from './nemo';
import { exportTorchtitan } from './torchtitan';
import { exportTorchtitanJson } from './torchtitanJson';

export type { ExportResult, ExportTarget, ExportWarning } from './common';

export const EXPORTERS: Record<ExportTarget, { label: string; run: (value: unknown) => ExportResult }> = {
  megatron: { label: 'Megatron-LM arguments', run: exportMegatron },
  torchtitan: { label: 'torchtitan TOML', run: exportTorchtitan },
  'torchtitan-json': { label: 'torchtitan main JSON', run: exportTorchtitanJson },
  nemo: { label: 'Megatron-Bridge overrides (NeMo)', run: exportNemo },
};
