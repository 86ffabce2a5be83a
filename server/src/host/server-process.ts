// How the language server's process is started, decided once for the client and the bench: what the
// bench measures is what an editor runs.

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
