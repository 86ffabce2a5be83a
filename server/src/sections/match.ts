// Matching a SEC() name against libbpf's table the way libbpf's sec_def_matches does, and suggesting
// the closest valid names when nothing matches.
import { closest } from '../btf/suggest';
import { SECTION_DEFS, SecDef } from './libbpf-sections';

export interface SectionMatch {
  def: SecDef;
  /** The name without a leading `?` (which only turns autoload off). */
  name: string;
  noAutoload: boolean;
  /** What follows `prefix/`: a kernel function, tracepoint, glob, uprobe binary:function... */
  target?: string;
}

/** libbpf's sec_def_matches: `x` exact, `x+` as `x` or `x/...`, `x/` as `x/...` only. */
export function defMatches(def: SecDef, name: string): boolean {
  const sec = def.sec;
  if (sec.endsWith('/')) return name.startsWith(sec);
  if (sec.endsWith('+')) {
    const p = sec.slice(0, -1);
    return name.startsWith(p) && (name.length === p.length || name[p.length] === '/');
  }
  return name === sec;
}

export function matchSection(raw: string): SectionMatch | undefined {
  const noAutoload = raw.startsWith('?');
  const name = noAutoload ? raw.slice(1) : raw;
  const def = SECTION_DEFS.find((d) => defMatches(d, name));
  if (!def) return undefined;
  const prefix = def.sec.replace(/[+/]$/, '');
  const target = name.length > prefix.length + 1 ? name.slice(prefix.length + 1) : undefined;
  return { def, name, noAutoload, target };
}

/** The spellings a user can write: `kprobe`, `kprobe/`, `xdp`, `tp_btf/`... */
export function sectionSpellings(): string[] {
  const out = new Set<string>();
  for (const d of SECTION_DEFS) {
    if (d.sec.endsWith('+')) {
      out.add(d.sec.slice(0, -1));
      out.add(d.sec.slice(0, -1) + '/');
    } else out.add(d.sec);
  }
  return [...out];
}

/**
 * Whether a suggested name's target has its family's shape: a uprobe target names a binary and a
 * function (`uprobe/libc.so.6:malloc`), so `kprobee/do_unlinkat` is not offered `uprobe/do_unlinkat`.
 */
function targetFits(name: string): boolean {
  const m = matchSection(name);
  if (!m?.target) return true;
  if (/^u(ret)?probe/.test(m.def.sec)) return m.target.includes(':') || m.target.includes('/');
  if (/^usdt/.test(m.def.sec)) return m.target.includes(':');
  return true;
}

/** Closest valid names for an unknown one: by its prefix before '/', then by the whole name. */
export function suggestSections(raw: string): string[] {
  const name = raw.replace(/^\?/, '');
  const slash = name.indexOf('/');
  const head = slash >= 0 ? name.slice(0, slash) : name;
  const rest = slash >= 0 ? name.slice(slash) : '';
  const heads = [...new Set(SECTION_DEFS.map((d) => d.sec.replace(/[+/]$/, '').split('/')[0]))];
  const near = closest(head, heads, 3).map((h) => h + rest);
  // A name that merely has extra text, like `xdp_prog`, is closest to a prefix it starts with.
  const prefixes = slash >= 0 ? [] : heads.filter((h) => name.startsWith(h) && h.length >= 2).sort((a, b) => b.length - a.length);
  const released = (s: string) => (matchSection(s) ?? matchSection(s + '/x'))?.def.since !== 'unreleased';
  return [...new Set([...prefixes.slice(0, 1), ...near])]
    .filter((s) => matchSection(s) !== undefined || matchSection(s + '/x') !== undefined)
    .filter((s) => targetFits(s))
    .sort((a, b) => Number(released(b)) - Number(released(a)))
    .slice(0, 3);
}
