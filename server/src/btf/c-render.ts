// One kernel type rendered as C, with anonymous members nested inline and a line number for every member
// path (`mm.pgd`), so a read-only "go to definition" view can open at the field's line.
import { Btf } from './btf';
import { baseName, declaration } from './c-decl';
import { CompositeType, EnumType, FuncType } from './types';
import { Kind } from './wire';

export interface RenderedType {
  text: string;
  /** 0-based line of each member, keyed by its path through anonymous members' names (`''` skipped). */
  memberLines: Map<string, number>;
}

export function renderType(btf: Btf, id: number): RenderedType {
  const lines: string[] = [];
  const memberLines = new Map<string, number>();
  const kind = btf.kind(id);
  if (kind === Kind.Struct || kind === Kind.Union) {
    lines.push(`${baseName(btf, id)} {`);
    body(btf, btf.type(id) as CompositeType, 1, '', lines, memberLines, 0);
    lines.push(`};`);
  } else if (kind === Kind.Enum || kind === Kind.Enum64) {
    const t = btf.type(id) as EnumType;
    lines.push(`${baseName(btf, id)} {`);
    for (const v of t.values) {
      memberLines.set(v.name, lines.length);
      lines.push(`\t${v.name} = ${v.value},`);
    }
    lines.push(`};`);
  } else if (kind === Kind.Typedef) {
    lines.push(`typedef ${declaration(btf, btf.sizeOrType(id), btf.name(id))};`);
  } else if (kind === Kind.Func) {
    const f = btf.type(id) as FuncType;
    lines.push(`${f.linkage === 0 ? 'static ' : f.linkage === 2 ? 'extern ' : ''}${declaration(btf, f.type, f.name)};`);
  } else {
    lines.push(`${declaration(btf, id, '')};`);
  }
  return { text: lines.join('\n') + '\n', memberLines };
}

function body(btf: Btf, t: CompositeType, depth: number, prefix: string, lines: string[], memberLines: Map<string, number>, nest: number): void {
  const tabs = '\t'.repeat(depth);
  for (const m of t.members) {
    const mk = btf.kind(m.type);
    const anonymousType = (mk === Kind.Struct || mk === Kind.Union) && btf.name(m.type) === '' && nest < 16;
    const path = m.name ? (prefix ? `${prefix}.${m.name}` : m.name) : prefix;
    const bits = m.bitSize ? `:${m.bitSize}` : '';
    const comment = ` /* offset ${Math.floor(m.bitOffset / 8)}${m.bitSize ? `:${m.bitOffset % 8}` : ''} */`;
    if (m.name) memberLines.set(path, lines.length);
    if (anonymousType) {
      lines.push(`${tabs}${mk === Kind.Struct ? 'struct' : 'union'} {`);
      body(btf, btf.type(m.type) as CompositeType, depth + 1, path, lines, memberLines, nest + 1);
      lines.push(`${tabs}}${m.name ? ' ' + m.name : ''};${comment}`);
    } else {
      lines.push(`${tabs}${declaration(btf, m.type, m.name)}${bits};${comment}`);
    }
  }
}
