// A Layout as the JSON of `ebpf-ls layout --format json`.
import { Layout, LayoutSummary } from './model';

export interface LayoutJson {
  id: number;
  name: string;
  kind: 'struct' | 'union';
  size: number;
  members: { name: string; type: string; offset: number; size: number; bitOffset: number; bitSize: number | null }[];
  summary: LayoutSummary;
}

export function layoutJson(layout: Layout): LayoutJson {
  return {
    id: layout.id,
    name: layout.name,
    kind: layout.kind,
    size: layout.size,
    members: layout.members.map((m) => ({ name: m.name, type: m.type, offset: m.offset, size: m.size, bitOffset: m.bitOffset, bitSize: m.bitSize })),
    summary: layout.summary,
  };
}
