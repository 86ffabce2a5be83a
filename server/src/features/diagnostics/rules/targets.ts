// Program targets: missing in some kernels (kernel functions, BTF tracepoints, LSM hooks, iterators and
// syscalls from each kernel's BTF; other tracepoints from the running kernel's tracefs when mounted),
// and tracepoint targets that cannot name anything. A missing target is a warning with the way out
// (user space switches the program off or retargets it); for programs that are plainly meant to be
// switched or retargeted (optional `?` sections, placeholders, alternatives sharing a body) an info.
import type { Node } from 'web-tree-sitter';
import { Btf } from '../../../btf/btf';
import { closest, editDistance } from '../../../btf/suggest';
import { Kind } from '../../../btf/wire';
import { CFunction, CSection, functionBody } from '../../../csource/model';
import { familyOf, hasTarget, sectionPrefix, targetNames, targetNeed, tracefsEvent } from '../../../sections/families';
import { SectionMatch, matchSection } from '../../../sections/match';
import { Rule, RuleInput, knownSections } from '../rule';

export const targetsRule: Rule = {
  name: 'targets',
  codes: ['missing-target', 'optional-target-missing', 'malformed-target'],
  check(input, report) {
    for (const { section, match, byLoader } of knownSections(input)) {
      // cilium/ebpf and aya take kprobe and tracepoint targets from user code: the section's is a label.
      if (!match.target || !byLoader.targetFromSection) continue;
      if (familyOf(match.def.sec).target === 'tracefs-event' && !/^\w+\/\w+$/.test(match.target)) {
        report({ code: 'malformed-target', ...section.span, message: `SEC("${section.name}"): a tracepoint target is category/name (tp/syscalls/sys_enter_openat), not "${match.target}"` });
        continue;
      }
      const missing = missingIn(input, match);
      if (!missing.kernels.length) continue;
      const why = optionalBecause(input, section, match, missing.kernels);
      const suggestion = !why && missing.kernels.length === input.kernels.length ? suggestTarget(input, match) : '';
      const fails = match.def.flags.includes('ATTACH_BTF') ? 'loading' : 'attaching';
      report({
        code: why ? 'optional-target-missing' : 'missing-target', ...section.span,
        message: `${match.target} (${missing.what}) is missing in ${missing.kernels.join(', ')}${missing.renamed}${suggestion}${why ? `; ${why}` : `: ${fails} ${WAY_OUT}`}`,
      });
    }
  },
};

const WAY_OUT = 'fails there unless user space turns the program off (bpf_program__set_autoload) or retargets it (bpf_program__set_attach_target)';

function missingIn(input: RuleInput, match: SectionMatch): { kernels: string[]; what: string; renamed: string } {
  const need = targetNeed(match);
  if (!need) {
    const event = tracefsEvent(match);
    const tracefs = input.ctx.tracefs;
    const absent = event && tracefs && !tracefs.hasEvent(event.category, event.name);
    return { kernels: absent ? [tracefs.kernel] : [], what: 'tracepoint, per tracefs', renamed: '' };
  }
  const kernels = input.kernels.filter((k) => !hasTarget(k.btf, need));
  // Allocation functions became `*_noprof` in 6.10 when memory profiling wrapped them.
  const noprof = need.kind === Kind.Func && need.names.length === 1 ? `${need.names[0]}_noprof` : undefined;
  const renamed = noprof && kernels.some((k) => k.btf.findFirst(noprof, Kind.Func) !== undefined) ? `; it is ${noprof} there` : '';
  return { kernels: kernels.map((k) => k.label), what: need.what, renamed };
}

/** Why a program with a missing target is expected to be switched off or retargeted, if it is. */
function optionalBecause(input: RuleInput, section: CSection, match: SectionMatch, missingIn: string[]): string | undefined {
  if (match.noAutoload) return 'the program is optional (SEC("?...")): it loads only when user space enables it';
  if (/^(dummy|placeholder|stub)_?/.test(match.target ?? '')) return 'a placeholder target: user space sets the real one with bpf_program__set_attach_target()';
  const program = input.file.model.functions.find((f) => f.section?.span.start === section.span.start);
  const twin = program && alternativeOf(input, program, match, missingIn);
  return twin ? `${twin.name} has the same body: alternatives that user space picks between with bpf_program__set_autoload()` : undefined;
}

/** A function body as its tokens, comments left out: two programs with the same tokens do the same thing. */
function bodyTokens(input: RuleInput, f: CFunction): string {
  const tokens: string[] = [];
  const walk = (n: Node) => {
    if (n.type === 'comment') return;
    if (n.childCount === 0) tokens.push(n.text);
    for (const c of n.children) if (c) walk(c);
  };
  const body = functionBody(input.file.tree, f);
  if (body) walk(body);
  return tokens.join(' ');
}

/** Another program of the same family with the same body whose target exists where this one's is missing. */
function alternativeOf(input: RuleInput, program: CFunction, match: SectionMatch, missingIn: string[]): CFunction | undefined {
  const body = bodyTokens(input, program);
  const prefix = sectionPrefix(match.def.sec);
  const kernels = input.kernels.filter((k) => missingIn.includes(k.label));
  return input.file.model.functions.find((f) => {
    const other = f !== program && f.section ? matchSection(f.section.name) : undefined;
    const need = other && sectionPrefix(other.def.sec) === prefix ? targetNeed(other) : undefined;
    return need && kernels.some((k) => hasTarget(k.btf, need)) && bodyTokens(input, f) === body;
  });
}

const suggestions = new WeakMap<Btf, Map<string, string>>();

/** The closest targets the described kernel has, for a target missing everywhere (cached: names do not change). */
function suggestTarget(input: RuleInput, match: SectionMatch): string {
  const btf = input.ctx.kernels.described.btf;
  const key = `${match.def.sec} ${match.target}`;
  let cache = suggestions.get(btf);
  if (!cache) suggestions.set(btf, (cache = new Map()));
  let text = cache.get(key);
  if (text === undefined) {
    const names = targetNames(familyOf(match.def.sec), btf, input.ctx.tracefs && (() => input.ctx.tracefs!.list()));
    const near = closest(match.target!, names, 3).filter((n) => n !== match.target);
    // Only near misses (a typo, not another name), and only the nearest of them.
    const cap = Math.max(1, Math.floor(match.target!.length / 8));
    const best = near.length ? editDistance(match.target!, near[0]) : 0;
    const kept = near.filter((n) => editDistance(match.target!, n) <= Math.min(cap, best + 1));
    cache.set(key, (text = kept.length ? ` (did you mean ${kept.join(', ')}?)` : ''));
  }
  return text;
}
