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
    const hasLicense = model.sections.some((s) => s.name === 'license');
    if (!hasLicense) {
      report({
        code: 'missing-license', ...first.section!.span,
        message: 'no license: add `char LICENSE[] SEC("license") = "GPL";` (GPL-only helpers and many program types need a GPL-compatible license)',
      });
    }
    const license = model.license?.value;
    if (hasLicense && (license === undefined || GPL_COMPATIBLE_LICENSES.has(license))) return;
    // Without a license, or under one the kernel does not count as GPL-compatible, GPL-only helpers and every kfunc are refused.
    const under = hasLicense ? `in a program licensed "${license}"` : 'in a program without a license';
    for (const { call, name, kind, via } of input.kernelCalls()) {
      if (kind !== 'kfunc' && !GPL_ONLY_HELPERS.has(name.slice('bpf_'.length))) continue;
      const what = `${kind === 'kfunc' ? 'kfunc' : 'helper'} ${name}()`;
      report({
        code: 'gpl-only', ...call.calleeSpan,
        message: `${via ? `${via} calls ${what}, which` : what} needs a GPL-compatible license: the kernel refuses it ${under} (use "GPL" or "Dual BSD/GPL")`,
      });
    }
  },
};
