// The TextMate injection that highlights the C of a BCC tool as C: its JSON, its registration, and its
// begin/end expressions run over Debian's bpfcc-tools (the tools as installed, each read by bcc/python.ts
// too): every tool whose BPF(text=...) C is found has that C inside a region the grammar marks as C, and
// Python's other triple-quoted strings (usage examples, descriptions) stay Python.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { extractBccFromPython } from '../../server/src/bcc/python';
import { repoRoot } from '../support/kernels';

const GRAMMAR = 'syntaxes/bcc-python.injection.json';
const grammar = JSON.parse(readFileSync(join(repoRoot, GRAMMAR), 'utf8'));
const rule = grammar.repository['bpf-text'];
// The expressions use only what Oniguruma and JavaScript read alike (no possessives, no \h, no (?i) groups).
const begin = new RegExp(rule.begin, 'g');

/** The C regions the grammar marks in a Python text: from after the opening quotes to the closing ones. */
function regions(py: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  begin.lastIndex = 0;
  for (let m = begin.exec(py); m; m = begin.exec(py)) {
    // `end` is the opening quote again (a back-reference to capture 5).
    assert.equal(rule.end, '(\\5)');
    const close = py.indexOf(m[5], m.index + m[0].length);
    if (close < 0) break;
    out.push({ name: m[1] ?? m[3], text: py.slice(m.index + m[0].length, close) });
    begin.lastIndex = close + 3;
  }
  return out;
}

const BCC_TOOLS = '/usr/sbin';
const tools = existsSync(BCC_TOOLS) ? readdirSync(BCC_TOOLS).filter((f) => f.endsWith('-bpfcc')).map((f) => join(BCC_TOOLS, f)) : [];

describe('BCC injection grammar', () => {
  test('is registered for Python and embeds C', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const entry = pkg.contributes.grammars.find((g: { path: string }) => g.path === `./${GRAMMAR}`);
    assert.ok(entry, 'package.json contributes the grammar');
    assert.equal(entry.scopeName, grammar.scopeName);
    assert.deepEqual(entry.injectTo, ['source.python']);
    assert.equal(entry.embeddedLanguages['meta.embedded.block.c'], 'c');
    assert.match(grammar.injectionSelector, /^L:source\.python\b/);
    assert.match(grammar.injectionSelector, /-string/, 'never inside a Python string already');
    assert.deepEqual(rule.patterns, [{ include: 'source.c' }]);
    assert.match(rule.contentName, /\bsource\.c\b/);
  });

  test('marks BPF(text="""...""") and bpf_text = """...""", not other strings', () => {
    const py = [
      'examples = """examples:\n    ./tool -p 181\n"""',
      'bpf_text = """\n#include <uapi/linux/ptrace.h>\nBPF_HASH(start, u32);\n"""',
      "bpf_text += r'''\nint kprobe__vfs_read(void *ctx) { return 0; }\n'''",
      'b = BPF(text="""\nint hello(void *ctx) { return 0; }\n""")',
      'if count == """x""": pass',
      'description = """\nSummarize block device I/O latency\n"""',
    ].join('\n');
    const found = regions(py);
    assert.deepEqual(found.map((r) => r.name), ['bpf_text', 'bpf_text', 'BPF']);
    assert.match(found[0].text, /^\n#include <uapi\/linux\/ptrace\.h>\nBPF_HASH\(start, u32\);\n$/);
    assert.match(found[1].text, /kprobe__vfs_read/);
    assert.match(found[2].text, /int hello/);
  });

  test('bpfcc-tools: each tool\'s BPF C lies in regions the grammar marks as C', { skip: tools.length === 0 ? 'bpfcc-tools is not installed (apt-get install bpfcc-tools)' : undefined }, () => {
    let withC = 0;
    const missed: string[] = [];
    for (const file of tools) {
      const py = readFileSync(file, 'utf8');
      // A line of real C from the tool's program (an include, a table, a probe): the tools whose C the
      // Python computes at run time have none that bcc/python.ts can name, and are not counted.
      const probe = extractBccFromPython(py).programs.flatMap((p) => p.text.split('\n')).find((l) => /^\s*(int|BPF_\w+\(|TRACEPOINT_PROBE|RAW_TRACEPOINT_PROBE|KFUNC_PROBE|#include)\b/.test(l) && l.trim().length > 8);
      if (!probe) continue;
      withC++;
      if (!regions(py).some((r) => r.text.includes(probe.trim()))) missed.push(`${file}: ${probe.trim()}`);
    }
    assert.ok(withC >= 80, `bpfcc-tools has ${withC} tools with BPF C`);
    assert.ok(missed.length <= withC * 0.05, `${missed.length} of ${withC} tools have C outside the marked regions:\n${missed.join('\n')}`);
  });
});
