// A Layout in the text of `pahole -C NAME FILE` (pahole 1.24): member lines with `/* offset size */`
// comments at pahole's columns, holes, cacheline boundaries, anonymous members expanded inline, and the
// summary block.
import { Btf } from '../btf/btf';
import { declaration } from '../btf/c-decl';
import { CACHELINE, Layout, LayoutMember } from './model';

const TYPE_SPACING = 26;
const NAME_SPACING = 23;

interface Cursor {
  cacheline: number;
  out: string[];
}

/**
 * pahole spells pointers its own way: a star per level with spaces between (`struct hlist_node * *`)
 * and an extra space after a qualified pointee (`const char  *`).
 */
function paholeSpelling(text: string): string {
  return text.replace(/\*(?=\*)/g, '* ').replace(/\b((?:const|volatile) [^(),*]*?) \*/g, '$1  *');
}

/** The member's declaration split where pahole pads: type text, then name and declarator. */
function splitDeclaration(btf: Btf, m: LayoutMember): [string, string] {
  const decl = paholeSpelling(declaration(btf, m.typeId, m.name));
  if (!m.name) return [decl, ''];
  for (const marker of [`(*${m.name})`, `${m.name}[`]) {
    const at = decl.indexOf(marker);
    if (at > 0) return [decl.slice(0, at).trimEnd(), decl.slice(at)];
  }
  return decl.endsWith(m.name) ? [decl.slice(0, decl.length - m.name.length).trimEnd(), m.name] : [decl, ''];
}

function offsetComment(m: LayoutMember, offset: number): string {
  if (m.bitSize !== null) return `/* ${String(offset).padStart(5)}:${String(m.bitfieldOffset).padStart(2)} ${String(m.size).padStart(2)} */`;
  return `/* ${String(offset).padStart(5)} ${String(m.size).padStart(5)} */`;
}

function cachelineMarker(c: Cursor, offset: number, tabs: string): void {
  const line = Math.floor(offset / CACHELINE);
  if (line <= c.cacheline) return;
  const pos = offset % CACHELINE;
  const at = offset - pos;
  c.out.push(
    pos === 0
      ? `${tabs}/* --- cacheline ${line} boundary (${at} bytes) --- */`
      : `${tabs}/* --- cacheline ${line} boundary (${at} bytes) was ${pos} byte${pos > 1 ? 's' : ''} ago --- */`,
  );
  c.cacheline = line;
}

function renderBody(btf: Btf, layout: Layout, base: number, depth: number, c: Cursor): void {
  const tabs = '\t'.repeat(depth + 1);
  const typeSpacing = TYPE_SPACING - 8 * depth;
  // pahole's union members end their name column two characters earlier.
  const nameSpacing = layout.kind === 'union' ? NAME_SPACING - 2 : NAME_SPACING;
  const hole = (n: number, unit: 'byte' | 'bit') => `${tabs}/* XXX ${n} ${unit}${n !== 1 ? 's' : ''} hole, try to pack */`;
  if (layout.preBitHole > 0) c.out.push('', hole(layout.preBitHole, 'bit'), '');
  if (layout.preHole > 0) c.out.push('', hole(layout.preHole, 'byte'), '');
  const unionStart = c.cacheline;
  for (const m of layout.members) {
    const offset = base + m.offset;
    cachelineMarker(c, offset, tabs);
    const align = m.alignment ? ` __attribute__((__aligned__(${m.alignment})))` : '';
    if (m.nested) {
      c.out.push(`${tabs}${m.nested.kind} {`);
      renderBody(btf, m.nested, offset, depth + 1, c);
      const head = `};`;
      const pad = Math.max(1, typeSpacing + NAME_SPACING - (m.name ? m.name.length : -1) - 3 - head.length + 2);
      c.out.push(`${tabs}}${m.name ? ' ' + m.name : ''}${align};${' '.repeat(pad)}${offsetComment(m, offset)}`);
    } else {
      const [type, name] = splitDeclaration(btf, m);
      const text = `${type.padEnd(typeSpacing)} ${name}${m.bitSize !== null ? `:${m.bitSize}` : ''}${align};`;
      const spacing = typeSpacing + nameSpacing - text.length;
      c.out.push(`${tabs}${text}${' '.repeat(spacing > 0 ? spacing : 1)}${offsetComment(m, offset)}`);
    }
    const notes: string[] = [];
    if (m.structPadding > 0) notes.push(`${tabs}/* XXX last struct has ${m.structPadding} byte${m.structPadding !== 1 ? 's' : ''} of padding */`);
    if (m.bitHole) notes.push(hole(m.bitHole, 'bit'));
    if (m.hole > 0) notes.push(hole(m.hole, 'byte'));
    if (notes.length) c.out.push('', ...notes, '');
    if (layout.kind === 'union') c.cacheline = unionStart;
  }
}

/** The summary comment lines, as __class__fprintf prints them (structs only). */
export function summaryLines(layout: Layout): string[] {
  const s = layout.summary;
  const lines = [`/* size: ${s.size}, cachelines: ${s.cachelines}, members: ${s.members} */`];
  if (s.sumMembers > 0) lines.push(`/* sum members: ${s.sumMembers}${s.sumHoles > 0 ? `, holes: ${s.holes}, sum holes: ${s.sumHoles}` : ''} */`);
  if (s.sumBitfieldMembers > 0) {
    lines.push(
      `/* sum bitfield members: ${s.sumBitfieldMembers} bits${
        s.sumBitHoles > 0 ? `, bit holes: ${s.bitHoles}, sum bit holes: ${s.sumBitHoles} bits` : ` (${Math.floor(s.sumBitfieldMembers / 8)} bytes)`
      } */`,
    );
  }
  if (s.padding > 0) lines.push(`/* padding: ${s.padding} */`);
  if (s.paddings > 0) lines.push(`/* paddings: ${s.paddings}, sum paddings: ${s.sumPaddings} */`);
  if (s.bitPadding > 0) lines.push(`/* bit_padding: ${s.bitPadding} bits */`);
  if (s.forcedAlignments > 0) {
    lines.push(`/* forced alignments: ${s.forcedAlignments}${s.forcedHoles ? `, forced holes: ${s.forcedHoles}, sum forced holes: ${s.sumForcedHoles}` : ''} */`);
  }
  if (s.lastCacheline !== 0) lines.push(`/* last cacheline: ${s.lastCacheline} bytes */`);
  return lines;
}

export function formatPahole(btf: Btf, layout: Layout): string {
  const c: Cursor = { cacheline: 0, out: [] };
  c.out.push(`${layout.kind}${layout.name ? ' ' + layout.name : ''} {`);
  renderBody(btf, layout, 0, 0, c);
  if (layout.kind === 'struct') {
    c.out.push('');
    for (const l of summaryLines(layout)) c.out.push(`\t${l}`);
  }
  const attrs = layout.packed ? ' __attribute__((__packed__))' : layout.alignment ? ` __attribute__((__aligned__(${layout.alignment})))` : '';
  c.out.push(`}${attrs};`);
  // Holes after the last member would leave a blank line before the summary twice; pahole prints one.
  return c.out.join('\n').replace(/\n\n\n+/g, '\n\n') + '\n';
}
