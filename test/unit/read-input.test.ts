// readInput: every size around the huge-page sizing reads back byte for byte, and failures are in words.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readInput } from '../../server/src/host/read-input';

const MB2 = 2 * 1024 * 1024;

test('files at and around the huge-page sizes read back whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-read-input-'));
  try {
    for (const size of [0, 1, MB2 - 1, MB2, MB2 - 4112, MB2 - 4113, MB2 - 4111, 2 * MB2 - 4112, 5_520_272, 3 * MB2 + 7]) {
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i += 4093) bytes[i] = (i * 31 + size) & 0xff;
      const file = join(dir, `f${size}`);
      writeFileSync(file, bytes);
      const read = readInput(file, 'BTF');
      assert.ok(read.ok, `size ${size}`);
      assert.equal(read.value.length, size, `size ${size}`);
      assert.ok(Buffer.from(read.value.buffer, read.value.byteOffset, read.value.length).equals(bytes), `size ${size}: the bytes differ`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the running kernel BTF reads as sysfs gives it', { skip: process.platform !== 'linux' ? 'not Linux' : undefined }, (t) => {
  let expected: Buffer;
  try {
    expected = readFileSync('/sys/kernel/btf/vmlinux');
  } catch {
    t.skip('no /sys/kernel/btf/vmlinux on this machine');
    return;
  }
  const read = readInput('/sys/kernel/btf/vmlinux', 'BTF');
  assert.ok(read.ok);
  assert.ok(Buffer.from(read.value.buffer, read.value.byteOffset, read.value.length).equals(expected));
});

test('a missing file or a folder is an error in words', () => {
  const missing = readInput('/nonexistent/vmlinux.btf', 'BTF');
  assert.ok(!missing.ok && /no such file/.test(missing.error));
  const folder = readInput(tmpdir(), 'BTF');
  assert.ok(!folder.ok && /is a directory/.test(folder.error), !folder.ok ? folder.error : '');
});
