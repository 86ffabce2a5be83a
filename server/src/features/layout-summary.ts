// A struct's or union's layout in one line, for hovers and views: size, alignment, cachelines, members,
// holes, as pahole counts them.
import { Btf } from '../btf/btf';
import { Layout } from '../layout/model';

/** The largest alignment pahole infers was forced on a member (`__aligned__(64)`), nested members included. */
function forcedAlignment(layout: Layout): number {
  let max = 0;
  for (const m of layout.members) max = Math.max(max, m.alignment, m.nested ? forcedAlignment(m.nested) : 0);
  return max;
}

/** `size 9792 · align 64 · 153 cachelines · 262 members · 17 holes (77 bytes)` */
export function layoutSummary(btf: Btf, layout: Layout): string {
  const s = layout.summary;
  // pahole infers an aligned() for unions from their size alone (bpf_attr: 256); members tell better.
  const align = Math.max(layout.kind === 'struct' ? layout.alignment : 0, forcedAlignment(layout), btf.alignOf(layout.id));
  const holes = s.holes ? `${s.holes} hole${s.holes === 1 ? '' : 's'} (${s.sumHoles} bytes)` : 'no holes';
  const padding = s.padding ? ` · ${s.padding} bytes of padding` : '';
  return `size ${s.size} · align ${align} · ${s.cachelines} cacheline${s.cachelines === 1 ? '' : 's'} · ${s.members} member${s.members === 1 ? '' : 's'} · ${holes}${padding}`;
}
