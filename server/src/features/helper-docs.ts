// BPF helper signatures and documentation from libbpf's bpf_helper_defs.h (text handed in by the edge):
// each helper is a comment block followed by `static RET (*NAME)(PARAMS) = (void *) ID;`. The comments
// are the kernel's reStructuredText (include/uapi/linux/bpf.h); they are turned into Markdown here, once.

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
    const r = ret.trim();
    out.set(name, helperDoc(name, `${r}${r.endsWith('*') ? '' : ' '}${name}(${params})`, Number(id), lines.join('\n')));
  }
  return out;
}

/**
 * The helpers of a bpf_helper_defs.h read and parsed when first asked for: a service is set up before its
 * first answer, and only a helper's hover or completion needs them (~14 ms with the read). `read` returns
 * the header's text, or undefined when there is none (no helpers then).
 */
export function helperDefsOnDemand(read: () => string | undefined): Map<string, HelperDoc> {
  return new HelperDefsOnDemand(read);
}

/** A Map that fills itself on its first read; the service only reads it. */
class HelperDefsOnDemand extends Map<string, HelperDoc> {
  private read: (() => string | undefined) | undefined;

  constructor(read: () => string | undefined) {
    super();
    this.read = read;
  }

  private filled(): void {
    const read = this.read;
    if (!read) return;
    this.read = undefined;
    const text = read();
    if (text !== undefined) for (const [name, doc] of parseHelperDefs(text)) super.set(name, doc);
  }

  override get size(): number {
    this.filled();
    return super.size;
  }
  override get(name: string): HelperDoc | undefined {
    this.filled();
    return super.get(name);
  }
  override has(name: string): boolean {
    this.filled();
    return super.has(name);
  }
  override forEach(fn: (doc: HelperDoc, name: string, map: Map<string, HelperDoc>) => void, thisArg?: unknown): void {
    this.filled();
    super.forEach(fn, thisArg);
  }
  override entries(): MapIterator<[string, HelperDoc]> {
    this.filled();
    return super.entries();
  }
  override keys(): MapIterator<string> {
    this.filled();
    return super.keys();
  }
  override values(): MapIterator<HelperDoc> {
    this.filled();
    return super.values();
  }
  override [Symbol.iterator](): MapIterator<[string, HelperDoc]> {
    return this.entries();
  }
}

/**
 * A helper whose `doc` is converted to Markdown when first read: a server parses all ~210 helpers before
 * its first answer, and the conversion was most of that time; a hover or completion shows a few.
 */
function helperDoc(name: string, signature: string, id: number, rst: string): HelperDoc {
  let markdown: string | undefined;
  return {
    name, signature, id,
    get doc() {
      return (markdown ??= rstToMarkdown(rst));
    },
  };
}

const indented = (l: string) => /^(\t| {2})\s*\S/.test(l);
const dedent = (l: string) => l.replace(/^(\t| {1,8})/, '');

/**
 * The helper comments' reStructuredText as Markdown: `::` literal blocks as fenced code, indented bullet
 * lists and definition lists (`**TERM**` over an indented definition) as lists, ``` ``x`` ``` as code,
 * and the escapes (`\ ()`, `\/`, a backslash ending a line) gone.
 */
export function rstToMarkdown(rst: string): string {
  const lines = rst.replace(/\\\n[\t ]*/g, '\\ ').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/::\s*$/.test(line)) {
      const lead = line.replace(/:?:\s*$/, '').trimEnd();
      if (lead.trim()) out.push(inline(lead.endsWith(':') ? lead : `${lead}:`));
      i = literalBlock(lines, i + 1, out) - 1;
    } else if (line.trim() === 'Returns') out.push('**Returns**');
    else if (indented(line) || /^[*-] /.test(line)) i = indentedBlock(lines, i, out) - 1;
    else if (line.trim() && i + 1 < lines.length && indented(lines[i + 1]) && !/^\s*[*-] /.test(dedent(lines[i + 1]))) {
      // A definition list item: the term, then its indented definition.
      const def: string[] = [];
      let j = i + 1;
      for (; j < lines.length && indented(lines[j]); j++) def.push(dedent(lines[j]).trim());
      out.push(`- ${inline(line.trim())}: ${inline(def.join(' '))}`);
      i = j - 1;
    } else out.push(inline(line));
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** The literal block after a `::` line: blank lines, then everything indented, as fenced code. Returns the next line. */
function literalBlock(lines: string[], from: number, out: string[]): number {
  let i = from;
  while (i < lines.length && !lines[i].trim()) i++;
  const body: string[] = [];
  for (; i < lines.length && (indented(lines[i]) || !lines[i].trim()); i++) body.push(dedent(lines[i]));
  while (body.length && !body[body.length - 1].trim()) body.pop();
  if (body.length) out.push('', '```', ...body, '```', '');
  return i;
}

/** Indented lines outside a literal block: a bullet list (`* item`, continued by deeper lines) or plain text. */
function indentedBlock(lines: string[], from: number, out: string[]): number {
  let i = from;
  for (; i < lines.length && (i === from || indented(lines[i])); i++) {
    const text = indented(lines[i]) ? dedent(lines[i]) : lines[i];
    const bullet = /^[*-] (.*)$/.exec(text);
    if (bullet) out.push(`- ${inline(bullet[1])}`);
    else if (/^\s/.test(text) && out.length && out[out.length - 1].startsWith('- ')) out[out.length - 1] += ` ${inline(text.trim())}`;
    else out.push(inline(text.trim()));
  }
  return i;
}

/** Inline markup: ``` ``code`` ```, `**helper**\ ()` as `` `helper()` ``, and reStructuredText's escapes. */
function inline(s: string): string {
  return s
    .replace(/``(.+?)``/g, '`$1`')
    .replace(/\*(\w+)\*\\ \*\*([^*]+)\*\*/g, '`$1$2`')
    .replace(/\\ /g, '')
    .replace(/\\([/*_|\\])/g, '$1')
    .replace(/\*\*(\w+)\*\*\s*\(\)/g, '`$1()`');
}
