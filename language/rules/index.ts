/** Every cross-field rule, in the order their diagnostics read best; memory last (it builds on a valid layout). */
import { fp8Rules } from './fp8';
import { memoryRules } from './memory';
import { modelRules } from './model';
import { parallelismRules } from './parallelism';
import { representationRules } from './representation';
import { routingRules } from './routing';
import { runtimeRules } from './runtime';
import type { Rule } from './context';

export type { Rule, RuleContext } from './context';

export const RULES: readonly Rule[] = [modelRules, parallelismRules, fp8Rules, routingRules, representationRules, runtimeRules, memoryRules];
