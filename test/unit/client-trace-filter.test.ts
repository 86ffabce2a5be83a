// The trace output's filter (client/src/trace-filter.ts): trace_pipe lines by process name or text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTraceLine, TraceFilter } from '../../client/src/trace-filter';

const exec = '           execsnoop-4242    [003] d..31  1234.567890: bpf_trace_printk: exec pid=4242';
const node = '            node-1234    [001] ...21 12345.678901: bpf_trace_printk: openat /proc/self/stat';
const tgid = '  kworker/u8:2-77      (     77) [000] .....   99.000001: bpf_trace_printk: hello';

test('trace_pipe lines: the process name, pid and what the program printed', () => {
  assert.deepEqual(parseTraceLine(exec), { process: 'execsnoop', pid: 4242, message: 'exec pid=4242' });
  assert.deepEqual(parseTraceLine(node), { process: 'node', pid: 1234, message: 'openat /proc/self/stat' });
  assert.deepEqual(parseTraceLine(tgid), { process: 'kworker/u8:2', pid: 77, message: 'hello' });
  assert.equal(parseTraceLine('# count_packets (xdp): attached'), undefined);
});

test('a filter keeps the lines whose process or text has a word, and drops those with a -word', () => {
  assert.ok(new TraceFilter('').accepts(node));
  const only = new TraceFilter('execsnoop');
  assert.ok(only.accepts(exec));
  assert.ok(!only.accepts(node));
  assert.ok(only.accepts('# stopped: programs detached and unloaded'), 'notes are always shown');
  const hide = new TraceFilter('-node !kworker');
  assert.ok(hide.accepts(exec));
  assert.ok(!hide.accepts(node));
  assert.ok(!hide.accepts(tgid));
  assert.ok(new TraceFilter('PROC/SELF').accepts(node), 'text, case-insensitively');
});
