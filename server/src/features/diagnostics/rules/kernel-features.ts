// Helpers, kfuncs, typed `__ksym` variables, map, program and attach types that some kernels lack,
// read from each kernel's own BTF.
import { Kind } from '../../../btf/wire';
import { Span } from '../../../csource/model';
import { Kernel } from '../../../kernels/kernel';
import { hasAttachType, hasHelper, hasKfunc, hasMapType, hasProgType } from '../../kernel-support';
import { Finding, Rule, RuleInput, knownSections } from '../rule';

export const kernelFeaturesRule: Rule = {
  name: 'kernel features',
  codes: ['kernel-feature-missing'],
  check(input, report) {
    if (input.kernels.length === 0) return;
    const lacking = (has: (k: Kernel) => boolean) => input.kernels.filter((k) => !has(k)).map((k) => k.label);
    const missing = (at: Span, what: string, kernels: string[]) => {
      if (kernels.length) report(featureFinding(input, at, what, kernels));
    };
    const byName = new Map<string, string[]>();
    for (const { call, name, kind, via } of input.kernelCalls()) {
      if (!kind) continue;
      let kernels = byName.get(name);
      if (!kernels) byName.set(name, (kernels = lacking((k) => (kind === 'helper' ? hasHelper : hasKfunc)(k.btf, name))));
      missing(call.calleeSpan, via ? `${via} calls ${kind} ${name}(), which` : `${kind} ${name}()`, kernels);
    }
    checkKsyms(input, lacking, missing);
    for (const map of input.file.model.maps) {
      const type = map.fields.type;
      if (type && /^BPF_MAP_TYPE_\w+$/.test(type)) missing(map.fieldSpans.type, `map type ${type}`, lacking((k) => hasMapType(k.btf, type)));
    }
    for (const { section, match } of knownSections(input)) {
      missing(section.span, `program type ${match.def.progType}`, lacking((k) => hasProgType(k.btf, match.def.progType)));
      const attachType = match.def.attachType;
      if (attachType) missing(section.span, `attach type ${attachType}`, lacking((k) => hasAttachType(k.btf, attachType)));
    }
  },
};

function featureFinding(input: RuleInput, at: Span, what: string, kernels: string[]): Finding {
  return { code: 'kernel-feature-missing', ...at, someKernels: kernels.length < input.kernels.length, message: `${what} is not available in ${kernels.join(', ')}` };
}

/**
 * Typed `__ksym` variables resolve through the kernel's BTF VARs, reported at their uses (untyped
 * `const void` ones resolve through kallsyms: not ours to judge).
 */
function checkKsyms(input: RuleInput, lacking: (has: (k: Kernel) => boolean) => string[], missing: (at: Span, what: string, kernels: string[]) => void): void {
  for (const ext of input.file.model.externs) {
    if (ext.attribute !== 'ksym' || ext.isFunction || ext.type.base === 'void') continue;
    const kernels = lacking((k) => k.btf.findFirst(ext.name, Kind.Var) !== undefined);
    if (!kernels.length) continue;
    const uses = input.file.model.identifierUses(ext.name).filter((u) => u.start !== ext.span.start);
    for (const at of uses.length ? uses : [ext.span]) missing(at, `kernel variable ${ext.name} (__ksym)`, kernels);
  }
}
