// A short census of a BTF blob: what `ebpf-ls btf summary` prints.
import { Btf } from './btf';
import { KIND_NAMES, Kind, MAX_KIND } from './wire';

export interface BtfSummary {
  source: string;
  types: number;
  byKind: Record<string, number>;
  stringBytes: number;
  split: boolean;
  kfuncs: number;
}

export function summarize(btf: Btf): BtfSummary {
  const counts = new Array<number>(MAX_KIND + 1).fill(0);
  let kfuncs = 0;
  for (let id = btf.firstId; id < btf.typeCount; id++) {
    const k = btf.kind(id);
    counts[k]++;
    if (k === Kind.DeclTag && btf.name(id) === 'bpf_kfunc') kfuncs++;
  }
  const byKind: Record<string, number> = {};
  for (let k = 1; k <= MAX_KIND; k++) if (counts[k]) byKind[KIND_NAMES[k]] = counts[k];
  return { source: btf.source, types: btf.ownTypeCount, byKind, stringBytes: btf.stringsEnd - btf.strBase, split: !!btf.base, kfuncs };
}

export function formatSummary(s: BtfSummary): string {
  const lines = [
    `${s.source}: ${s.split ? 'split ' : ''}BTF, ${s.types.toLocaleString('en-US')} types, ${s.stringBytes.toLocaleString('en-US')} bytes of strings, ${s.kfuncs} kfuncs tagged bpf_kfunc`,
  ];
  for (const [k, n] of Object.entries(s.byKind)) lines.push(`  ${k.padEnd(10)} ${String(n).padStart(7)}`);
  return lines.join('\n') + '\n';
}
