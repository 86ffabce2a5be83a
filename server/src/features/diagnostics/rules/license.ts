// The license: missing, and GPL-only helpers or kfuncs under one the kernel does not count as GPL-compatible.
import { GPL_COMPATIBLE_LICENSES, GPL_ONLY_HELPERS } from '../../../helpers/gpl-only';
import { Rule } from '../rule';

export const licenseRule: Rule = {
  name: 'license',
  codes: ['missing-license', 'gpl-only'],
  check(input, report) {
    const { model } = input.file;
    const first = model.functions.find((f) => f.section);
    if (!first) return;
    if (!model.sections.some((s) => s.name === 'license')) {
      report({
        code: 'missing-license', ...first.section!.span,
        message: 'no license: add `char LICENSE[] SEC("license") = "GPL";` (GPL-only helpers and many program types need a GPL-compatible license)',
      });
      return;
    }
    const license = model.license?.value;
    if (license === undefined || GPL_COMPATIBLE_LICENSES.has(license)) return;
    // Under a license the kernel does not count as GPL-compatible, GPL-only helpers and every kfunc are refused.
    for (const { call, kind } of input.kernelCalls()) {
      if (kind !== 'kfunc' && !GPL_ONLY_HELPERS.has(call.callee.slice('bpf_'.length))) continue;
      report({
        code: 'gpl-only', ...call.calleeSpan,
        message: `${kind === 'kfunc' ? 'kfunc' : 'helper'} ${call.callee}() needs a GPL-compatible license: the kernel refuses it in a program licensed "${license}" (use "GPL" or "Dual BSD/GPL")`,
      });
    }
  },
};
