// Bad input never crashes or hangs: one line on stderr naming the file and the fault, exit code 2.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { buildBtf, SMALL_TYPES } from '../support/btf-builder';
import { cliSkip, runCli } from '../support/cli';
import { haveTool, sharedRaw, sharedSkip } from '../support/kernels';

const dir = mkdtempSync(join(tmpdir(), 'ebpf-bad-'));

function expectOneLineError(file: string, pattern: RegExp): void {
  const r = runCli(['btf', 'summary', '--btf', file], { timeoutMs: 30_000 });
  assert.equal(r.signal, null, `${file}: killed (hang?)`);
  assert.equal(r.status, 2, `${file}: exit ${r.status}, stderr ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.ok(lines[0].includes(file), `names the file: ${lines[0]}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

test('handcrafted BTF faults each get their own clear error', { skip: cliSkip }, () => {
  const good = buildBtf(SMALL_TYPES);
  const r = runCli(['btf', 'summary', '--btf', write('good.btf', good)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /4 types/);

  const cases: [string, Buffer, RegExp][] = [
    ['magic.btf', Buffer.concat([Buffer.from([0x12, 0x34]), good.subarray(2)]), /neither BTF|bad magic/],
    ['bad-id.btf', buildBtf([...SMALL_TYPES, { kind: 2, third: 99 }]), /refers to type id 99/],
    ['bad-member-id.btf', buildBtf([SMALL_TYPES[0], { name: 's', kind: 4, vlen: 1, third: 4, extra: ['a', 77, 0] }]), /member 0 refers to type id 77/],
    ['bad-string.btf', buildBtf([{ kind: 2, third: 0 }, { kind: 8, third: 1, extra: [] }]).fill(0xff, 24 + 12, 24 + 14), /name offset .* past the end of the strings/],
    ['loop.btf', buildBtf([{ name: 'a', kind: 8, third: 2 }, { name: 'b', kind: 8, third: 3 }, { kind: 10, third: 1 }]), /reference loop/],
    ['vlen.btf', buildBtf([{ name: 's', kind: 4, vlen: 65535, third: 4 }]), /vlen 65535 runs past the end/],
    ['kind.btf', buildBtf([{ kind: 25, third: 0 }]), /unknown kind 25/],
    ['empty.btf', Buffer.alloc(0), /neither BTF|shorter/],
    ['truncated-header.btf', good.subarray(0, 10), /shorter than the 24-byte BTF header/],
    ['truncated.btf', good.subarray(0, good.length - 9), /past the end of the data|truncated/],
    ['truncated.gz', gzipSync(good).subarray(0, 20), /gzip data is corrupt/],
    ['garbage.elf', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(100, 0x41)]), /invalid ELF file/],
  ];
  for (const [name, bytes, pattern] of cases) expectOneLineError(write(name, bytes), pattern);
  expectOneLineError(join(dir, 'does-not-exist.btf'), /no such file/);
  expectOneLineError(dir, /is a directory/);
});

test('a real kernel BTF cut at many points is rejected, never half-loaded', { skip: cliSkip ?? sharedSkip }, () => {
  const bytes = readFileSync(sharedRaw('6.1.0-56-amd64'));
  for (const cut of [1, 23, 24, 25, 1000, 123457, bytes.length >> 1, bytes.length - 4, bytes.length - 1]) {
    expectOneLineError(write(`cut-${cut}.btf`, bytes.subarray(0, cut)), /invalid BTF|shorter|neither BTF/);
  }
});

test('truncated xz and tar archives and lying ELF headers are clear errors', { skip: cliSkip ?? (haveTool('xz') ? undefined : 'xz missing') }, () => {
  const good = write('small.btf', buildBtf(SMALL_TYPES));
  const xz = execFileSync('xz', ['-c', good]);
  expectOneLineError(write('cut.xz', xz.subarray(0, xz.length - 20)), /xz data is corrupt/);
  const tar = execFileSync('tar', ['cf', '-', '-C', dir, 'small.btf']);
  expectOneLineError(write('cut.tar', tar.subarray(0, 600)), /runs past the end of the archive/);
  expectOneLineError(write('notbtf.tar', execFileSync('tar', ['cf', '-', '-C', dir, 'empty.btf'])), /holds no BTF/);
  // An ELF64 header claiming 40 section headers far beyond the end of the file.
  const elf = Buffer.alloc(64);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  elf.writeBigUInt64LE(1_000_000n, 40);
  elf.writeUInt16LE(64, 58);
  elf.writeUInt16LE(40, 60);
  expectOneLineError(write('lying.elf', elf), /past the end of the file/);
});
