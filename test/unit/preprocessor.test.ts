// The preprocessor's view of a file (csource/preprocessor.ts): #if conditions evaluated three-valued
// (true, false, unknown) from the build's facts and the #defines before the point, the branches known
// dead, and the #defines the file and its headers make. Only a condition known false kills a branch.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CParser } from '../../server/src/csource/parser';
import {
  DIRECTIVES, HeaderFacts, MacroState, PreprocessorFacts, Preprocessed, evaluateCondition, inSpans, preprocessDirectives, targetFacts,
} from '../../server/src/csource/preprocessor';
import { readParserWasm } from '../../server/src/host/source-files';

let parser: CParser;
before(async () => {
  parser = await CParser.create(readParserWasm());
});

const X86 = targetFacts('x64');

function run(source: string, facts: PreprocessorFacts = X86): Preprocessed {
  const tree = parser.parse(source);
  try {
    const directives = tree.rootNode.descendantsOfType([...DIRECTIVES]).flatMap((node) => (node ? [{ node, type: node.type }] : []));
    return preprocessDirectives(directives, facts);
  } finally {
    tree.delete();
  }
}

/** The names declared (`int NAME;`) in inactive code. */
function dead(source: string, facts: PreprocessorFacts = X86): string[] {
  const { inactive } = run(source, facts);
  return [...source.matchAll(/\bint (\w+);/g)].filter((m) => inSpans(inactive, m.index!)).map((m) => m[1]);
}

/** A lookup over a table: a string is a define's body, false known undefined, absent unknown. */
function lookup(table: Record<string, string | false>): (name: string) => MacroState {
  return (name) => {
    if (!(name in table)) return undefined;
    const v = table[name];
    return v === false ? { defined: false } : { defined: true, body: v };
  };
}

describe('conditions, three-valued', () => {
  const l = lookup({ A: '', B: false, V: '6', W: '(V * 2)', F: 'F', H: '0x10' });

  test('defined(X), defined X, !, &&, ||, parentheses: known answers', () => {
    assert.equal(evaluateCondition('defined(A)', l), true);
    assert.equal(evaluateCondition('defined A', l), true);
    assert.equal(evaluateCondition('defined(B)', l), false);
    assert.equal(evaluateCondition('!defined(B) && (defined A || defined(B))', l), true);
    assert.equal(evaluateCondition('defined(A) && defined(B)', l), false);
  });

  test('anything unknown makes the answer unknown, unless the rest decides it', () => {
    assert.equal(evaluateCondition('defined(U)', l), undefined);
    assert.equal(evaluateCondition('!defined(U)', l), undefined);
    assert.equal(evaluateCondition('defined(A) && defined(U)', l), undefined);
    assert.equal(evaluateCondition('defined(B) && defined(U)', l), false);
    assert.equal(evaluateCondition('defined(U) || defined(A)', l), true);
    assert.equal(evaluateCondition('U > 3', l), undefined);
  });

  test('integers and comparisons of known numeric defines', () => {
    assert.equal(evaluateCondition('V >= 5', l), true);
    assert.equal(evaluateCondition('V == 6 && W == 12', l), true);
    assert.equal(evaluateCondition('H == 16 && 010 == 8 && 1UL << 3 == 8', l), true);
    assert.equal(evaluateCondition('V < 5 ? 1 : 0', l), false);
    assert.equal(evaluateCondition('-1 < 0 && ~0 == -1', l), true);
    // A name known not to be a macro is 0 in #if, as C says.
    assert.equal(evaluateCondition('B == 0', l), true);
  });

  test('what cannot be evaluated is unknown, never an exception', () => {
    for (const text of ['LINUX_VERSION_CODE >= KERNEL_VERSION(5, 8, 0)', '__has_include(<bpf/bpf_helpers.h>)', 'F', 'A', '1 / 0', '(1', '1 +', '"s"', "'a' == 97", '']) {
      assert.equal(evaluateCondition(text, l), undefined, text);
    }
  });

  test('comments and line continuations are not part of the condition', () => {
    assert.equal(evaluateCondition('defined(A) /* && defined(B) */ \\\n  && V > 1 // and more', l), true);
  });
});

describe('inactive branches', () => {
  test('the target architecture: x86 on x86_64, every other one known undefined', () => {
    const source = `#if defined(bpf_target_arm64)
int arm;
#elif defined(bpf_target_x86)
int x86;
#else
int other;
#endif
#ifdef __TARGET_ARCH_arm64
int arm2;
#endif
#if defined(__aarch64__) || defined(__s390x__)
int native;
#endif
#ifdef __TARGET_ARCH_x86
int x86b;
#else
int notx86;
#endif
`;
    assert.deepEqual(dead(source), ['arm', 'other', 'arm2', 'native', 'notx86']);
    assert.deepEqual(dead(source, targetFacts('arm64')), ['x86', 'other', 'x86b']);
  });

  test('clang\'s BPF macros are known without an architecture; the architectures are not', () => {
    const source = '#ifndef __BPF__\nint notbpf;\n#endif\n#ifdef bpf_target_arm64\nint arm;\n#endif\n';
    assert.deepEqual(dead(source, targetFacts()), ['notbpf']);
  });

  test('unknown names never kill a branch, on either side', () => {
    const source = '#ifdef CONFIG_SOMETHING\nint a;\n#else\nint b;\n#endif\n#if VERSION > 3\nint c;\n#elif 0\nint d;\n#else\nint e;\n#endif\n';
    assert.deepEqual(dead(source), ['d']);
  });

  test('nested: a dead branch inside an unknown one; everything inside a dead one, as one span', () => {
    const source = '#ifdef UNKNOWN\nint a;\n#if 0\nint b;\n#endif\n#endif\n#if 0\nint c;\n#if 1\nint d;\n#endif\n#endif\n';
    assert.deepEqual(dead(source), ['b', 'c', 'd']);
    const { inactive } = run(source);
    assert.equal(inactive.length, 2);
  });

  test('an #elif chain: the branch taken, the ones before and after dead', () => {
    const source = '#define MODE 2\n#if MODE == 1\nint one;\n#elif MODE == 2\nint two;\n#elif MODE == 3\nint three;\n#else\nint other;\n#endif\n';
    assert.deepEqual(dead(source), ['one', 'three', 'other']);
    // An unknown branch before a true one: the true one's successors are still dead.
    assert.deepEqual(dead('#if UNKNOWN\nint a;\n#elif 1\nint b;\n#else\nint c;\n#endif\n'), ['c']);
  });

  test('defines count from their line on; #undef takes them away', () => {
    const source = `#if FOO
int before;
#endif
#define FOO 1
#if FOO
int after;
#else
int notfoo;
#endif
#undef FOO
#ifdef FOO
int undefd;
#endif
`;
    assert.deepEqual(dead(source), ['notfoo', 'undefd']);
  });

  test('inside functions and struct bodies too', () => {
    const source = 'int f(void)\n{\n#if defined(bpf_target_arm64)\n\treturn 1;\n#endif\n\treturn 0;\n}\nstruct s {\n#ifdef __TARGET_ARCH_s390\n\tint s390;\n#endif\n\tint x;\n};\n';
    const { inactive } = run(source);
    assert.equal(inactive.length, 2);
    assert.ok(inSpans(inactive, source.indexOf('return 1')));
    assert.ok(inSpans(inactive, source.indexOf('s390;')));
    assert.ok(!inSpans(inactive, source.indexOf('return 0')));
  });

  test('an #ifndef include guard is taken, and what it defines is known', () => {
    const source = '#ifndef __APP_H\n#define __APP_H\n#define HAVE_X 1\nint inguard;\n#endif\n#if HAVE_X\nint x;\n#else\nint nox;\n#endif\n';
    assert.deepEqual(dead(source), ['nox']);
  });

  test('#ifndef X / #define X value is a default a -D may override: not a guard, unknown', () => {
    assert.deepEqual(dead('#ifndef MAX\n#define MAX 10\n#endif\n#if MAX > 5\nint big;\n#else\nint small;\n#endif\n'), []);
  });

  test('a define made under an unknown condition is only maybe defined', () => {
    assert.deepEqual(dead('#ifdef UNKNOWN\n#define MAYBE\n#endif\n#ifdef MAYBE\nint a;\n#else\nint b;\n#endif\n'), []);
  });
});

describe('defines', () => {
  test('object-like and function-like, with parameters; none from dead branches', () => {
    const { defines } = run('#define sk_family __sk_common.skc_family /* the family */\n#define MAX(a, b) ((a) > (b) ? (a) : (b))\n#define LOG(fmt, ...) bpf_printk(fmt, \\\n  ##__VA_ARGS__)\n#if 0\n#define DEAD 1\n#endif\n#ifdef UNKNOWN\n#define MAYBE 2\n#endif\n');
    assert.deepEqual([...defines.keys()], ['sk_family', 'MAX', 'LOG', 'MAYBE']);
    assert.equal(defines.get('sk_family')!.body, '__sk_common.skc_family');
    assert.equal(defines.get('sk_family')!.params, undefined);
    assert.deepEqual(defines.get('MAX')!.params, ['a', 'b']);
    assert.deepEqual(defines.get('LOG')!.params, ['fmt', '...']);
    assert.equal(defines.get('LOG')!.body, 'bpf_printk(fmt, ##__VA_ARGS__)');
    assert.equal(defines.get('MAYBE')!.conditional, true);
    assert.equal(defines.get('MAX')!.conditional, undefined);
  });

  test('a header\'s defines, at its #include: visible, decide conditions after it, the file\'s own win', () => {
    const header: HeaderFacts = {
      path: '/p/app.h',
      defines: new Map([
        ['HDR_FEATURE', { body: '1', span: { start: 0, end: 10 }, header: '/p/app.h' }],
        ['SHARED', { body: 'from_header', span: { start: 11, end: 20 }, header: '/p/app.h' }],
      ]),
    };
    const includes: string[] = [];
    const facts: PreprocessorFacts = { ...X86, include: (path, system) => (includes.push(`${system ? '<' : '"'}${path}`), path === 'app.h' ? header : undefined) };
    const source = '#if HDR_FEATURE\nint early;\n#endif\n#define SHARED from_file\n#include "app.h"\n#include <lib.h>\n#if HDR_FEATURE\nint yes;\n#else\nint no;\n#endif\n#if 0\n#include "dead.h"\n#endif\n';
    const out = run(source, facts);
    assert.deepEqual(includes, ['"app.h', '<lib.h']);
    assert.deepEqual(dead(source, facts), ['no']);
    assert.deepEqual([...out.defines.keys()], ['SHARED']);
    assert.equal(out.visible.get('HDR_FEATURE')!.header, '/p/app.h');
    assert.equal(out.visible.get('SHARED')!.body, 'from_file');
    assert.deepEqual(out.headers.map((h) => h.path), ['/p/app.h']);
  });
});

test('inSpans: half-open spans, binary search', () => {
  const spans = [{ start: 10, end: 20 }, { start: 30, end: 40 }];
  assert.deepEqual([9, 10, 19, 20, 29, 30, 39, 40].map((o) => inSpans(spans, o)), [false, true, true, false, false, true, true, false]);
  assert.equal(inSpans([], 5), false);
});
