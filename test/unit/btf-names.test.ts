import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Btf } from '../../server/src/btf/btf';
import { parseBtf } from '../../server/src/btf/parse';
import { Kind } from '../../server/src/btf/wire';
import { buildBtf } from '../support/btf-builder';
import { RUNNING_KERNEL_BTF, runningSkip } from '../support/kernels';

/** Every type's ids by name, by decoding every name: what the name index must answer. */
function namesByScan(btf: Btf): Map<string, number[]> {
  const byName = new Map<string, number[]>();
  for (let id = 1; id < btf.typeCount; id++) {
    if (btf.nameOff(id) === 0) continue;
    const name = btf.name(id);
    const ids = byName.get(name);
    if (ids) ids.push(id);
    else byName.set(name, [id]);
  }
  return byName;
}

test('lookups by name find functions and other kinds alike, each kind on its own or all together', () => {
  const r = parseBtf(buildBtf([
    { name: 'foo', kind: Kind.Int, third: 4, extra: [32] },
    { kind: Kind.FuncProto, vlen: 0, third: 1 },
    { name: 'foo', kind: Kind.Func, third: 2 },
    { name: 'foo', kind: Kind.Struct, vlen: 0, third: 0 },
    { name: 'bar', kind: Kind.Union, vlen: 0, third: 0 },
    { name: 'foo', kind: Kind.Typedef, third: 4 },
    { name: 'bar', kind: Kind.Func, third: 2 },
  ]));
  assert.ok(r.ok, r.ok ? '' : r.error);
  const btf = r.value;
  assert.deepEqual(btf.findByName('foo'), [1, 3, 4, 6]);
  assert.deepEqual(btf.findByName('foo', Kind.Func), [3]);
  assert.deepEqual(btf.findByName('foo', Kind.Typedef), [6]);
  assert.deepEqual(btf.findByName('bar'), [5, 7]);
  assert.deepEqual(btf.findByName('bar', Kind.Struct), []);
  assert.deepEqual(btf.findByName('nope'), []);
  assert.deepEqual(btf.findByName(''), []);
  assert.equal(btf.findFirstOf('foo', [Kind.Union, Kind.Struct]), 4);
  assert.equal(btf.findFirstOf('bar', [Kind.Struct, Kind.Union]), 5);
  assert.equal(btf.findFirstOf('bar', [Kind.Struct]), undefined);
});

test('running kernel: every name, with and without its kind, finds what a scan of every type finds', { skip: runningSkip }, () => {
  const r = parseBtf(readFileSync(RUNNING_KERNEL_BTF), { source: RUNNING_KERNEL_BTF, kernelValidated: true });
  assert.ok(r.ok, r.ok ? '' : r.error);
  const btf = r.value;
  for (const [name, ids] of namesByScan(btf)) {
    assert.deepEqual(btf.findByName(name), ids, name);
    for (const kind of new Set(ids.map((id) => btf.kind(id)))) {
      assert.deepEqual(btf.findByName(name, kind), ids.filter((id) => btf.kind(id) === kind), `${name} ${kind}`);
    }
  }
});
