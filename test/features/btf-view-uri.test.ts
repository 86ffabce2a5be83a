// `ebpf-btf:` view URIs: built and read by one module, readable (kernel, kind and name in words), and
// read back the same however they were percent-encoded on the way (VS Code encodes more than we do).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BtfViewAddress, btfViewUri, parseBtfViewUri, viewKernel, viewKernelName } from '../../server/src/features/btf-view-uri';
import { kernelSet } from '../../server/src/kernels/kernel';
import { bundledKernel } from '../support/service';

describe('ebpf-btf: view URIs', () => {
  const addresses: BtfViewAddress[] = [
    { kernel: '6.18 (running)', kind: 'struct', name: 'task_struct', layout: false },
    { kernel: '6.12.117+deb12-amd64', kind: 'struct', name: 'sk_buff', layout: true },
    { kernel: '6.1', kind: 'enum', name: 'bpf_map_type', layout: false },
    { kernel: 'bundled BTF of Linux 6.12.117+deb12-amd64 (Debian 12)', kind: 'typedef', name: 'pid_t', layout: false },
  ];

  test('an address survives the round trip, through our encoding and through VS Code-style encoding', () => {
    for (const a of addresses) {
      const uri = btfViewUri(a);
      assert.deepEqual(parseBtfViewUri(uri), a, uri);
      const vscodeStyle = uri.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\+/g, '%2B');
      assert.deepEqual(parseBtfViewUri(vscodeStyle), a, vscodeStyle);
    }
  });

  test('the path reads as kernel / kind name.h', () => {
    const uri = btfViewUri(addresses[0]);
    assert.equal(uri, 'ebpf-btf:/6.18%20(running)/struct%20task_struct.h');
    assert.equal(decodeURIComponent(uri.slice('ebpf-btf:'.length)), '/6.18 (running)/struct task_struct.h');
    assert.equal(btfViewUri(addresses[1]), 'ebpf-btf:/6.12.117%2Bdeb12-amd64/struct%20sk_buff.layout.h');
  });

  test('anything else is not a view', () => {
    for (const uri of ['ebpf-btf:/0/struct/task_struct.h', 'ebpf-btf:/6.1/func%20do_unlinkat.h', 'ebpf-btf:/6.1/struct%20a%20b.h', 'ebpf-btf:/%E0%A4%A/struct%20x.h', 'file:///6.1/struct%20x.h']) {
      assert.equal(parseBtfViewUri(uri), undefined, uri);
    }
  });

  test('a kernel is found again by the name its views carry', () => {
    const bundled = bundledKernel();
    const other = { ...bundled, label: '6.1.0-56-amd64', bundled: false, version: (6 << 16) + (1 << 8) };
    const kernels = kernelSet(bundled, [other]);
    assert.deepEqual(kernels.all.map((k) => viewKernelName(kernels, k)), ['6.12 (bundled)', '6.1']);
    for (const k of kernels.all) assert.equal(viewKernel(kernels, viewKernelName(kernels, k)), k);
    assert.equal(viewKernel(kernels, '6.18'), undefined);
  });
});
