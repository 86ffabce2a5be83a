// Where a conversion is written (host/convert-bcc.ts, shared by `ebpf-ls convert-bcc` and the editor's
// Convert to libbpf): NAME.bpf.c beside the tool, and a free name when that exists, so nothing is overwritten.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { convertedPath, freePath, pythonBeside } from '../../server/src/host/convert-bcc';

test('a tool converts to NAME.bpf.c beside it', () => {
  assert.equal(convertedPath('/x/biolatency.py'), '/x/biolatency.bpf.c');
  assert.equal(convertedPath('/usr/sbin/biolatency-bpfcc'), '/usr/sbin/biolatency.bpf.c');
  assert.equal(convertedPath('/x/hello.c'), '/x/hello.bpf.c');
});

test('an existing NAME.bpf.c is never the free name: NAME-2.bpf.c, then NAME-3.bpf.c', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-convert-'));
  const wanted = join(dir, 'tool.bpf.c');
  assert.equal(freePath(wanted), wanted);
  writeFileSync(wanted, 'mine\n');
  assert.equal(freePath(wanted), join(dir, 'tool-2.bpf.c'));
  writeFileSync(join(dir, 'tool-2.bpf.c'), 'mine too\n');
  assert.equal(freePath(wanted), join(dir, 'tool-3.bpf.c'));
});

test('a BCC C file\'s Python tool is the .py beside it, when there is one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-convert-'));
  assert.equal(pythonBeside(join(dir, 'tool.c')), undefined);
  writeFileSync(join(dir, 'tool.py'), 'from bcc import BPF\n');
  assert.equal(pythonBeside(join(dir, 'tool.c')), join(dir, 'tool.py'));
  assert.equal(pythonBeside(join(dir, 'tool.py')), undefined, 'only for C');
});
