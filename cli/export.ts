/** `tcs export --to megatron|torchtitan|torchtitan-python|torchtitan-json|nemo FILE [-o OUT]`: a training config → the framework's own launch config. */
import { createLanguageService, errorCount, EXPORTERS, type ExportTarget } from '../language/service';
import { readInput, type Command } from './io';

export const EXPORT_USAGE = `usage: tcs export --to megatron|torchtitan|torchtitan-python|torchtitan-json|nemo FILE [-o OUT]
  megatron           Megatron-LM pretrain_gpt.py arguments behind a torchrun line (a bash script)
  torchtitan         torchtitan TOML (v0.2.x, run with --job.config_file)
  torchtitan-python  a torchtitan main recipe: a Python function returning Trainer.Config, run with
                     --module M --config F (token-count batches, model_registry with FP8 converters and MTP)
  torchtitan-json    the same config as JSON, in the shape main's --debug.save_config_file writes; what
                     \`tcs import\` reads back (FP8 and MTP, Python arguments, are warned and dropped)
  nemo               Megatron-Bridge overrides (YAML for scripts/training/run_recipe.py --config-file)
  What the target cannot express is a warning naming the key (on stderr and as WARN lines in the output);
  the GPU and the rest of the cluster travel in a "# tcs:" comment (in JSON, a "tcs" key), so \`tcs import\`
  reads them back.
  Exit code: 0 written, 1 the config has errors (nothing written), 2 usage error.`;

export const exportCommand: Command = (argv, io) => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(EXPORT_USAGE + '\n');
    return 0;
  }
  let to: string | undefined;
  let out: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--to' || a === '-o' || a === '--out') {
      const v = argv[++i];
      if (v === undefined) {
        io.err(`tcs export: ${a} needs a value\n${EXPORT_USAGE}\n`);
        return 2;
      }
      if (a === '--to') to = v;
      else out = v;
    } else if (a.startsWith('--to=')) to = a.slice(5);
    else if (a.startsWith('-')) {
      io.err(`tcs export: unknown option ${a}\n${EXPORT_USAGE}\n`);
      return 2;
    } else files.push(a);
  }
  if (!to || !Object.hasOwn(EXPORTERS, to) || files.length !== 1) {
    io.err(`tcs export: ${!to ? 'no --to target' : !Object.hasOwn(EXPORTERS, to) ? `unknown target \`${to}\` (${Object.keys(EXPORTERS).join(', ')})` : 'give exactly one FILE'}\n${EXPORT_USAGE}\n`);
    return 2;
  }
  const file = files[0];
  const text = readInput(io, file);
  if (text === undefined) return 2;
  const result = createLanguageService().check(text, { fileName: file });
  if (errorCount(result.diagnostics) > 0 || result.document.value === undefined) {
    for (const d of result.diagnostics.filter((x) => x.severity === 'error')) io.err(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1} error ${d.code} ${d.message}\n`);
    io.err(`tcs export: ${file} has errors; fix them first (tcs check ${file}).\n`);
    return 1;
  }
  const exported = EXPORTERS[to as ExportTarget].run(result.document.value);
  if (out !== undefined && io.writeFile) io.writeFile(out, exported.text);
  else io.out(exported.text);
  for (const w of exported.warnings) io.err(`warning ${w.path}: ${w.message}\n`);
  return 0;
};
