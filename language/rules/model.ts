/** Rules about the model alone: head grouping and the dense layers of an MoE model. */
import type { Diagnostic } from '../diagnostics';
import { setValueFix } from '../fixes';
import { divisors, fmt, nearest, report, type RuleContext } from './context';

export function modelRules(ctx: RuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { model } = ctx.config;
  const a = model.attention;
  if (a.type === 'gqa' && a.heads % a.kvHeads !== 0) {
    const fixes = nearest(divisors(a.heads), a.kvHeads).map((k) => setValueFix(ctx.doc, 'model.attention.kv_heads', k));
    out.push(
      report(ctx, 'error', 'model/kv-heads', 'model.attention.kv_heads',
        `${fmt(a.heads)} query heads cannot be grouped over ${fmt(a.kvHeads)} key/value heads: kv_heads must divide heads.`, fixes),
    );
  }
  if (a.kvHeads > a.heads) {
    out.push(report(ctx, 'error', 'model/kv-heads', 'model.attention.kv_heads', `kv_heads ${fmt(a.kvHeads)} is more than heads ${fmt(a.heads)}.`));
  }
  const moe = model.moe;
  if (moe && moe.denseLayers > model.layers) {
    out.push(
      report(ctx, 'error', 'model/dense-layers', 'model.moe.dense_layers',
        `dense_layers ${fmt(moe.denseLayers)} is more than the model's ${fmt(model.layers)} layers.`,
        [setValueFix(ctx.doc, 'model.moe.dense_layers', model.layers)]),
    );
  }
  if (moe && moe.denseLayers > 0 && !ctx.doc.nodes.has('model.ffn_hidden_size')) {
    out.push(
      report(ctx, 'error', 'model/ffn-hidden-size', 'model.moe.dense_layers',
        `The first ${fmt(moe.denseLayers)} layers are dense, so they need \`model.ffn_hidden_size\`.`,
        [setValueFix(ctx.doc, 'model.ffn_hidden_size', 4 * model.hiddenSize, 'Add ffn_hidden_size')]),
    );
  }
  if (moe && moe.expertsPerToken > moe.routedExperts) {
    out.push(
      report(ctx, 'error', 'model/top-k', 'model.moe.experts_per_token',
        `Each token cannot go to ${fmt(moe.expertsPerToken)} experts out of ${fmt(moe.routedExperts)}.`,
        [setValueFix(ctx.doc, 'model.moe.experts_per_token', moe.routedExperts)]),
    );
  }
  return out;
}
