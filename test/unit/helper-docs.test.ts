// libbpf's bpf_helper_defs.h as the service reads it: parsed when first asked for, once, with the same
// helpers as an eager parse, and no helpers when there is no header.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HelperDoc, helperDefsOnDemand, parseHelperDefs } from '../../server/src/features/helper-docs';

const HEADER = `/*
 * bpf_map_lookup_elem
 *
 * 	Perform a lookup in *map* for an entry associated to *key*.
 *
 * Returns
 * 	Map value associated to *key*, or **NULL** if no entry was
 * 	found.
 */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;

/*
 * bpf_ktime_get_ns
 *
 * 	Return the time elapsed since system boot, in nanoseconds.
 *
 * Returns
 * 	Current *ktime*.
 */
static __u64 (*bpf_ktime_get_ns)(void) = (void *) 5;
`;

test('the header is read when a helper is first asked for, once, and gives what an eager parse gives', () => {
  let reads = 0;
  const helpers = helperDefsOnDemand(() => {
    reads++;
    return HEADER;
  });
  assert.equal(reads, 0, 'not read before it is asked for');
  assert.equal(helpers.get('bpf_ktime_get_ns')?.signature, '__u64 bpf_ktime_get_ns(void)');
  const eager = parseHelperDefs(HEADER);
  assert.deepEqual([...helpers.keys()], [...eager.keys()]);
  assert.deepEqual([...helpers.values()].map((h) => [h.name, h.signature, h.id, h.doc]), [...eager.values()].map((h) => [h.name, h.signature, h.id, h.doc]));
  assert.equal(helpers.size, 2);
  assert.equal(reads, 1);
});

test('each way of reading fills the map first', () => {
  const reads: [string, (helpers: Map<string, HelperDoc>) => number][] = [
    ['get', (h) => (h.get('bpf_map_lookup_elem') ? 1 : 0)],
    ['has', (h) => (h.has('bpf_map_lookup_elem') ? 1 : 0)],
    ['size', (h) => h.size],
    ['keys', (h) => [...h.keys()].length],
    ['values', (h) => [...h.values()].length],
    ['entries', (h) => [...h.entries()].length],
    ['iteration', (h) => [...h].length],
    ['forEach', (h) => {
      let n = 0;
      h.forEach(() => n++);
      return n;
    }],
  ];
  for (const [how, read] of reads) assert.ok(read(helperDefsOnDemand(() => HEADER)) > 0, `${how} saw no helpers`);
});

test('no header: no helpers', () => {
  const helpers = helperDefsOnDemand(() => undefined);
  assert.equal(helpers.size, 0);
  assert.equal(helpers.get('bpf_map_lookup_elem'), undefined);
});
