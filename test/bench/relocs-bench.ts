// Object-side CO-RE figure for issue 4: `relocs` of an object with 200+ relocations against three
// kernels. The object is generated from 6.18's own struct members and compiled with clang-19.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../../server/src/btf/btf';
import { CompositeType } from '../../server/src/btf/types';
import { Kind } from '../../server/src/btf/wire';
import { objectRelocations, readBpfObject, resolveObjectRelocations } from '../../server/src/relocs/object';
import { nowMs, report, stats } from './measure';

const STRUCTS: [string, string][] = [['task_struct', 't'], ['mm_struct', 'mm'], ['file', 'f'], ['inode', 'ino'], ['sock', 'sk']];

/** A program reading the offsets of named, non-bitfield members of a few big kernel structs. */
function generateProgram(btf: Btf, count: number): string {
  const lines = ['#include "vmlinux.h"', '#include <bpf/bpf_helpers.h>', '#include <bpf/bpf_core_read.h>', 'long out[512];', 'SEC("tracepoint/syscalls/sys_enter_openat")', 'int many(void *ctx)', '{'];
  lines.push(...STRUCTS.map(([s, v]) => `\tstruct ${s} *${v} = 0;`));
  const fields = STRUCTS.map(([s, v]) => ({ v, names: (btf.type(btf.findFirst(s, Kind.Struct)!) as CompositeType).members.filter((x) => x.name && x.bitSize === 0).map((m) => m.name) }));
  // Round-robin over the structs, so every candidate list is shared by many relocations, as in real code.
  for (let n = 0, i = 0; n < count && i < 1000; i++) {
    const f = fields[i % fields.length];
    const name = f.names[Math.floor(i / fields.length)];
    if (name) lines.push(`\tout[${n++ % 512}] = bpf_core_field_offset(${f.v}->${name});`);
  }
  lines.push('\treturn 0;', '}', 'char LICENSE[] SEC("license") = "GPL";');
  return lines.join('\n') + '\n';
}

export function relocsBench(repoRoot: string, kernels: { label: string; btf: Btf; raw: Uint8Array }[]): void {
  const dir = join(repoRoot, '.cache/bench/relocs');
  mkdirSync(dir, { recursive: true });
  const k618 = kernels.find((k) => k.label.startsWith('6.18'))!;
  try {
    writeFileSync(join(dir, '6.18.btf'), k618.raw);
    writeFileSync(join(dir, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', join(dir, '6.18.btf'), 'format', 'c'], { maxBuffer: 1 << 28 }));
    writeFileSync(join(dir, 'many.bpf.c'), generateProgram(k618.btf, 210));
    execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', `-I${dir}`, '-I/usr/include/x86_64-linux-gnu', '-c', join(dir, 'many.bpf.c'), '-o', join(dir, 'many.bpf.o')]);
  } catch (e) {
    process.stdout.write(`Object relocations: skipped: cannot build the object (${(e as Error).message.split('\n')[0]}); scripts/setup installs clang-19 and bpftool\n`);
    return;
  }
  const bytes = readFileSync(join(dir, 'many.bpf.o'));
  const times: number[] = [];
  let relocs = 0;
  for (let i = 0; i < 11; i++) {
    const t0 = nowMs();
    const obj = readBpfObject(bytes, 'many.bpf.o');
    if (!obj.ok) throw new Error(obj.error);
    const list = objectRelocations(obj.value);
    resolveObjectRelocations(obj.value, list, kernels);
    const dt = nowMs() - t0;
    relocs = list.length;
    if (i === 0) report(`first run (candidate lists cold), ${relocs} relocations x ${kernels.length} kernels`, dt, 'ms', 100);
    else times.push(dt);
  }
  process.stdout.write(`Object relocations: ${relocs} CO-RE relocations against ${kernels.length} kernels (kernels indexed)\n`);
  report('read object + resolve all, median of 10', stats(times).median, 'ms', 100);
}
