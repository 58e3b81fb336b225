/**
 * Two small languages Megatron-LM takes as strings, parsed here and never evaluated:
 *  - `--moe-layer-freq`: an integer N (every N-th layer is MoE) or a Python list expression of 0/1 such as
 *    `([0]*3+[1]*58)` (Megatron checks it against `[^,\d\[\]\(\)\+\*]` and then `eval`s it; megatron/training/arguments.py);
 *  - `--pipeline-model-parallel-layout`: stages split by `|`, `E` embedding, `t` a transformer layer, `m` an MTP
 *    layer, `L` the loss, `(…)*N` / `x*N` repetition, commas cosmetic (megatron/core/transformer/pipeline_parallel_layer_layout.py).
 * Both expansions are capped, so `([1]*999999999)` is an error, not a hang.
 */

/** Items either expansion may produce; a model has at most 1,024 layers in the schema. */
export const MAX_EXPANDED_ITEMS = 100_000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** `([0]*3+[1]*58)` → [0,0,0,1,…]; an integer N → undefined pattern, `{ every: N }`. */
export function parseLayerFreq(text: string, layers?: number): Parsed<number[]> {
  const s = text.trim().replace(/^['"]|['"]$/g, '');
  if (/^\d+$/.test(s)) {
    const every = Number(s);
    if (every < 1) return { ok: false, error: 'the frequency must be at least 1' };
    if (layers === undefined) return { ok: false, error: 'an integer frequency needs the layer count' };
    return { ok: true, value: Array.from({ length: Math.min(layers, MAX_EXPANDED_ITEMS) }, (_, i) => (i % every === 0 ? 1 : 0)) };
  }
  if (/[^,\d\[\]()+*\s]/.test(s)) return { ok: false, error: 'only digits, commas, brackets, + and * are allowed' };
  let i = 0;
  const skip = () => { while (s[i] === ' ' || s[i] === '\t') i++; };
  const int = (): number | undefined => {
    skip();
    const m = /^\d{1,9}/.exec(s.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return Number(m[0]);
  };
  let depth = 0;
  const fail = (error: string): never => { throw new Error(error); };
  const primary = (): number[] | number => {
    skip();
    if (s[i] === '[') {
      i++;
      const out: number[] = [];
      skip();
      while (s[i] !== ']') {
        const v = int();
        if (v === undefined) fail(`expected a number at character ${i + 1}`);
        out.push(v!);
        skip();
        if (s[i] === ',') i++;
        else if (s[i] !== ']') fail(`expected , or ] at character ${i + 1}`);
        skip();
      }
      i++;
      return out;
    }
    if (s[i] === '(') {
      if (++depth > 64) fail('parentheses nest too deep');
      i++;
      const v = expr();
      skip();
      if (s[i] !== ')') fail(`expected ) at character ${i + 1}`);
      i++;
      depth--;
      return v;
    }
    const v = int();
    if (v === undefined) fail(`unexpected ${s[i] === undefined ? 'end' : `\`${s[i]}\``} at character ${i + 1}`);
    return v!;
  };
  const term = (): number[] => {
    let v = primary();
    skip();
    while (s[i] === '*') {
      i++;
      const w = primary();
      if (Array.isArray(v) === Array.isArray(w)) fail('`*` needs one list and one count');
      const [list, count] = Array.isArray(v) ? [v, w as number] : [w as number[], v as number];
      if (list.length * count > MAX_EXPANDED_ITEMS) fail(`expands to more than ${MAX_EXPANDED_ITEMS.toLocaleString('en-US')} layers`);
      const out: number[] = [];
      for (let k = 0; k < count; k++) out.push(...list);
      v = out;
      skip();
    }
    if (!Array.isArray(v)) fail('a count without a list');
    return v as number[];
  };
  const expr = (): number[] => {
    let v = term();
    skip();
    while (s[i] === '+') {
      i++;
      const w = term();
      if (v.length + w.length > MAX_EXPANDED_ITEMS) fail(`expands to more than ${MAX_EXPANDED_ITEMS.toLocaleString('en-US')} layers`);
      v = [...v, ...w];
      skip();
    }
    return v;
  };
  try {
    const v = expr();
    skip();
    if (i < s.length) return { ok: false, error: `unexpected \`${s[i]}\` at character ${i + 1}` };
    if (v.some((x) => x !== 0 && x !== 1)) return { ok: false, error: 'every item must be 0 (dense) or 1 (MoE)' };
    return { ok: true, value: v };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** The Megatron list expression for d leading dense layers then L-d MoE layers. */
export function layerFreqText(denseLayers: number, layers: number): string {
  if (denseLayers === 0) return '1';
  return `([0]*${denseLayers}+[1]*${layers - denseLayers})`;
}

export interface LayoutStage {
  embedding: boolean;
  layers: number;
  mtp: number;
  loss: boolean;
}

/** `Et*3|(tt|)*29m|L` → one entry per pipeline stage (virtual stages included, in order). */
export function parseLayout(text: string): Parsed<LayoutStage[]> {
  const s = text.trim().replace(/^['"]|['"]$/g, '');
  if (/[^EtmL|()*,\d\s]/.test(s)) return { ok: false, error: 'only E, t, m, L, |, (, ), * and digits are allowed' };
  let i = 0;
  let total = 0;
  const fail = (error: string): never => { throw new Error(error); };
  let depth = 0;
  // Items are kept as strings of E/t/m/L/| characters.
  const seq = (): string => {
    let out = '';
    while (i < s.length && s[i] !== ')') {
      const c = s[i];
      if (c === ' ' || c === ',' || c === '\t') { i++; continue; }
      let item: string;
      if (c === '(') {
        if (++depth > 64) fail('parentheses nest too deep');
        i++;
        item = seq();
        if (s[i] !== ')') fail('a `(` is never closed');
        i++;
        depth--;
      } else if ('EtmL|'.includes(c)) {
        item = c;
        i++;
      } else fail(`unexpected \`${c}\` at character ${i + 1}`);
      while (s[i] === ' ') i++;
      if (s[i] === '*') {
        i++;
        const m = /^\s*(\d{1,9})/.exec(s.slice(i));
        if (!m) fail(`expected a count after * at character ${i + 1}`);
        i += m![0].length;
        const count = Number(m![1]);
        if (item!.length * count + total > MAX_EXPANDED_ITEMS) fail(`expands to more than ${MAX_EXPANDED_ITEMS.toLocaleString('en-US')} items`);
        item = item!.repeat(count);
      }
      total += item!.length;
      out += item!;
    }
    return out;
  };
  try {
    const flat = seq();
    if (i < s.length) return { ok: false, error: `unexpected \`${s[i]}\` at character ${i + 1}` };
    const stages = flat.split('|').map((st) => ({
      embedding: st.includes('E'),
      layers: [...st].filter((c) => c === 't').length,
      mtp: [...st].filter((c) => c === 'm').length,
      loss: st.includes('L'),
    }));
    return { ok: true, value: stages };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
