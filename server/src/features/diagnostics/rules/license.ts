// The license: GPL-only helpers and kfuncs under a license the kernel does not count as GPL-compatible,
// and a file with no license at all (its own or a project header's). Such a file is often linked with
// another object that declares the license, or #included by a file that does: that gets one warning,
// naming what the kernel would refuse (GPL-only calls; LSM and struct_ops programs, which the kernel
// refuses outright: "LSM programs must have a GPL compatible license"), not an error at every call. A
// file that needs none loads as it is: a hint, given only where every call is in sight (it includes no
// project header, whose functions might call GPL-only helpers: falco's programs read through them).
import { CDocument } from '../../../csource/model';
import { VMLINUX_INCLUDE, inSpans } from '../../../csource/preprocessor';
import { GPL_COMPATIBLE_LICENSES, GPL_ONLY_HELPERS } from '../../../helpers/gpl-only';
import { KernelCall, Rule, RuleInput, knownSections } from '../rule';

/** Headers of libraries and the kernel's UAPI, which define no function that calls a GPL-only helper behind the file's back. */
const LIBRARY_HEADER = /^(?:bpf|linux|asm|asm-generic|uapi|net|netinet|arpa|sys)\/|^(?:stddef|stdint|stdbool|stdarg|string|errno|limits)\.h$/;

/** Program types the kernel loads only under a GPL-compatible license, whatever they call. */
const GPL_ONLY_PROGRAM_TYPES = new Set(['BPF_PROG_TYPE_LSM', 'BPF_PROG_TYPE_STRUCT_OPS']);

/** How many GPL-only functions the missing-license warning names before "and N more". */
const NAMED = 5;

export const licenseRule: Rule = {
  name: 'license',
  codes: ['missing-license', 'no-license', 'gpl-only'],
  check(input, report) {
    const { model } = input.file;
    const first = model.functions.find((f) => f.section);
    if (!first) return;
    const license = model.license ?? model.includedLicense;
    const hasLicense = !!license || model.sections.some((s) => s.name === 'license');
    if (!hasLicense) {
      const calls = gplOnlyCalls(input);
      const types = [...new Set(knownSections(input).map((s) => s.match.def.progType).filter((t) => GPL_ONLY_PROGRAM_TYPES.has(t)))];
      if (calls.length === 0 && types.length === 0 && callsAllInSight(model)) {
        report({ code: 'no-license', ...first.section!.span, message: 'no license: the kernel loads these programs without one (they call no GPL-only helper or kfunc); add `char LICENSE[] SEC("license") = "GPL";` before they do' });
      } else {
        report({ code: 'missing-license', ...first.section!.span, message: missingLicenseMessage(calls, types) });
      }
      return;
    }
    if (license === undefined || GPL_COMPATIBLE_LICENSES.has(license.value)) return;
    // Under a license the kernel does not count as GPL-compatible, GPL-only helpers and every kfunc are refused.
    const where = model.license ? '' : ` (in ${model.includedLicense!.header})`;
    for (const { call, name, kind, via } of gplOnlyCalls(input)) {
      const what = `${kind === 'kfunc' ? 'kfunc' : 'helper'} ${name}()`;
      report({
        code: 'gpl-only', ...call.calleeSpan,
        message: `${via ? `${via} calls ${what}, which` : what} needs a GPL-compatible license: the kernel refuses it in a program licensed "${license.value}"${where} (use "GPL" or "Dual BSD/GPL")`,
      });
    }
  },
};

/** The file includes no project header (only vmlinux.h, libbpf's and system headers): whatever it calls is in it. */
function callsAllInSight(model: CDocument): boolean {
  return [...model.includes, ...model.systemIncludes].every((inc) => VMLINUX_INCLUDE.test(inc) || LIBRARY_HEADER.test(inc));
}

/** Calls of GPL-only helpers and of kfuncs (all GPL-only), outside inactive branches. */
function gplOnlyCalls(input: RuleInput): KernelCall[] {
  const inactive = input.file.model.inactive;
  return input.kernelCalls().filter(({ call, name, kind }) => (kind === 'kfunc' || GPL_ONLY_HELPERS.has(name.slice('bpf_'.length))) && !inSpans(inactive, call.span.start));
}

function missingLicenseMessage(calls: KernelCall[], types: string[]): string {
  const add = 'add `char LICENSE[] SEC("license") = "GPL";`';
  const unless = 'unless this file is linked with one that declares a GPL-compatible license, the kernel refuses';
  const programs = types.length ? `${types.join(' and ')} programs` : '';
  if (calls.length === 0 && programs) return `no license: ${unless} its ${programs} (${add})`;
  if (calls.length === 0) return `no license: ${unless} the GPL-only helpers and kfuncs that the functions of its headers may call (${add})`;
  const named = new Map<string, string>();
  for (const { name, kind, via } of calls) {
    if (!named.has(name)) named.set(name, `${name}${kind === 'kfunc' ? ' (kfunc)' : via ? ` (via ${via})` : ''}`);
  }
  const list = [...named.values()];
  const more = list.length > NAMED ? ` and ${list.length - NAMED} more` : '';
  const kinds = calls.some((c) => c.kind === 'kfunc') ? 'GPL-only helpers and kfuncs' : 'GPL-only helpers';
  return `no license: ${unless}${programs ? ` its ${programs} and` : ''} the ${kinds} it calls: ${list.slice(0, NAMED).join(', ')}${more} (${add})`;
}
