// `npm run bench` (bundled by scripts/bench.mjs): every performance figure the issues set targets for.
import { btfBench, childLoadKernel } from './btf-bench';
import { checkBench } from './check-bench';
import { fleetBench } from './fleet-bench';
import { lspBench } from './lsp-bench';
import { verifierBench } from './verifier-bench';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child-load-kernel') return childLoadKernel(args[1]);
  btfBench(process.argv[1]);
  const root = process.env.EBPF_REPO_ROOT ?? process.cwd();
  await lspBench(root);
  await checkBench(root);
  await fleetBench(root);
  await verifierBench(root);
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
