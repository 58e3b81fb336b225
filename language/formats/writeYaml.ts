/** A config value → `*.train.yaml` text, each value's line carrying a comment (its origin, or why it is assumed). */
import { yamlScalar } from './yaml';

type Obj = Record<string, unknown>;

export function writeTrainYaml(value: Obj, notes: Map<string, string>, header: string[] = []): string {
  const lines = header.map((h) => `# ${h}`);
  const scalar = (v: unknown): string => (Array.isArray(v) ? `[${v.map(scalar).join(', ')}]` : typeof v === 'string' && /^\d+(\.\d+)?[KMBT]$/.test(v) ? v : yamlScalar(v));
  const emit = (obj: Obj, path: string, indent: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const p = path === '' ? k : `${path}.${k}`;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        lines.push(`${indent}${k}:${notes.has(p) ? `  # ${notes.get(p)}` : ''}`);
        emit(v as Obj, p, indent + '  ');
      } else {
        const note = notes.get(p);
        lines.push(`${indent}${k}: ${scalar(v)}${note ? `  # ${note.replace(/\n/g, ' ')}` : ''}`);
      }
    }
  };
  emit(value, '', '');
  return lines.join('\n') + '\n';
}
