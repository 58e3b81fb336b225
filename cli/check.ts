/** `tcs check FILE...`: the editor's diagnostics in a terminal, as compiler-style lines or JSON. */
import { createLanguageService, recheckBudget, type CheckResult, type Diagnostic, type TextEdit } from '../language/service';
import { stripBom, type Command } from './io';

/** Fixes re-checked per file (each a full check, about a millisecond on a real config), and the time for them. */
const CLI_FIXES_RECHECKED = 256;
const CLI_RECHECK_MS = 2000;

export const CHECK_USAGE = `usage: tcs check [--json] FILE...
  FILE is a training config, or a Megatron-LM script / YAML / argument dump, torchtitan TOML or JSON, NeMo or
  Megatron-Bridge YAML, DeepSpeed JSON or HF config.json: checked on its own lines as the editor checks it, fixes
  in its own syntax (values it lacks are assumed and said so; give them with a
  "# tcs: cluster.gpu=h100-sxm cluster.nodes=64" comment line).
  Checks training configs and prints file:line:col severity code message (1-based), each followed by its best
  quick fix (tried against the whole config: "clears all N errors" or "N errors left"; files over 64 KB and
  fixes past 256 (or 2 s) per file are not re-checked and say so).
  --json   print {"files":[{"file","diagnostics":[{severity,code,message,path,range,fixes}]}]} with 0-based
           ranges; fixes: [{title, errorsLeft, preferred, edits}] best first
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

export const checkCommand: Command = (argv, io) => {
  const json = argv.includes('--json');
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(CHECK_USAGE + '\n');
    return 0;
  }
  const unknown = argv.filter((a) => a.startsWith('-') && a !== '--json');
  const files = argv.filter((a) => !a.startsWith('-'));
  if (unknown.length > 0 || files.length === 0) {
    io.err(`${unknown.length > 0 ? `tcs check: unknown option ${unknown[0]}\n` : 'tcs check: no files given\n'}${CHECK_USAGE}\n`);
    return 2;
  }
  const reports: FileReport[] = [];
  const counts = { error: 0, warning: 0, info: 0 };
  for (const file of files) {
    let text: string;
    try {
      text = stripBom(io.readFile(file));
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException)?.code === 'ENOENT' ? 'no such file' : String((e as Error)?.message ?? e);
      const d: FileReport['diagnostics'][number] = {
        severity: 'error',
        code: 'cli/unreadable',
        message: `Cannot read the file: ${reason}.`,
        path: '',
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      };
      reports.push({ file, diagnostics: [d] });
      counts.error++;
      continue;
    }
    // Any format, as the editor checks it: a Megatron-LM script or a TOML on its own flags and keys, fixes in its syntax.
    const result = language.check(text, { fileName: file });
    for (const d of result.diagnostics) counts[d.severity]++;
    reports.push({ file, diagnostics: reportDiagnostics(result) });
  }
  if (json) {
    io.out(JSON.stringify({ files: reports }, null, 2) + '\n');
  } else {
    for (const r of reports) io.out(formatDiagnostics(r.file, r.diagnostics));
    const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
    io.out(`${n(files.length, 'file')} checked: ${n(counts.error, 'error')}, ${n(counts.warning, 'warning')}, ${counts.info} info\n`);
  }
  return counts.error > 0 ? 1 : 0;
};
