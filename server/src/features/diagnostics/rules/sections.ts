// SEC() names: unknown to libbpf (with the closest valid names and a quick fix), newer than the local
// libbpf, and BTF-attached sections without a target.
import { Range } from 'vscode-languageserver-types';
import { SecDef } from '../../../sections/libbpf-sections';
import { matchSectionFor } from '../../../sections/loaders';
import { suggestSections } from '../../../sections/match';
import { Finding, Rule, isDataSection, knownSections } from '../rule';

export const sectionsRule: Rule = {
  name: 'sections',
  codes: ['unknown-section', 'section-too-new', 'section-needs-target'],
  check(input, report) {
    const doc = input.file.doc;
    const libbpfNames = input.loader === 'libbpf' || input.loader === 'libxdp';
    for (const sec of input.file.model.sections) {
      if (isDataSection(sec.name) || matchSectionFor(input.loader, sec.name)) continue;
      const near = libbpfNames ? suggestSections(sec.name) : [];
      const fix = near[0] ? { title: `Change to "${near[0]}"`, range: Range.create(doc.positionAt(sec.span.start), doc.positionAt(sec.span.end)), newText: near[0] } : undefined;
      const cannot = input.loader === 'libbpf' ? '' : ` (as the ${input.loader} loader reads it, the program gets no type)`;
      report({
        code: 'unknown-section', ...sec.span, fix,
        message: `${input.loader} does not know SEC("${sec.name}")${cannot}${near.length ? `: did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''}`,
      });
    }
    // The local libbpf's release and libbpf's target rules matter only where libbpf reads the names.
    if (!libbpfNames) return;
    for (const { section, match } of knownSections(input)) {
      const tooNew = versionFinding(match.def, section.name, input.ctx.libbpfVersion);
      if (tooNew) report({ ...tooNew, ...section.span });
      if (match.def.flags.includes('ATTACH_BTF') && !match.target) {
        report({ code: 'section-needs-target', ...section.span, message: `SEC("${section.name}") names no target: set one with bpf_program__set_attach_target() before loading` });
      }
    }
  },
};

function versionLess(a: string, b: string): boolean {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am < bm || (am === bm && an < bn);
}

function versionFinding(def: SecDef, name: string, libbpfVersion: string | undefined): Omit<Finding, 'start' | 'end'> | undefined {
  if (!libbpfVersion) return undefined;
  if (def.since === 'unreleased') {
    return { code: 'section-too-new', message: `SEC("${name}") is on libbpf's master branch only (after v1.7.0); the libbpf here is ${libbpfVersion}` };
  }
  if (versionLess(libbpfVersion, def.since)) {
    return { code: 'section-too-new', message: `SEC("${name}") needs libbpf ${def.since} or newer; the libbpf here is ${libbpfVersion}` };
  }
  return undefined;
}
