import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseBtf } from '../../server/src/btf/parse';
import { Kind } from '../../server/src/btf/wire';
import { CompositeType } from '../../server/src/btf/types';
import { RUNNING_KERNEL_BTF, runningSkip, sharedRaw, sharedSkip } from '../support/kernels';

test('running kernel: task_struct is found, decoded and sized', { skip: runningSkip }, () => {
  const r = parseBtf(readFileSync(RUNNING_KERNEL_BTF), { source: RUNNING_KERNEL_BTF });
  assert.ok(r.ok, r.ok ? '' : r.error);
  const btf = r.value;
  const id = btf.findFirst('task_struct', Kind.Struct);
  assert.ok(id !== undefined);
  const t = btf.type(id) as CompositeType;
  assert.equal(t.kind, Kind.Struct);
  assert.equal(btf.sizeOf(id), t.size);
  assert.ok(t.members.some((m) => m.name === '__state'));
  // BTF does not record __aligned(64): libbpf's btf__align_of answers from the members, as we do.
  assert.equal(btf.alignOf(id), 8);
});

test('6.1: task_struct has pid at 2416 and no kfunc tags', { skip: sharedSkip }, () => {
  const r = parseBtf(readFileSync(sharedRaw('6.1.0-56-amd64')));
  assert.ok(r.ok);
  const btf = r.value;
  assert.equal(btf.typeCount, 100751);
  const t = btf.type(btf.findFirst('task_struct', Kind.Struct)!) as CompositeType;
  assert.equal(t.members.find((m) => m.name === 'pid')!.bitOffset / 8, 2416);
  assert.deepEqual(btf.findByName('bpf_kfunc', Kind.DeclTag), []);
});

test('big-endian BTF parses to the same types as its little-endian twin', { skip: sharedSkip }, () => {
  const le = readFileSync(sharedRaw('6.1.0-56-amd64'));
  const be = Buffer.from(le);
  const dv = new DataView(be.buffer, be.byteOffset, be.byteLength);
  const hdr = new DataView(le.buffer, le.byteOffset, le.byteLength);
  const hdrLen = hdr.getUint32(4, true);
  dv.setUint16(0, 0xeb9f, false);
  for (let o = 4; o < 24; o += 4) dv.setUint32(o, hdr.getUint32(o, true), false);
  const typeOff = hdrLen + hdr.getUint32(8, true);
  for (let o = typeOff; o < typeOff + hdr.getUint32(12, true); o += 4) dv.setUint32(o, hdr.getUint32(o, true), false);
  const a = parseBtf(le);
  const b = parseBtf(be);
  assert.ok(a.ok && b.ok);
  assert.equal(b.value.littleEndian, false);
  for (const name of ['task_struct', 'sk_buff', 'mm_struct']) {
    const ia: number = a.value.findFirst(name, Kind.Struct)!;
    assert.deepEqual(b.value.type(ia), a.value.type(ia));
  }
});
