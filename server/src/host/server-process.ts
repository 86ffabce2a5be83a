// How the language server's process is started, decided once for the client and the bench: what the
// bench measures is what an editor runs.
import { availableParallelism } from 'node:os';

/**
 * Node's own arguments for the server (before the script), for a machine with `cores` CPUs:
 * - V8's young generation is capped at 2 MB a semispace (16 MB by default on 64-bit). Start-up (the
 *   kernel's BTF) grows it to the default's full size, and every page an allocation then reaches for the
 *   first time is a page fault: 15-21 µs each on this machine (a VM), about 4 per hover, a quarter of what
 *   a hover costs right after start. Capped, the young generation's few pages are reused and stay mapped.
 *   Alternating 12 spawns each (a hover loop right after the first hover): faults per hover 3.8 → 0.8,
 *   main-thread CPU per hover 0.275 → 0.198 ms, hover p50 0.356 → 0.222 ms; first hover and completion
 *   unchanged. 1 MB made completion slower (more scavenges); 3 MB still faulted.
 * - V8's worker threads (background compiles, GC helpers; Node starts 4) leave a core to the editor, which
 *   reads each answer while the server's JIT is still compiling: one thread on 2 cores. Alternating 16
 *   and 14 spawns: completion p99 3.9 → 2.8 and 4.2 → 3.1 ms; first hover unchanged.
 *   From 5 cores on it is Node's 4.
 * The CLI's short commands keep Node's defaults.
 */
export function serverNodeArguments(cores = availableParallelism()): string[] {
  return ['--max-semi-space-size=2', `--v8-pool-size=${Math.max(1, Math.min(4, cores - 1))}`];
}

const HUGE_PAGE_MALLOC = 'glibc.malloc.hugetlb=1';

/**
 * What to add to (or blank in) the environment the server starts in:
 * - glibc (2.35+) is asked to back its large allocations (the kernel's BTF, its indexes, tree-sitter's
 *   tables) with transparent huge pages where the kernel offers them on request (`madvise`): a start-up
 *   touches tens of MB of fresh memory, and one fault per 2 MB instead of one per 4 KB took the first hover
 *   from about 365 to 330 ms here. Other C libraries and older glibc ignore the variable; tunables the user
 *   set are kept.
 * - `NODE_EXTRA_CA_CERTS`, which proxies and corporate machines set for every process, makes Node parse
 *   the whole certificate bundle before any code runs: 43 ms of a 95 ms start here, for a server that
 *   never opens a TLS connection. An empty value is what Node skips, and what a merge with the
 *   editor's environment (vscode-languageclient, the bench) can express.
 */
export function serverEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  const tunables = env.GLIBC_TUNABLES;
  if (!tunables?.split(':').some((t) => t.startsWith('glibc.malloc.hugetlb='))) out.GLIBC_TUNABLES = tunables ? `${tunables}:${HUGE_PAGE_MALLOC}` : HUGE_PAGE_MALLOC;
  if (env.NODE_EXTRA_CA_CERTS) out.NODE_EXTRA_CA_CERTS = '';
  return out;
}
