// Program targets missing in some kernels: kernel functions, BTF tracepoints, LSM hooks, iterators and
// syscalls from each kernel's BTF; other tracepoints from the running kernel's tracefs when mounted.
import { Kind } from '../../../btf/wire';
import { hasTarget, targetNeed, tracefsEvent } from '../../../sections/families';
import { Rule, knownSections } from '../rule';

export const targetsRule: Rule = {
  name: 'targets',
  codes: ['missing-target'],
  check(input, report) {
    const { kernels } = input;
    const tracefs = input.ctx.tracefs;
    for (const { section, match } of knownSections(input)) {
      if (!match.target) continue;
      const need = targetNeed(match);
      const event = need ? undefined : tracefsEvent(match);
      const missing = need
        ? kernels.filter((k) => !hasTarget(k.btf, need)).map((k) => k.label)
        : event && tracefs && !tracefs.hasEvent(event.category, event.name) ? [tracefs.kernel] : [];
      if (!missing.length) continue;
      // Allocation functions became `*_noprof` in 6.10 when memory profiling wrapped them.
      const noprof = need?.kind === Kind.Func && need.names.length === 1 ? `${need.names[0]}_noprof` : undefined;
      const renamed = noprof && kernels.some((k) => missing.includes(k.label) && k.btf.findFirst(noprof, Kind.Func) !== undefined);
      report({
        code: 'missing-target', ...section.span,
        // Only BTF can tell a target is missing everywhere; tracefs speaks for the running kernel alone.
        someKernels: !need || missing.length < kernels.length,
        message: `${match.target} (${need?.what ?? 'tracepoint, per tracefs'}) is missing in ${missing.join(', ')}${renamed ? `; it is ${noprof} there` : ''}`,
      });
    }
  },
};
