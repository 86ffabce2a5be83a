// `struct bpf_map_def name SEC("maps")`: libbpf 1.0 dropped legacy map definitions.
import { Rule } from '../rule';

export const legacyMapsRule: Rule = {
  name: 'legacy maps',
  codes: ['legacy-map'],
  check(input, report) {
    for (const m of input.file.model.legacyMaps) {
      report({
        code: 'legacy-map', ...m.span,
        message: `legacy map definition: libbpf 1.0 and newer reject struct bpf_map_def in SEC("maps"); declare it as struct { __uint(type, ...); ... } ${m.name} SEC(".maps")`,
      });
    }
  },
};
