import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { declaration, typeName } from '../../server/src/btf/c-decl';
import { renderType } from '../../server/src/btf/c-render';
import { parseBtf } from '../../server/src/btf/parse';
import { CompositeType } from '../../server/src/btf/types';
import { Kind } from '../../server/src/btf/wire';
import { sharedRaw, sharedSkip } from '../support/kernels';

test('C declarations of tricky kernel members (6.1)', { skip: sharedSkip }, () => {
  const r = parseBtf(readFileSync(sharedRaw('6.1.0-56-amd64')));
  assert.ok(r.ok);
  const btf = r.value;
  const member = (struct: string, name: string) => {
    const t = btf.type(btf.findFirst(struct, Kind.Struct)!) as CompositeType;
    const m = t.members.find((x) => x.name === name)!;
    return declaration(btf, m.type, m.name);
  };
  assert.equal(member('file_operations', 'read'), 'ssize_t (*read)(struct file *, char *, size_t, loff_t *)');
  assert.equal(member('task_struct', 'comm'), 'char comm[16]');
  assert.equal(member('task_struct', 'sched_class'), 'const struct sched_class *sched_class');
  assert.equal(member('hlist_node', 'pprev'), 'struct hlist_node **pprev');
  assert.equal(member('pid', 'numbers'), 'struct upid numbers[]');
  const t = btf.type(btf.findFirst('task_struct', Kind.Struct)!) as CompositeType;
  assert.equal(typeName(btf, t.members.find((m) => m.name === 'real_parent')!.type), 'struct task_struct *');
});

test('a kernel struct renders as C with a line for each member, anonymous ones included (6.18)', { skip: sharedSkip }, () => {
  const r = parseBtf(readFileSync(sharedRaw('6.18.44-fc-v669')));
  assert.ok(r.ok);
  const btf = r.value;
  const { text, memberLines } = renderType(btf, btf.findFirst('mm_struct', Kind.Struct)!);
  const lines = text.split('\n');
  assert.equal(lines[0], 'struct mm_struct {');
  // pgd sits inside mm_struct's anonymous struct on 6.18: its path skips the unnamed member.
  assert.match(lines[memberLines.get('pgd')!], /^\t\tpgd_t \*pgd; \/\* offset \d+ \*\/$/);
  assert.match(lines[memberLines.get('mm_users')!], /atomic_t mm_users;/);
  assert.ok(lines.at(-2) === '};');
});
