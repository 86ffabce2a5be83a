// Thousands of mutated BTF blobs and ELF files through the loader and every decoder: nothing throws and
// nothing hangs. Runs in a child process with a generous time guard (a hang detector, not a timing target).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildBtf, SMALL_TYPES } from '../support/btf-builder';
import { haveTool } from '../support/kernels';

const worker = join(__dirname, '../support/fuzz-loader-worker.ts');
const dir = mkdtempSync(join(tmpdir(), 'ebpf-fuzz-'));

function fuzz(file: string, seed: number, count: number): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', worker, file, String(seed), String(count)], {
    encoding: 'utf8', timeout: 240_000, maxBuffer: 1 << 28,
  });
  const lines = r.stdout.trimEnd().split('\n');
  const last = lines[lines.length - 1];
  assert.notEqual(r.signal, 'SIGTERM', `hang: input "${last}" (seed ${seed}) did not finish`);
  assert.equal(r.status, 0, `seed ${seed}, input "${lines[lines.length - 1]}": ${r.stderr.slice(0, 2000)}`);
  assert.match(last, new RegExp(`^done ${count} inputs, \\d+ loaded$`));
}

/** A BTF with every kind the fuzz should reach: ints, structs with bitfields, enums, arrays, funcs, vars. */
const RICH = buildBtf([
  ...SMALL_TYPES,
  { name: 'flags', kind: 4, vlen: 2, kflag: true, third: 4, extra: ['a', 1, (3 << 24) | 0, 'b', 1, (5 << 24) | 3] },
  { name: 'state', kind: 6, vlen: 2, kflag: true, third: 4, extra: ['S_A', -1 >>> 0, 'S_B', 2] },
  { kind: 3, third: 0, extra: [1, 1, 16] },
  { kind: 13, vlen: 2, third: 1, extra: ['p', 3, '', 0] },
  { name: 'fn', kind: 12, vlen: 1, third: 8 },
  { name: 'u', kind: 5, vlen: 2, third: 8, extra: ['i', 1, 0, 'pt', 2, 0] },
  { name: 'big', kind: 19, vlen: 1, third: 8, extra: ['B', 1, 1] },
  { name: 'v', kind: 14, third: 1, extra: [1] },
  { name: '.data', kind: 15, vlen: 1, third: 4, extra: [12, 0, 4] },
  { name: 'double', kind: 16, third: 8 },
  { name: 'tag', kind: 17, third: 2, extra: [0] },
  { name: 'user', kind: 18, third: 1 },
  { name: 'fwd', kind: 7, kflag: true, third: 0 },
  { kind: 9, third: 1 },
  { kind: 11, third: 3 },
]);

test('3,000 mutated BTF blobs: no throw, no hang', () => {
  const file = join(dir, 'rich.btf');
  writeFileSync(file, RICH);
  fuzz(file, 1, 1500);
  fuzz(file, 2, 1500);
});

test('1,500 mutated .bpf.o ELF files and 1,500 mutated .BTF.ext sections with CO-RE relocations: no throw, no hang', { skip: haveTool('clang-19') ? undefined : 'clang-19 missing' }, () => {
  const src = join(dir, 'p.bpf.c');
  writeFileSync(src, [
    'struct ev { int pid; unsigned f:3, g:5; char comm[16]; struct { long in; }; } __attribute__((preserve_access_index)) e;',
    'enum st { A, B = 5 } s;',
    'int prog(struct ev *x) {',
    '  return x->pid + x->in + x->comm[3] + e.pid + s + __builtin_preserve_field_info(x->g, 3) + __builtin_preserve_field_info(x->f, 2)',
    '    + __builtin_preserve_type_info(*x, 0) + __builtin_preserve_type_info(*x, 1) + __builtin_preserve_enum_value(*(enum st *)B, 1);',
    '}',
  ].join('\n') + '\n');
  execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-c', src, '-o', join(dir, 'p.bpf.o')]);
  fuzz(join(dir, 'p.bpf.o'), 3, 1500);
});
