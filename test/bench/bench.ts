// `npm run bench` (bundled by scripts/bench.mjs): every performance figure the issues set targets for.
import { btfBench, childLoadKernel } from './btf-bench';
import { checkBench } from './check-bench';
import { fleetBench } from './fleet-bench';
import { lspBench } from './lsp-bench';
import { verifierBench } from './verifier-bench';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child-load-kernel') return childLoadKernel(args[1]);
  const root = process.env.EBPF_REPO_ROOT ?? process.cwd();
  // `npm run bench -- lsp check` runs only those parts; no argument runs them all.
  const parts: Record<string, () => unknown> = {
    btf: () => btfBench(process.argv[1]),
    lsp: () => lspBench(root),
    check: () => checkBench(root),
    fleet: () => fleetBench(root),
    verifier: () => verifierBench(root),
  };
  const unknown = args.filter((a) => !(a in parts));
  if (unknown.length) throw new Error(`unknown bench part ${unknown.join(', ')}; the parts are ${Object.keys(parts).join(', ')}`);
  for (const [name, run] of Object.entries(parts)) if (args.length === 0 || args.includes(name)) await run();
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
