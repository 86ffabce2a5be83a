// Diagnostics of a .bpf.c file: every rule run over the parsed model against every configured kernel,
// each finding given its code's severity from the one table (codes.ts).
import { Diagnostic } from 'vscode-languageserver-types';
import { inSpans } from '../../csource/preprocessor';
import { ParsedFile, ServiceContext } from '../service-context';
import { Rule, ruleInput, toDiagnostic } from './rule';
import { bccRule } from './rules/bcc';
import { corePathsRule } from './rules/core-paths';
import { directReadsRule } from './rules/direct-reads';
import { kernelFeaturesRule } from './rules/kernel-features';
import { legacyMapsRule } from './rules/legacy-maps';
import { licenseRule } from './rules/license';
import { nullChecksRule } from './rules/null-checks';
import { packetBoundsRule } from './rules/packet-bounds';
import { programArgsRule } from './rules/program-args';
import { programHelpersRule } from './rules/program-helpers';
import { programHeadsRule } from './rules/program-heads';
import { sectionsRule } from './rules/sections';
import { targetsRule } from './rules/targets';

/** Every rule, in the order their findings are listed. */
export const RULES: readonly Rule[] = [
  sectionsRule, targetsRule, legacyMapsRule, licenseRule, corePathsRule, kernelFeaturesRule, programHeadsRule, programArgsRule, directReadsRule, nullChecksRule, packetBoundsRule, programHelpersRule, bccRule,
];

/** Every rule's findings, except in branches the preprocessor drops for this build (`#if` known false). */
export function computeDiagnostics(file: ParsedFile, ctx: ServiceContext): Diagnostic[] {
  const input = ruleInput(file, ctx);
  const out: Diagnostic[] = [];
  for (const rule of RULES) {
    rule.check(input, (f) => {
      if (inSpans(file.model.inactive, f.start)) return;
      const d = toDiagnostic(file, f, ctx.severity);
      if (d) out.push(d);
    });
  }
  return out;
}
