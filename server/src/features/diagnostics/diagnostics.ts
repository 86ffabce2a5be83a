// Diagnostics of a .bpf.c file: every rule run over the parsed model against every configured kernel,
// each finding given its code's severity from the one table (codes.ts).
import { Diagnostic } from 'vscode-languageserver-types';
import { inSpans } from '../../csource/preprocessor';
import { ParsedFile, ServiceContext } from '../service-context';
import { Finding, Rule, ruleInput, toDiagnostic } from './rule';
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

/**
 * Every rule's findings, except in branches the preprocessor drops for this build (`#if` known false),
 * computed in steps: the generator yields between rules and between the pieces of long ones, and
 * returns the list. The one definition of the diagnostics: computeDiagnostics runs it to the end at
 * once, the language server a step at a time, answering requests in between.
 */
export function* diagnosticSteps(file: ParsedFile, ctx: ServiceContext): Generator<void, Diagnostic[]> {
  const input = ruleInput(file, ctx);
  const out: Diagnostic[] = [];
  const report = (f: Finding) => {
    if (inSpans(file.model.inactive, f.start)) return;
    const d = toDiagnostic(file, f, ctx.severity);
    if (d) out.push(d);
  };
  for (const rule of RULES) {
    const steps = rule.check(input, report);
    if (steps) yield* steps;
    yield;
  }
  return out;
}

/** Every rule's findings (diagnosticSteps run to the end). */
export function computeDiagnostics(file: ParsedFile, ctx: ServiceContext): Diagnostic[] {
  const steps = diagnosticSteps(file, ctx);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
