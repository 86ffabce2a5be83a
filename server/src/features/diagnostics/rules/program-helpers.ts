// Helpers a program's type may not call: the verifier looks each helper up for the program type and
// refuses the ones it does not offer ("program of this type cannot use helper bpf_X#N"): a tracing helper
// in an XDP program, a socket helper in a kprobe. The table (helpers/program-helpers.ts) is the kernel's
// own answer, probed for a privileged loader; types it does not cover (fentry, LSM, struct_ops...) and
// helpers it does not know are left alone. Only calls written in the program's own body count, directly
// or through a libbpf macro: a helper called from a function the program calls is not followed (the
// same function may serve programs of several types).
import { HELPER_IDS, mayCall } from '../../../helpers/program-helpers';
import { Rule, programFunctions } from '../rule';

export const programHelpersRule: Rule = {
  name: 'program helpers',
  codes: ['helper-not-allowed'],
  check(input, report) {
    const calls = input.kernelCalls().filter((c) => c.kind === 'helper');
    if (calls.length === 0) return;
    for (const { fn: f, program } of programFunctions(input)) {
      const progType = program.match.def.progType;
      for (const { call, name, via } of calls) {
        if (call.span.start < f.body.start || call.span.end > f.body.end || mayCall(progType, name) !== false) continue;
        const verifier = `program of this type cannot use helper ${name}#${HELPER_IDS[name.replace(/^bpf_/, '')]}`;
        report({
          code: 'helper-not-allowed', ...call.calleeSpan,
          message: `${via ? `${via} calls helper ${name}()` : `helper ${name}()`}: a ${progType} program (SEC("${program.section.name}")) may not call it, the verifier refuses the load ("${verifier}")`,
        });
      }
    }
  },
};
