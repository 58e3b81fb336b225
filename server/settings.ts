/**
 * The `trainingConfig.*` settings (package.json `contributes.configuration`), asked of the client with
 * `workspace/configuration` when it can answer, else taken from `initializationOptions` or the settings pushed in
 * `workspace/didChangeConfiguration`. Editors send the section nested (`{validate: {enable: false}}`, as Neovim's
 * `settings` table) or flat (`{"validate.enable": false}`); both are read.
 */
import { DEFAULT_PATTERNS, defaultClusterSetting, formatFilesSetting, type FormatId } from '../language/service';

export const SECTION = 'trainingConfig';

export interface ServerSettings {
  /** Extra glob patterns of files to treat as training configs, besides the defaults. */
  files: string[];
  /** Report problems (hover, completion and code actions work either way). */
  validate: boolean;
  /** `formats.files`: glob → the format its files are read as, whatever their content says. */
  formatFiles: Array<[string, FormatId]>;
  /** `defaultCluster`, as the front ends' defaults (`{ cluster: {...} }`): what a file cannot say. */
  defaults?: Record<string, unknown>;
}

export const DEFAULT_SETTINGS: ServerSettings = { files: [], validate: true, formatFiles: [] };

type Obj = Record<string, unknown>;
const isObject = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** One setting by dotted key, nested or flat. */
function lookup(section: Obj, key: string): unknown {
  if (Object.hasOwn(section, key)) return section[key];
  let at: unknown = section;
  for (const part of key.split('.')) {
    if (!isObject(at) || !Object.hasOwn(at, part)) return undefined;
    at = at[part];
  }
  return at;
}

/** Reads the `trainingConfig` section; anything malformed falls back to the default. */
export function parseSettings(raw: unknown): ServerSettings {
  if (!isObject(raw)) return DEFAULT_SETTINGS;
  // Some clients answer with the whole settings object rather than the section asked for.
  const section = isObject(raw[SECTION]) ? (raw[SECTION] as Obj) : raw;
  const files = lookup(section, 'files');
  return {
    files: Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string' && f.trim() !== '').slice(0, 256) : [],
    validate: lookup(section, 'validate.enable') !== false,
    formatFiles: formatFilesSetting(lookup(section, 'formats.files')),
    defaults: defaultClusterSetting(lookup(section, 'defaultCluster')),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Globs, as VS Code's document filters read them: `**` any folders, `*` and `?` within a name, `{a,b}`, `[...]`.

const MAX_PATTERN_CHARS = 1024;

export function globToRegExp(pattern: string): RegExp | undefined {
  if (pattern.length > MAX_PATTERN_CHARS) return undefined;
  let re = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        // `**/` matches no folder or any number of them; a trailing `**` anything.
        const slash = pattern[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  if (braces > 0) return undefined;
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return undefined;
  }
}

/**
 * Whether a document is a training config: its path matches a default pattern or one of `files`. Patterns without
 * a leading `**` are tried against the path relative to each workspace folder too.
 */
export function isTrainingConfigPath(path: string, files: readonly string[], roots: readonly string[] = []): boolean {
  const candidates = [path, ...roots.filter((r) => path.startsWith(`${r}/`)).map((r) => path.slice(r.length + 1))];
  for (const pattern of [...DEFAULT_PATTERNS, ...files]) {
    const re = globToRegExp(pattern);
    if (re && candidates.some((c) => re.test(c))) return true;
  }
  return false;
}

/** The format a `formats.files` glob forces on a path, if any (tried like `files`, relative to the folders too). */
export function forcedFormat(path: string, formatFiles: ReadonlyArray<readonly [string, FormatId]>, roots: readonly string[] = []): FormatId | undefined {
  const candidates = [path, ...roots.filter((r) => path.startsWith(`${r}/`)).map((r) => path.slice(r.length + 1))];
  for (const [pattern, format] of formatFiles) {
    const re = globToRegExp(pattern);
    if (re && candidates.some((c) => re.test(c))) return format;
  }
  return undefined;
}

/** The path of a `file:` URI (or the opaque part of `untitled:` and other schemes), percent-decoded. */
export function uriPath(uri: string): string {
  try {
    const url = new URL(uri);
    const path = decodeURIComponent(url.pathname);
    // file:///C:/x → C:/x
    return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
  } catch {
    return uri;
  }
}
