/** `tcs import FILE...`: Megatron-LM, torchtitan, NeMo, DeepSpeed and HF files → one `*.train.yaml`. */
import { createLanguageService, importFiles, type Diagnostic, type ImportFile, type ImportOptions } from '../language/service';
import { CLUSTER_OPTIONS_USAGE, emptyClusterOptions, isClusterFlag, readClusterOption } from './clusterOptions';
import { readInput, type Command } from './io';

export const IMPORT_USAGE = `usage: tcs import FILE... [--gpu NAME] [--nodes N] [--gpus-per-node G] [-o OUT]
  Reads Megatron-LM arguments (launch script, functional-test or recipe YAML, start-up argument dump),
  torchtitan TOML or JSON dump, NeMo / Megatron-Bridge YAML, DeepSpeed JSON and Hugging Face config.json,
  combined (e.g. a launch script and the model's config.json), and writes a training config: every value with a
  comment naming its origin (file:line flag), every value no input gives taken from the options or a default and
  marked assumed (also listed on stderr). Writes to stdout, or to OUT with -o.
${CLUSTER_OPTIONS_USAGE}
  Exit code: 0 the result checks clean, 1 it has errors (still written), 2 a file is not a known format or usage.`;

const VALUE_OPTIONS = new Set(['-o', '--out']);

function line(file: string, d: Diagnostic, extra = ''): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code} ${d.message}${extra}\n`;
}

export const importCommand: Command = (argv, io) => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(IMPORT_USAGE + '\n');
    return 0;
  }
  const files: string[] = [];
  const opts: Record<string, string> = {};
  const cluster = emptyClusterOptions();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (isClusterFlag(a)) {
      const problem = readClusterOption(cluster, a, argv[++i]);
      if (problem) {
        io.err(`tcs import: ${problem}\n${IMPORT_USAGE}\n`);
        return 2;
      }
    } else if (VALUE_OPTIONS.has(a)) {
      if (argv[i + 1] === undefined) {
        io.err(`tcs import: ${a} needs a value\n${IMPORT_USAGE}\n`);
        return 2;
      }
      opts[a === '--out' ? '-o' : a] = argv[++i];
    } else if (a.startsWith('-')) {
      io.err(`tcs import: unknown option ${a}\n${IMPORT_USAGE}\n`);
      return 2;
    } else files.push(a);
  }
  if (files.length === 0) {
    io.err(`tcs import: no files given\n${IMPORT_USAGE}\n`);
    return 2;
  }
  const options: ImportOptions = cluster.options;
  const texts: ImportFile[] = [];
  for (const file of files) {
    const text = readInput(io, file);
    if (text === undefined) return 2;
    texts.push({ name: file, text });
  }
  const outcome = importFiles(texts, options);
  if (!outcome.ok) {
    io.err(`${outcome.file}: ${outcome.message}\n`);
    return 2;
  }
  let errors = 0;
  for (const { file, diagnostic } of outcome.diagnostics) {
    if (diagnostic.severity === 'error') errors++;
    io.err(line(file, diagnostic));
  }
  const yaml = outcome.yaml;
  const out = opts['-o'];
  if (out !== undefined) {
    if (!io.writeFile) {
      io.err('tcs import: cannot write files here\n');
      return 2;
    }
    io.writeFile(out, yaml);
  } else io.out(yaml);
  for (const a of outcome.assumed) io.err(`assumed ${a.path} = ${JSON.stringify(a.value)} (${a.from})\n`);
  for (const [path, g] of cluster.given) {
    if (!outcome.assumed.some((a) => a.path === path)) io.err(`${g.flag} ${g.value} not used: an input gives ${path}\n`);
  }
  const result = createLanguageService().check(yaml, { format: 'yaml' });
  const name = out ?? '<stdout>';
  for (const d of result.diagnostics) {
    if (d.severity === 'error') errors++;
    const origin = outcome.notes.get(d.path);
    io.err(line(name, d, origin ? ` [${origin}]` : ''));
  }
  return errors > 0 ? 1 : 0;
};
