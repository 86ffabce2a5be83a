// `ebpf-ls btf dump --format raw` is byte-identical to Debian's `bpftool btf dump file F format raw`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { cliSkip, firstDifference, runCli } from '../support/cli';
import { RUNNING_KERNEL_BTF, SHARED_KERNELS, haveTool, runningSkip, sharedRaw, sharedSkip, sharedXz } from '../support/kernels';

const toolSkip = haveTool('bpftool') ? undefined : 'bpftool is not installed (scripts/setup installs it)';

function bpftoolRaw(file: string): string {
  return execFileSync('bpftool', ['btf', 'dump', 'file', file, 'format', 'raw'], { encoding: 'utf8', maxBuffer: 1 << 30 });
}

function assertSameDump(ourFile: string, theirFile: string): void {
  const ours = runCli(['btf', 'dump', '--format', 'raw', '--btf', ourFile]);
  assert.equal(ours.status, 0, ours.stderr);
  const theirs = bpftoolRaw(theirFile);
  assert.ok(theirs.length > 1_000_000, 'bpftool printed a full dump');
  assert.equal(firstDifference(ours.stdout, theirs), undefined);
}

test('raw dump of the running kernel matches bpftool', { skip: cliSkip ?? toolSkip ?? runningSkip }, () => {
  assertSameDump(RUNNING_KERNEL_BTF, RUNNING_KERNEL_BTF);
});

for (const kernel of SHARED_KERNELS) {
  // Our loader reads the .xz itself; bpftool gets the decompressed copy.
  test(`raw dump of ${kernel} (read from .xz) matches bpftool`, { skip: cliSkip ?? toolSkip ?? sharedSkip }, () => {
    assertSameDump(sharedXz(kernel), sharedRaw(kernel));
  });
}
