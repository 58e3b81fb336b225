/** `tcs check FILE...`: the editor's diagnostics in a terminal, as compiler-style lines or JSON. */
import { createLanguageService, recheckBudget, type CheckResult, type Diagnostic, type TextEdit } from '../language/service';
import { clusterDefaults, CLUSTER_OPTIONS_USAGE, emptyClusterOptions, isClusterFlag, readClusterOption, unusedOptions, type ClusterOptions } from './clusterOptions';
import { stripBom, type CliIO, type Command } from './io';

/** Fixes re-checked per file (each a full check, about a millisecond on a real config), and the time for them. */
const CLI_FIXES_RECHECKED = 256;
const CLI_RECHECK_MS = 2000;

export const CHECK_USAGE = `usage: tcs check [--json] [--gpu NAME] [--nodes N] [--gpus-per-node G] FILE...
  FILE is a training config, or a Megatron-LM script / YAML / argument dump, torchtitan TOML or JSON, NeMo or
  Megatron-Bridge YAML, DeepSpeed JSON or HF config.json: checked on its own lines as the editor checks it, fixes
  in its own syntax (values it lacks are assumed and said so; give them with the options below or a
  "# tcs: cluster.gpu=h100-sxm cluster.nodes=64" comment line).
  Files that hold parts of one config are checked as one, combined as \`tcs import\` combines them: a Hugging Face
  config.json (the model) or a DeepSpeed JSON (no model) joins each Megatron-LM, torchtitan or NeMo file given
  with it, or, with none, the others of its kind (\`tcs check ds_config.json config.json\`). Each diagnostic is
  printed in the file that gave the value. Training configs (*.train.yaml) are each checked alone.
  Checks training configs and prints file:line:col severity code message (1-based), each followed by its best
  quick fix (tried against the whole config: "clears all N errors" or "N errors left"; files over 64 KB and
  fixes past 256 (or 2 s) per file are not re-checked and say so).
  --json   print {"files":[{"file","diagnostics":[{severity,code,message,path,range,fixes}],"with"?}]} with 0-based
           ranges; fixes: [{title, errorsLeft, preferred, edits}] best first; "with": the files checked with it
${CLUSTER_OPTIONS_USAGE}
           (an option a file does not need, because it says the value itself, is named on stderr)
  Exit code: 0 no errors, 1 errors found (or a file could not be read), 2 usage error.`;

interface ReportedFix {
  title: string;
  /** Errors in the file after this fix; absent when it was not re-checked (over the per-file budget or size). */
  errorsLeft?: number;
  preferred: boolean;
  edits: TextEdit[];
}

interface FileReport {
  file: string;
  /** The other files checked with this one as one config. */
  with?: string[];
  diagnostics: (Pick<Diagnostic, 'severity' | 'code' | 'message' | 'path' | 'range'> & { fixes?: ReportedFix[] })[];
}

type ReportedDiagnostic = FileReport['diagnostics'][number];

const language = createLanguageService();

/**
 * A checked file's diagnostics (those `include` keeps), each with its fixes as the editor offers them, re-checked
 * within the CLI's budget.
 */
export function reportDiagnostics(result: CheckResult, include: (d: Diagnostic) => boolean = () => true): ReportedDiagnostic[] {
  const { diagnostics } = result;
  // No keystroke waits here, so a far larger budget than the editor's; past it, a fix is printed as unchecked.
  const budget = recheckBudget(CLI_FIXES_RECHECKED, CLI_RECHECK_MS);
  return diagnostics.filter(include).map((d) => {
    const { severity, code, message, path, range } = d;
    const fixes = language.fixes(result, d, budget).map((p) => ({
      title: p.title,
      ...(p.errorsLeft !== undefined ? { errorsLeft: p.errorsLeft } : {}),
      preferred: p.preferred,
      edits: p.fix.edits,
    }));
    return fixes.length > 0 ? { severity, code, message, path, range, fixes } : { severity, code, message, path, range };
  });
}

/** `file:line:col severity code message` (1-based) per diagnostic, each followed by `  fix: …`, its best fix. */
export function formatDiagnostics(file: string, diagnostics: readonly ReportedDiagnostic[]): string {
  let out = '';
  for (const d of diagnostics) {
    out += `${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code} ${d.message}\n`;
    const best = d.fixes?.[0];
    if (best) out += `  fix${best.errorsLeft === undefined ? ' (not re-checked)' : ''}: ${best.title}\n`;
  }
  return out;
}

/** A file to check: its name and text, or why it could not be read. */
type Input = { file: string; text: string } | { file: string; unreadable: string };

/** The formats that hold part of a config and join the files beside them: the model alone, or everything but the model. */
const PART_FORMATS = new Set(['hf', 'deepspeed']);

/**
 * Which files are checked as one config: each Megatron-LM / torchtitan / NeMo file with every HF config.json and
 * DeepSpeed JSON given (the parts); with no such file, the parts together; training configs alone.
 */
export function configGroups(files: readonly { file: string; text: string }[]): { file: string; text: string }[][] {
  const format = (f: { file: string; text: string }) => language.formatOf(f.text, f.file);
  const parts = files.filter((f) => PART_FORMATS.has(format(f) ?? ''));
  const whole = files.filter((f) => format(f) !== undefined && !parts.includes(f));
  const alone = files.filter((f) => format(f) === undefined).map((f) => [f]);
  if (parts.length === 0) return [...whole.map((f) => [f]), ...alone];
  return [...(whole.length > 0 ? whole.map((f) => [f, ...parts]) : [parts]), ...alone];
}

/** Reads `--json`, the cluster options and the files; a usage message when they are wrong. */
function parseArgs(argv: string[]): { json: boolean; cluster: ClusterOptions; files: string[] } | string {
  const cluster = emptyClusterOptions();
  const files: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (argv[i] === '--json') json = true;
    else if (isClusterFlag(flag)) {
      const problem = readClusterOption(cluster, flag, inline ?? argv[++i]);
      if (problem) return problem;
    } else if (argv[i].startsWith('-')) return `unknown option ${argv[i]}`;
    else files.push(argv[i]);
  }
  return files.length === 0 ? 'no files given' : { json, cluster, files };
}

function readAll(io: CliIO, files: readonly string[]): Input[] {
  return files.map((file) => {
    try {
      return { file, text: stripBom(io.readFile(file)) };
    } catch (e) {
      return { file, unreadable: (e as NodeJS.ErrnoException)?.code === 'ENOENT' ? 'no such file' : String((e as Error)?.message ?? e) };
    }
  });
}

export const checkCommand: Command = (argv, io) => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(CHECK_USAGE + '\n');
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.err(`tcs check: ${args}\n${CHECK_USAGE}\n`);
    return 2;
  }
  const { json, cluster, files } = args;
  const defaults = clusterDefaults(cluster);
  const reports: FileReport[] = [];
  const counts = { error: 0, warning: 0, info: 0 };
  const inputs = readAll(io, files);
  for (const input of inputs) {
    if (!('unreadable' in input)) continue;
    const d: FileReport['diagnostics'][number] = {
      severity: 'error',
      code: 'cli/unreadable',
      message: `Cannot read the file: ${input.unreadable}.`,
      path: '',
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    };
    reports.push({ file: input.file, diagnostics: [d] });
    counts.error++;
  }
  const readable = inputs.filter((i): i is { file: string; text: string } => 'text' in i);
  for (const group of configGroups(readable)) {
    const together = group.length > 1 ? group.map((f) => ({ fileName: f.file, text: f.text })) : undefined;
    if (together) io.err(`${group.map((f) => f.file).join(' + ')}: checked as one config\n`);
    for (const { file, text } of group) {
      // Any format, as the editor checks it: a Megatron-LM script or a TOML on its own flags and keys, fixes in its syntax.
      const result = language.check(text, { fileName: file, defaults, group: together });
      for (const d of result.diagnostics) counts[d.severity]++;
      const report: FileReport = { file, diagnostics: reportDiagnostics(result) };
      if (together) report.with = group.filter((f) => f.file !== file).map((f) => f.file);
      reports.push(report);
      if (file === group[0].file) io.err(unusedOptions(file, cluster, result.config?.cluster));
    }
  }
  // In the order the files were given (a file checked in two configs keeps both reports, in turn).
  reports.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file));
  if (json) {
    io.out(JSON.stringify({ files: reports }, null, 2) + '\n');
  } else {
    for (const r of reports) io.out(formatDiagnostics(r.file, r.diagnostics));
    const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
    io.out(`${n(files.length, 'file')} checked: ${n(counts.error, 'error')}, ${n(counts.warning, 'warning')}, ${counts.info} info\n`);
  }
  return counts.error > 0 ? 1 : 0;
};
