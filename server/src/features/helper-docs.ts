// BPF helper signatures and documentation from libbpf's bpf_helper_defs.h (text handed in by the edge):
// each helper is a comment block followed by `static RET (*NAME)(PARAMS) = (void *) ID;`.

export interface HelperDoc {
  name: string;
  /** `void *bpf_map_lookup_elem(void *map, const void *key)` */
  signature: string;
  id: number;
  /** The comment's description and "Returns" text, as Markdown. */
  doc: string;
}

export function parseHelperDefs(text: string): Map<string, HelperDoc> {
  const out = new Map<string, HelperDoc>();
  const re = /\/\*\n((?: \*.*\n)*?) \*\/\nstatic ([^;]*?)\(\s*\*\s*(?:const\s+)?(\w+)\)\((.*?)\) = \(void \*\) (\d+);/g;
  for (const m of text.matchAll(re)) {
    const [, comment, ret, name, params, id] = m;
    const lines = comment.split('\n').map((l) => l.replace(/^ \*\s?/, '').replace(/^\t/, ''));
    if (lines[0].trim() === name) lines.shift();
    const doc = lines
      .join('\n')
      .replace(/^Returns$/m, '**Returns**')
      .trim();
    const r = ret.trim();
    out.set(name, { name, signature: `${r}${r.endsWith('*') ? '' : ' '}${name}(${params})`, id: Number(id), doc });
  }
  return out;
}
