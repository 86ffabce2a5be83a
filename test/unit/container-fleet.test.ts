// Kernel folders as data: names from BTFHub's layout and from file names, unique labels, grouping of
// kernels by identical verdicts (streamed, one verdict list per group), what differs between groups,
// short names for many kernels, and the architecture an object's pt_regs accesses were built for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archOfAccesses } from '../../server/src/kernels/arch';
import { KernelGroups, Verdict, describeKernelPath, releaseOfFile, summarizeKernels, uniqueLabels } from '../../server/src/kernels/fleet';
import { kernelVersionCode } from '../../server/src/kernels/kernel';

test('names: BTFHub paths, flat files, packages and images', () => {
  const hub = describeKernelPath('/a/ubuntu/20.04/x86_64/5.4.0-1010-aws.btf.tar.xz', 'ubuntu/20.04/x86_64/5.4.0-1010-aws.btf.tar.xz');
  assert.deepEqual(hub, { path: '/a/ubuntu/20.04/x86_64/5.4.0-1010-aws.btf.tar.xz', label: 'ubuntu/20.04/x86_64/5.4.0-1010-aws', release: '5.4.0-1010-aws', distro: 'ubuntu', distroVersion: '20.04', arch: 'x86_64', version: kernelVersionCode(5, 4, 0) });
  assert.equal(describeKernelPath('/x/centos/8/arm64/4.18.0-305.el8.aarch64.btf.tar.xz', 'centos/8/arm64/4.18.0-305.el8.aarch64.btf.tar.xz').arch, 'arm64');
  const flat = describeKernelPath('/k/6.1.0-56-cloud-amd64.btf.xz', '6.1.0-56-cloud-amd64.btf.xz');
  assert.deepEqual([flat.label, flat.arch, flat.distro], ['6.1.0-56-cloud-amd64', 'x86_64', undefined]);
  assert.equal(releaseOfFile('linux-image-6.12.117+deb12-rt-amd64-unsigned_6.12.117-1~deb12u1_amd64.deb'), '6.12.117+deb12-rt-amd64');
  assert.equal(releaseOfFile('vmlinux-6.1.0-56-amd64'), '6.1.0-56-amd64');
  assert.equal(releaseOfFile('5.4.0-1010-aws.btf'), '5.4.0-1010-aws');
  const two = uniqueLabels([
    { info: describeKernelPath('/a/6.1.btf', '6.1.btf'), relPath: 'a/6.1.btf' },
    { info: describeKernelPath('/b/6.1.btf.xz', '6.1.btf.xz'), relPath: 'b/6.1.btf.xz' },
    { info: describeKernelPath('/b/6.2.btf', '6.2.btf'), relPath: '6.2.btf' },
  ]);
  assert.deepEqual(two.map((k) => k.label), ['a/6.1.btf', 'b/6.1.btf.xz', '6.2']);
});

test('groups: identical verdicts share one group; type ids are the kernel\'s own numbering', () => {
  const ok = (value: number): Verdict => ({ resolved: true, poisoned: false, value });
  const missing: Verdict = { resolved: false, poisoned: true };
  const kinds = ['byte_off', 'byte_off', 'target_type_id'];
  const g = new KernelGroups(kinds);
  assert.equal(g.add(0, [ok(24), ok(8), ok(1234)]).id, 1);
  assert.equal(g.add(1, [ok(24), ok(8), ok(99)]).id, 1, 'another type id, same behaviour');
  assert.equal(g.add(2, [ok(32), ok(8), ok(5)]).id, 2);
  assert.equal(g.add(3, [ok(24), missing, ok(5)]).id, 3);
  assert.equal(g.add(4, [ok(24), missing, ok(5)], [false, true, false]).id, 4, 'the same poison behind a false guard is another behaviour');
  assert.deepEqual(g.groups.map((x) => x.kernels), [[0, 1], [2], [3], [4]]);
  assert.deepEqual(g.groups.map((x) => x.failing), [[], [], [1], []]);
  assert.deepEqual(g.differing(), [0, 1]);
});

test('short names for many kernels, numbers counted as numbers', () => {
  assert.equal(summarizeKernels(['6.1.0-9-amd64', '6.1.0-10-amd64']), '6.1.0-9-amd64, 6.1.0-10-amd64');
  assert.equal(summarizeKernels(['6.1.0-56', '6.1.0-47', '6.1.0-100', '6.1.0-50']), '6.1.0-47 … 6.1.0-100 (4 kernels)');
});

test('the architecture an object was built for, from its pt_regs accesses', () => {
  assert.equal(archOfAccesses(['struct task_struct.pid', 'struct pt_regs.di', 'struct pt_regs.sp']), 'x86_64');
  assert.equal(archOfAccesses(['struct user_pt_regs.regs[0]', 'struct pt_regs.pc']), 'arm64');
  assert.equal(archOfAccesses(['struct pt_regs.sp', 'struct file.f_inode']), undefined);
});
