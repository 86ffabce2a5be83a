// The webviews' HTML builders are pure functions: a hostile verifier log (markup and quotes in file
// names, source text and messages) renders inert under a strict CSP, and a real rejected log renders
// its path, chain and state.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { escapeHtml, scriptJson } from '../../client/src/html';
import { renderPortabilityHtml } from '../../client/src/portability-html';
import { KernelGroups, Verdict } from '../../server/src/kernels/fleet';
import type { ObjectRelocation } from '../../server/src/relocs/object';
import { groupedMatrix } from '../../server/src/relocs/portability';
import { renderVerifierHtml, ViewVerdict } from '../../client/src/verifier-html';
import { repoRoot } from '../support/kernels';

const FIXTURES = join(repoRoot, 'test/fixtures/verifier');
const NONCE = 'n0nce123';
const EVIL = `"><script>alert(1)</script><img src=x onerror="alert(2)">'`;

function verdict(log: string, over: Partial<ViewVerdict> = {}): ViewVerdict {
  return {
    name: 'ebpf_vscode_null', section: 'tc', accepted: false, processedInsns: 7, truncated: false, log,
    error: { message: "R0 invalid mem access 'map_value_or_null'", informative: null, lines: ["R0 invalid mem access 'map_value_or_null'"], insn: 7, file: 'rejections.bpf.c', line: 26, explanation: 'a NULL check is missing', reason: null, suggestion: null, errno: 13 },
    ...over,
  };
}

const ALLOWED_TAGS = new Set(['!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'h3', 'h4', 'div', 'button', 'section', 'p', 'b', 'code', 'span', 'details', 'summary', 'aside', 'pre', 'table', 'tr', 'th', 'td', 'thead', 'tbody', 'small', 'br', 'label', 'input', 'script']);
const ALLOWED_ATTRS = new Set(['charset', 'http-equiv', 'content', 'nonce', 'class', 'data-i', 'data-step', 'data-state', 'data-file', 'data-line', 'colspan', 'title', 'tabindex', 'hidden', 'open', 'type', 'id', 'html']);

/** Every tag and attribute is one the builder writes; scripts carry the nonce; no attribute value holds a raw quote or `<`. */
function assertInert(html: string): void {
  const scripts = html.match(/<script\b[^>]*>/gi) ?? [];
  assert.deepEqual(scripts, [`<script nonce="${NONCE}">`], 'only the builder\'s own script');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src [^"]*'nonce-n0nce123'; script-src 'nonce-n0nce123';">/);
  assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
  const body = html.replace(/<script nonce="n0nce123">[\s\S]*?<\/script>/, '').replace(/<style nonce="n0nce123">[\s\S]*?<\/style>/, '');
  for (const m of body.matchAll(/<\/?([a-z!][a-z0-9-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/gi)) {
    assert.ok(ALLOWED_TAGS.has(m[1].toLowerCase()), `unexpected tag <${m[1]}> in ${m[0]}`);
    for (const a of m[2].matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) {
      assert.ok(ALLOWED_ATTRS.has(a[1].toLowerCase()), `unexpected attribute ${a[1]} in ${m[0]}`);
      if (a[1] !== 'content') assert.doesNotMatch(a[2] ?? '', /[<>'"]/, `raw markup in ${a[1]}="${a[2]}"`);
    }
  }
  // Every `<` in the body starts one of the tags checked above.
  const tagless = body.replace(/<\/?([a-z!][a-z0-9-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/gi, '');
  assert.doesNotMatch(tagless, /</, 'a stray < outside tags');
  assert.doesNotMatch(body, /<img|onerror="/i);
}

test('escapeHtml escapes markup and both quotes; scriptJson cannot close a script', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  assert.equal(escapeHtml(null), '');
  assert.doesNotMatch(scriptJson('</script><!--'), /<\/script|<!--/);
});

test('a hostile verifier log renders inert in the verifier explorer', () => {
  const real = readFileSync(join(FIXTURES, 'null.level2.log'), 'utf8');
  const hostile = real.replace(/rejections\.bpf\.c/g, `${EVIL}.bpf.c`).replace(/return v->slot\[1\];/, `return ${EVIL};`)
    .replace("R0 invalid mem access 'map_value_or_null'", `R0 invalid mem access ${EVIL}`).replace(/map=ebpf_vscode_val/g, `map=${EVIL}`);
  const v = verdict(hostile, {
    name: EVIL, section: EVIL,
    error: { message: EVIL, informative: EVIL, lines: [EVIL, 'second'], insn: 7, file: `${EVIL}.bpf.c`, line: 26, explanation: EVIL, reason: EVIL, suggestion: EVIL, errno: 13 },
  });
  const accepted = verdict(readFileSync(join(FIXTURES, 'fine.level2.log'), 'utf8').replace(/@ \S+/g, `@ ${EVIL}:3`), { accepted: true, error: null, name: EVIL });
  const html = renderVerifierHtml(EVIL, [v, accepted], NONCE, `https://${EVIL}`, { object: EVIL });
  assertInert(html);
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the markup is shown as text');
  assert.ok(html.includes('data-file="&quot;&gt;&lt;script&gt;'), 'quotes escaped in attributes');
});

test('a rejected program renders its path, the causal chain, the state per step and the heat', () => {
  const html = renderVerifierHtml('/tmp/x.bpf.o', [verdict(readFileSync(join(FIXTURES, 'null.level2.log'), 'utf8'))], NONCE);
  assertInert(html);
  assert.match(html, /class="group chain"><div class="row src" data-file="rejections.bpf.c" data-line="24">/, 'the lookup line is on the chain');
  assert.match(html, /class="step chain error"[^>]*data-state="[^"]*R0=map_value_or_null/, 'the failing step is on the chain and shows R0');
  assert.match(html, /class="heat h\d"/);
  assert.match(html, /class="eline informative">R0 invalid mem access/);
});

test('an accepted program says how many instructions were processed, and shows its statistics', () => {
  const html = renderVerifierHtml('/tmp/x.bpf.o', [verdict(readFileSync(join(FIXTURES, 'fine.level2.log'), 'utf8'), { accepted: true, error: null, processedInsns: 12 })], NONCE);
  assertInert(html);
  assert.match(html, /<p class="ok">Accepted: 12 instructions processed \(section <code>tc<\/code>\)\.<\/p><table class="stats">/);
});

test('the portability view escapes kernels, accesses and file names', () => {
  const html = renderPortabilityHtml(EVIL, {
    columns: [{ kernels: [EVIL, `${EVIL}2`], failing: 1 }], differing: 1, notes: [EVIL],
    rows: [{ file: `${EVIL}.c`, line: 3, access: EVIL, kind: EVIL, section: EVIL, index: 0, cells: [{ state: 'poisoned', text: EVIL }] }],
  }, NONCE, EVIL);
  assertInert(html);
});

test('the portability view: groups of kernels as columns, the relocations that differ first, guarded reads grey', () => {
  const reloc = (index: number, access: string, kind = 'byte_off'): ObjectRelocation => ({
    section: 'kprobe/x', index, insnOffset: index * 8, kind, kindValue: kind === 'field_exists' ? 2 : 0, typeId: 1, spec: '0:1', access, name: access, source: { file: '/w/src/prog.bpf.c', line: 10 + index, column: 1, text: '' },
  });
  const relocs = [reloc(0, 'struct task_struct.pid'), reloc(1, 'struct task_struct___old.state'), reloc(2, 'struct inet_sock.inet_flags')];
  const ok = (value: number, localValue = value): Verdict => ({ resolved: true, poisoned: false, value, localValue });
  const missing: Verdict = { resolved: false, poisoned: true, localValue: 8 };
  const groups = new KernelGroups(relocs.map((r) => r.kind));
  // 6.1 twice (generic and cloud answer alike), 6.12 where inet_flags exists; state is gone everywhere,
  // read only behind a guard that is false (dead code).
  groups.add(0, [ok(2432, 8), missing, missing], [false, true, false]);
  groups.add(1, [ok(2432, 8), missing, missing], [false, true, false]);
  groups.add(2, [ok(2448, 8), missing, ok(16)], [false, true, false]);
  const m = groupedMatrix(relocs, groups, ['6.1.0-56-amd64', '6.1.0-56-cloud-amd64', '6.12.117+deb12-amd64']);
  assert.deepEqual(m.columns, [{ kernels: ['6.1.0-56-amd64', '6.1.0-56-cloud-amd64'], failing: 1 }, { kernels: ['6.12.117+deb12-amd64'], failing: 0 }]);
  assert.deepEqual(m.rows.map((r) => r.access), ['struct task_struct.pid', 'struct inet_sock.inet_flags', 'struct task_struct___old.state'], 'the differing ones first');
  assert.equal(m.differing, 2);
  const html = renderPortabilityHtml('/w/out/prog.bpf.o', m, NONCE, 'out/prog.bpf.o');
  assertInert(html);
  assert.match(html, /<h3>CO-RE relocations of out\/prog\.bpf\.o<\/h3>/, 'named as in the workspace');
  assert.match(html, /<th class="group" title="6\.1\.0-56-amd64\n6\.1\.0-56-cloud-amd64">group 1 · 2 kernels<br><small class="members">6\.1\.0-56-amd64, 6\.1\.0-56-cloud-amd64<\/small><br><small>1 failing<\/small><\/th>/);
  assert.match(html, /group 2 · 1 kernel<br><small class="members">6\.12\.117\+deb12-amd64<\/small><br><small>all resolve<\/small>/);
  const body = html.slice(html.indexOf('<tbody>'));
  assert.ok(body.indexOf('differ between groups (2)') < body.indexOf('inet_flags') && body.indexOf('inet_flags') < body.indexOf('the same in every group (1)'));
  assert.match(body, /<code>struct inet_sock\.inet_flags<\/code><\/td><td>byte_off<\/td><td class="poisoned">missing<\/td><td class="same">16<\/td>/);
  assert.match(body, /<code>struct task_struct___old\.state<\/code><\/td><td>byte_off<\/td><td class="guarded">missing, guarded: not reached<\/td><td class="guarded">missing, guarded: not reached<\/td>/);
  assert.match(html, /\.guarded\{color:var\(--vscode-disabledForeground/, 'guarded cells are grey, not red');
});
