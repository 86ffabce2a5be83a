// `ebpf-ls btf extract`: the BTF of real Debian kernel packages (scripts/fetch-test-kernels caches them
// in .cache/kernels), byte for byte what llvm-objcopy dumps from the vmlinux that xz, lz4 or zstd
// extract from the same package; and one line with exit status 2 for corrupt or foreign packages.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cliSkip, runCli } from '../support/cli';
import { cacheDir, haveTool } from '../support/kernels';

const kernelDir = join(cacheDir, 'kernels');
const debs = existsSync(kernelDir) ? readdirSync(kernelDir).filter((f) => /^linux-image-.*\.deb$/.test(f)).sort() : [];
const release = (deb: string) => deb.replace(/^linux-image-(.*)-unsigned_.*$/, '$1');
const missingTool = ['llvm-objcopy-19', 'dpkg-deb', 'xz', 'lz4', 'zstd'].find((t) => !haveTool(t));
const skip = cliSkip
  ?? (debs.length ? undefined : 'no Debian kernel packages in .cache/kernels: run scripts/fetch-test-kernels')
  ?? (missingTool ? `${missingTool} is not installed (scripts/setup installs it)` : undefined);

/** The flavours the acceptance names: a generic, a cloud and an rt kernel, 6.1 and 6.12 where present. */
function pickKernels(): string[] {
  const out: string[] = [];
  for (const series of ['6.1.', '6.12.']) {
    for (const flavour of [/-\d+(\+deb\d+)?-amd64$/, /-cloud-amd64$/, /-rt-amd64$/]) {
      const hit = debs.find((d) => release(d).startsWith(series) && flavour.test(release(d)));
      if (hit) out.push(hit);
    }
  }
  return out;
}

/** The vmlinux of a package as the kernel's scripts/extract-vmlinux would get it: by the system's decompressors. */
function vmlinuxByTools(deb: string, work: string): string {
  const rel = release(deb);
  const vmlinuz = join(work, `vmlinuz-${rel}`);
  execFileSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO "./boot/vmlinuz-$2" > "$3"', 'sh', join(kernelDir, deb), rel, vmlinuz]);
  const b = readFileSync(vmlinuz);
  const start = (b[0x1f1] + 1) * 512 + b.readUInt32LE(0x248);
  const payload = b.subarray(start, start + b.readUInt32LE(0x24c));
  const magic = payload.subarray(0, 4).toString('hex');
  const tool = magic === 'fd377a58' ? ['xz', '-dc', '--single-stream'] : magic === '02214c18' ? ['lz4', '-dc'] : magic === '28b52ffd' ? ['zstd', '-dc'] : undefined;
  assert.ok(tool, `${rel}: payload magic ${magic}`);
  // lz4 and zstd complain about the size Linux appends after the payload, after writing all of it.
  const r = spawnSync(tool[0], tool.slice(1), { input: payload, maxBuffer: 1 << 30 });
  const vmlinux = join(work, `vmlinux-${rel}`);
  writeFileSync(vmlinux, r.stdout);
  return vmlinux;
}

describe('btf extract: BTF out of kernel packages and images', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'ebpf-extract-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const deb of pickKernels()) {
    test(`${release(deb)}: byte-identical to llvm-objcopy --dump-section .BTF of its vmlinux`, () => {
      const rel = release(deb);
      const out = join(work, `${rel}.btf`);
      const r = runCli(['btf', 'extract', join(kernelDir, deb), '-o', out]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^${out.replace(/[.+]/g, '\\$&')}: [\\d.]+ MB of BTF, [\\d,]+ types, x86_64, from boot/vmlinuz-${rel.replace(/[.+]/g, '\\$&')} \\(ar > xz > tar > bzimage > (xz|lz4|zstd) > elf > btf\\)\\n$`));
      const vmlinux = vmlinuxByTools(deb, work);
      const theirs = join(work, `${rel}.objcopy.btf`);
      execFileSync('llvm-objcopy-19', ['--dump-section', `.BTF=${theirs}`, vmlinux, join(work, 'discard.o')]);
      assert.ok(Buffer.compare(readFileSync(out), readFileSync(theirs)) === 0, `${rel}: extracted BTF differs from llvm-objcopy's`);
      // The bare vmlinuz and the vmlinux give the same bytes.
      for (const input of [join(work, `vmlinuz-${rel}`), vmlinux]) {
        const again = join(work, `${rel}.again.btf`);
        const r2 = runCli(['btf', 'extract', input, '-o', again]);
        assert.equal(r2.status, 0, r2.stderr);
        assert.ok(Buffer.compare(readFileSync(again), readFileSync(theirs)) === 0, `${input}: same BTF`);
      }
    });
  }

  test('corrupt, truncated and foreign packages: one line, exit 2', () => {
    const deb = readFileSync(join(kernelDir, pickKernels()[0]));
    const truncated = join(work, 'truncated.deb');
    writeFileSync(truncated, deb.subarray(0, 3_000_000));
    const flipped = join(work, 'flipped.deb');
    const copy = Buffer.from(deb);
    copy[2_000_000] ^= 0x55; // inside data.tar.xz, before boot/vmlinuz is complete
    writeFileSync(flipped, copy);
    const pkg = join(work, 'pkg');
    mkdirSync(join(pkg, 'DEBIAN'), { recursive: true });
    mkdirSync(join(pkg, 'usr/share/doc/hello'), { recursive: true });
    writeFileSync(join(pkg, 'DEBIAN/control'), 'Package: hello\nVersion: 1.0\nArchitecture: all\nMaintainer: nobody <nobody@example.invalid>\nDescription: not a kernel\n');
    writeFileSync(join(pkg, 'usr/share/doc/hello/README'), 'hello\n');
    const foreign = join(work, 'hello.deb');
    execFileSync('dpkg-deb', ['-Zxz', '--build', pkg, foreign], { stdio: 'ignore' });
    const text = join(work, 'notes.txt');
    writeFileSync(text, 'not a kernel at all\n'.repeat(100));
    const cases: [string, RegExp][] = [
      [truncated, /truncated\.deb: ar member at offset \d+ \(\d+ bytes\) runs past the end of the archive: file truncated\?/],
      // Read only up to boot/vmlinuz, data.tar.xz's own check is never reached: the kernel's payload check fails.
      [flipped, /flipped\.deb(: data\.tar\.xz| \(boot\/vmlinuz-[^)]+\): xz data) is corrupt: /],
      [foreign, /hello\.deb: the package holds no kernel image \(no boot\/vmlinuz-\*\): is it a linux-image package\?/],
      [text, /notes\.txt: the file is neither BTF, an ELF file, a kernel image/],
      [join(work, 'absent.deb'), /absent\.deb: cannot read kernel: no such file/],
    ];
    for (const [file, re] of cases) {
      const r = runCli(['btf', 'extract', file, '-o', join(work, 'x.btf')]);
      assert.equal(r.status, 2, `${file}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    const usage = runCli(['btf', 'extract', text]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /name the output file with -o OUT/);
  });
});
