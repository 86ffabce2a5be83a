// libbpf's macro table against the installed headers (Debian's libbpf-dev): each macro is defined where
// the table says (or absent when the table dates it after the installed release), and following its
// #defines reaches the helper the table says it calls.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CALLING_MACROS, HEAD_MACROS, MacroHeader } from '../../server/src/libbpf/macros';

const INCLUDE = '/usr/include/bpf';
const skip = existsSync(join(INCLUDE, 'bpf_core_read.h')) ? false : 'libbpf headers are not installed (apt-get install libbpf-dev)';

/** `#define NAME(...) body` of a header, continuation lines joined: name -> identifiers of the body. */
function defines(header: MacroHeader): Map<string, Set<string>> {
  const text = readFileSync(join(INCLUDE, header), 'utf8').replace(/\\\n/g, ' ');
  const out = new Map<string, Set<string>>();
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+(\w+)(\([^)]*\))?(.*)$/gm)) out.set(m[1], new Set(m[3].match(/\b[A-Za-z_]\w*\b/g) ?? []));
  return out;
}

const ALL = new Map<string, Set<string>>();
if (!skip) for (const h of ['bpf_helpers.h', 'bpf_tracing.h', 'bpf_core_read.h', 'usdt.bpf.h'] as const) for (const [k, v] of defines(h)) ALL.set(k, v);

/** Macros named `idN`: what `___bpf_apply(id, N)` pastes together. */
const numbered = (id: string) => [...ALL.keys()].filter((k) => k.startsWith(id) && /^\d+$/.test(k.slice(id.length)));

/** Every identifier reachable from a macro through the headers' macros, token-pasted `idN` included. */
function reachable(name: string): Set<string> {
  const seen = new Set<string>([name]);
  const queue = [name];
  while (queue.length) {
    for (const id of ALL.get(queue.pop()!) ?? []) {
      for (const next of [id, ...numbered(id)]) if (!seen.has(next)) seen.add(next), queue.push(next);
    }
  }
  return seen;
}

function installedMinor(): number {
  const m = /LIBBPF_MINOR_VERSION\s+(\d+)/.exec(readFileSync(join(INCLUDE, 'libbpf_version.h'), 'utf8'));
  return Number(m?.[1]);
}

const newer = (since: string | undefined) => since !== undefined && Number(since.split('.')[1]) > installedMinor();

test('calling macros reach the helper the table names, in the header it names', { skip }, () => {
  for (const [name, macro] of Object.entries(CALLING_MACROS)) {
    const own = defines(macro.header);
    if (newer(macro.since)) {
      assert.ok(!own.has(name), `${name} is dated ${macro.since} but the installed headers define it`);
      continue;
    }
    assert.ok(own.has(name), `${name} is not defined in ${macro.header}`);
    const reached = reachable(name);
    for (const helper of [macro.calls, macro.callsWithManyArgs]) if (helper) assert.ok(reached.has(helper), `${name} does not reach ${helper}`);
    // A macro the table says calls nothing must not reach a probe-read helper.
    if (!macro.calls) assert.ok(![...reached].some((id) => id.startsWith('bpf_probe_read')), `${name} reaches a probe-read helper`);
  }
});

test('head macros: BTF-typed ones read the context array, pt_regs ones read registers', { skip }, () => {
  for (const [name, macro] of Object.entries(HEAD_MACROS)) {
    const own = defines(macro.header);
    if (newer('since' in macro ? macro.since : undefined)) {
      assert.ok(!own.has(name), `${name} is dated after the installed libbpf but is defined`);
      continue;
    }
    assert.ok(own.has(name), `${name} is not defined in ${macro.header}`);
    const reached = reachable(name);
    if (macro.args === 'btf') assert.ok(reached.has('___bpf_ctx_cast') || reached.has('___bpf_ctx_arg'), `${name} does not read the context array`);
    if (macro.args === 'pt_regs') assert.ok([...reached].some((id) => /^(PT_REGS_PARM1|PT_REGS_RC|___bpf_kprobe_args|___bpf_kretprobe_args|___bpf_syscall_args|___bpf_uprobe_args)/.test(id)), `${name} does not read pt_regs`);
    if (macro.args === 'usdt') assert.ok(reached.has('bpf_usdt_arg'), `${name} does not fetch USDT arguments`);
  }
});
