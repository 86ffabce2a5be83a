// The parsed model (csource/model.ts) read in one walk of the tree: structs found from their bodies but
// kept in the text order of their specifiers, calls with their arguments (comments left out), SEC()
// strings, const declarations. Each answer here is what the model gave before it read the tree in one walk.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildModel, CDocument } from '../../server/src/csource/model';
import { CParser } from '../../server/src/csource/parser';
import { readParserWasm } from '../../server/src/host/source-files';

let parser: CParser;
before(async () => {
  parser = await CParser.create(readParserWasm());
});

function model(source: string): CDocument {
  const tree = parser.parse(source);
  try {
    return buildModel(tree, source);
  } finally {
    tree.delete();
  }
}

describe('structs', () => {
  test('a struct whose head holds another struct comes first, as its specifier does', () => {
    const doc = model('struct __attribute__((aligned(sizeof(struct inner { int a; })))) outer { int b; };\n');
    assert.deepEqual([...doc.structs.keys()], ['struct outer', 'struct inner']);
  });

  test('a struct inside another struct body comes after it; specifiers without a body are no structs', () => {
    const doc = model('struct task_struct *p;\nunion u { struct in { int x; } a; long b; };\nint f(struct task_struct *t) { struct local { char c; } l; return 0; }\n');
    assert.deepEqual([...doc.structs.keys()], ['union u', 'struct in', 'struct local']);
    assert.equal(doc.structs.get('union u')?.kind, 'union');
    assert.deepEqual(doc.structs.get('union u')?.members.map((m) => m.name), ['a', 'b']);
  });

  test('a later definition of a name wins, in the place of the first', () => {
    const doc = model('struct a { int x; };\nstruct b { int y; };\nstruct a { long z; };\n');
    assert.deepEqual([...doc.structs.keys()], ['struct a', 'struct b']);
    assert.deepEqual(doc.structs.get('struct a')?.members.map((m) => m.name), ['z']);
  });

  test('relocatable: a CO-RE flavour, or preserve_access_index after the body', () => {
    const doc = model('struct t___old { int a; };\nstruct p { int a; } __attribute__((preserve_access_index));\nstruct q { int a; };\n');
    assert.deepEqual([...doc.structs.values()].map((s) => [s.name, s.relocatable]), [['t___old', true], ['p', true], ['q', false]]);
  });
});

describe('calls', () => {
  test('arguments without comments; a division is an argument', () => {
    const source = 'int f(int a) { return g(a /* n */, /* m */ a / 2, (a)); }\n';
    const [call] = model(source).calls;
    assert.equal(call.callee, 'g');
    assert.deepEqual(call.args.map((a) => a.text), ['a', 'a / 2', '(a)']);
    assert.deepEqual(call.args.map((a) => source.slice(a.span.start, a.span.end)), ['a', 'a / 2', '(a)']);
    assert.equal(source.slice(call.span.start, call.span.end), 'g(a /* n */, /* m */ a / 2, (a))');
  });

  test('calls in every branch of #if, in text order; a call through a pointer is none', () => {
    const doc = model('#if 0\nint x = a(1);\n#else\nint y = b(2);\n#endif\nint f(int (*p)(void)) { (*p)(); return c(); }\n');
    assert.deepEqual(doc.calls.map((c) => c.callee), ['a', 'b', 'c']);
  });
});

describe('sections, const, includes', () => {
  test('SEC() before a program and after a map; other statements have none', () => {
    const doc = model('struct { int type; } m SEC(".maps");\nSEC("kprobe/x")\nint BPF_KPROBE(prog, int a) { return sec(1); }\nint plain;\n');
    assert.deepEqual(doc.sections.map((s) => s.name), ['.maps', 'kprobe/x']);
    assert.equal(doc.functions[0].name, 'prog');
    assert.equal(doc.functions[0].section?.name, 'kprobe/x');
    assert.deepEqual(doc.maps.map((m) => m.name), ['m']);
  });

  test('const is the declaration\'s own qualifier, not one inside a declarator', () => {
    const doc = model('const int a = 1;\nint *const b;\nint constant;\n');
    assert.deepEqual(doc.globals.map((g) => [g.name, g.type.isConst]), [['a', true], ['b', false], ['constant', false]]);
  });

  test('a vmlinux.h include at any depth of #if', () => {
    assert.equal(model('#ifdef X\n#include "vmlinux.h"\n#endif\n').usesVmlinux, true);
    assert.equal(model('#include "other.h"\n').usesVmlinux, false);
  });
});
