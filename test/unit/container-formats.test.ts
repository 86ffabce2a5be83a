// The container layer against the reference tools: xz (LZMA2 with the x86, ARM64 and delta filters,
// every check type, several blocks and streams), LZ4 (legacy and modern frames), zstd, ar, and kernel
// images built in the test around a real BTF (the bundled one): arm64 Image raw, gzipped and as an EFI
// zboot image, with decoy BTF magic in front, which must not be taken for the BTF.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { brotliDecompressSync, gzipSync } from 'node:zlib';
import { parseBtf } from '../../server/src/btf/parse';
import { crc32, crc64 } from '../../server/src/container/crc';
import { findBtf } from '../../server/src/container/find-btf';
import { lz4Decompress } from '../../server/src/container/lz4';
import { unpackBtf } from '../../server/src/container/unpack';
import { xzDecompress } from '../../server/src/container/xz';
import { archFromBtf, archFromName } from '../../server/src/kernels/arch';
import { haveTool, repoRoot } from '../support/kernels';

const bundled = brotliDecompressSync(readFileSync(join(repoRoot, 'server/data/default-kernel.btf.br')));
const work = mkdtempSync(join(tmpdir(), 'ebpf-container-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Deterministic bytes that look like code: a PRNG with runs, so the compressors have something to find. */
function codeLike(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = i % 7 === 0 ? 0xe8 : (x >>> 24) & (i % 3 ? 0xff : 0x0f);
  }
  return b;
}

function tool(cmd: string, args: string[], input: Buffer): Buffer {
  return execFileSync(cmd, args, { input, maxBuffer: 1 << 30 });
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), b) === 0;

describe('xz: every stream xz writes', { skip: haveTool('xz') ? undefined : 'xz is not installed' }, () => {
  const code = Buffer.concat([codeLike(300_000), bundled.subarray(0, 700_000)]);
  const cases: [string, string[]][] = [
    ['LZMA2, CRC64 (xz default)', ['-6']],
    ['x86 BCJ + LZMA2, CRC32 (the kernel\'s bzImage payload)', ['--check=crc32', '--x86', '--lzma2=preset=6']],
    ['ARM64 BCJ + LZMA2', ['--arm64', '--lzma2']],
    ['x86 BCJ with a start offset', ['--x86=start=4096', '--lzma2']],
    ['delta + LZMA2, SHA-256', ['--check=sha256', '--delta=dist=4', '--lzma2']],
    ['no check, lc=4 lp=0 pb=0', ['--check=none', '--lzma2=lc=4,lp=0,pb=0']],
    ['several blocks', ['-T2', '--block-size=200000']],
    ['level 0 (uncompressed chunks)', ['-0']],
  ];
  for (const [name, args] of cases) {
    test(name, () => {
      const r = xzDecompress(tool('xz', ['-c', ...args], code));
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.ok(same(r.value, code));
    });
  }
  test('concatenated streams and stream padding; trailing bytes only when asked', () => {
    const one = tool('xz', ['-c'], code.subarray(0, 1000));
    const two = Buffer.concat([one, Buffer.alloc(8), one]);
    const r = xzDecompress(two);
    assert.ok(r.ok && r.value.length === 2000);
    const trailing = Buffer.concat([one, Buffer.from([1, 2, 3, 4])]);
    assert.match((xzDecompress(trailing) as { error: string }).error, /garbage after the xz stream/);
    assert.ok(xzDecompress(trailing, { ignoreTrailing: true }).ok);
  });
  test('corruption is an error, never an exception', () => {
    const xz = tool('xz', ['-c', '--check=crc64'], code.subarray(0, 200_000));
    for (let i = 0; i < 60; i++) {
      const bad = Buffer.from(xz);
      bad[(i * 7919) % bad.length] ^= 1 << (i % 8);
      const r = xzDecompress(bad);
      if (r.ok) assert.ok(same(r.value, code.subarray(0, 200_000)), `flip #${i} decoded to other bytes without an error`);
    }
    assert.equal(xzDecompress(xz.subarray(0, xz.length - 30)).ok, false);
    assert.match((xzDecompress(code, { maxOutput: 10 }) as { error: string }).error, /bad magic/);
    assert.match((xzDecompress(xz, { maxOutput: 1000 }) as { error: string }).error, /more than the 1000 allowed/);
  });
  test('checks: CRC-32 and CRC-64 as xz computes them', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    const c = crc64(Buffer.from('123456789'));
    assert.equal(c.hi.toString(16) + c.lo.toString(16).padStart(8, '0'), '995dc9bbdf1939fa');
  });
});

describe('lz4: legacy and modern frames', { skip: haveTool('lz4') ? undefined : 'lz4 is not installed' }, () => {
  const data = Buffer.concat([codeLike(2_000_000, 7), bundled.subarray(0, 9_000_000)]);
  for (const [name, args] of [['legacy (lz4 -l, as Linux)', ['-l']], ['frame, independent blocks', []], ['frame, linked 64K blocks with checksums', ['-BD', '-B4', '--content-size']]] as [string, string[]][]) {
    test(name, () => {
      const packed = tool('lz4', ['-c', ...args], data);
      const r = lz4Decompress(Buffer.concat([packed, Buffer.from([1, 2, 3, 4])]));
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.ok(same(r.value, data));
    });
  }
  test('corruption is an error, never an exception', () => {
    const packed = tool('lz4', ['-c', '-l'], data.subarray(0, 500_000));
    for (let i = 0; i < 100; i++) {
      const bad = Buffer.from(packed);
      bad[8 + ((i * 104729) % (bad.length - 8))] ^= 0x80;
      lz4Decompress(bad);
    }
  });
});

describe('kernel images around a real BTF', () => {
  const decoy = Buffer.from('9feb0100180000000000000010000000100000000c000000', 'hex'); // a header whose sections hold garbage
  /** An arm64 Image: the 64-byte header, code with decoy magic, the BTF, more code. */
  function arm64Image(): Buffer {
    const head = Buffer.alloc(64);
    head.write('ARM\x64', 0x38, 'latin1');
    return Buffer.concat([head, codeLike(100_000, 3), decoy, codeLike(50_000, 4), bundled, codeLike(10_000, 5), decoy]);
  }
  function zboot(payload: Buffer, comp: string): Buffer {
    const head = Buffer.alloc(512);
    head.write('MZ', 0, 'latin1');
    head.write('zimg', 4, 'latin1');
    head.writeUInt32LE(512, 8);
    head.writeUInt32LE(payload.length, 12);
    head.write(comp, 24, 'latin1');
    return Buffer.concat([head, payload, Buffer.alloc(300)]);
  }
  const withSize = (packed: Buffer, size: number) => Buffer.concat([packed, Buffer.from(Uint32Array.of(size).buffer)]);

  test('findBtf skips decoys and finds the validated blob', () => {
    const found = findBtf(arm64Image(), 'Image');
    assert.ok(found);
    assert.ok(same(found.bytes, bundled));
    assert.equal(found.offset, 64 + 100_000 + decoy.length + 50_000);
  });

  test('raw Image, Image.gz, zboot with gzip and with zstd: same BTF, arm64', async () => {
    const image = arm64Image();
    const inputs: [string, Buffer][] = [['Image', image], ['Image.gz', gzipSync(image)], ['vmlinuz.efi (gzip)', zboot(gzipSync(image), 'gzip')]];
    if (haveTool('zstd')) inputs.push(['vmlinuz.efi (zstd)', zboot(withSize(tool('zstd', ['-c', '-19'], image), image.length), 'zstd22')]);
    if (haveTool('xz')) inputs.push(['vmlinuz.efi (xz)', zboot(withSize(tool('xz', ['-c', '--check=crc32', '--arm64', '--lzma2'], image), image.length), 'xzkern')]);
    for (const [name, bytes] of inputs) {
      const u = await unpackBtf(bytes, name);
      assert.ok(u.ok, u.ok ? '' : u.error);
      assert.ok(same(u.value.btf, bundled), name);
      assert.equal(u.value.arch, 'arm64', name);
    }
  });

  test('a Debian-style package with a zstd data.tar (Ubuntu\'s), read up to boot/', async (t) => {
    if (!haveTool('zstd') || !haveTool('ar')) return t.skip('zstd or ar is not installed');
    const dir = join(work, 'pkg');
    execFileSync('mkdir', ['-p', join(dir, 'boot'), join(dir, 'lib/modules')]);
    writeFileSync(join(dir, 'boot/vmlinuz-6.8.0-1-arm64'), gzipSync(arm64Image()));
    writeFileSync(join(dir, 'lib/modules/big.ko'), codeLike(3_000_000, 9));
    writeFileSync(join(work, 'debian-binary'), '2.0\n');
    execFileSync('sh', ['-c', 'cd "$1" && tar --sort=name -cf - ./boot ./lib | zstd -q -c > "$2/data.tar.zst" && tar -cf "$2/control.tar.zst" --files-from /dev/null && cd "$2" && ar rc pkg.deb debian-binary control.tar.zst data.tar.zst', 'sh', dir, work]);
    const u = await unpackBtf(readFileSync(join(work, 'pkg.deb')), 'pkg.deb');
    assert.ok(u.ok, u.ok ? '' : u.error);
    assert.deepEqual(u.value.formats, ['ar', 'zstd', 'tar', 'gzip', 'arm64-image', 'btf']);
    assert.equal(u.value.member, 'boot/vmlinuz-6.8.0-1-arm64');
    assert.ok(same(u.value.btf, bundled));
  });

  test('architecture from pt_regs, and from names', () => {
    const btf = parseBtf(bundled);
    assert.ok(btf.ok);
    assert.equal(archFromBtf(btf.value), 'x86_64');
    assert.equal(archFromName('6.1.0-56-cloud-amd64'), 'x86_64');
    assert.equal(archFromName('5.14.0-284.11.1.el9_2.aarch64'), 'arm64');
    assert.equal(archFromName('6.1.0-56'), undefined);
  });
});
