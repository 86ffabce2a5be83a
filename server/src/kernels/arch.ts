// A kernel's architecture, which BTF itself does not record: from an ELF header's machine, from a path
// (BTFHub's `<distro>/<version>/<arch>/`, Debian's `-amd64`), or from the members of `struct pt_regs`,
// which every architecture lays out its own way.
import { Btf } from '../btf/btf';
import { CompositeType } from '../btf/types';
import { Kind } from '../btf/wire';

/** Architectures as uname and BTFHub name them. */
export type Arch = 'x86_64' | 'i386' | 'arm64' | 'arm' | 's390x' | 'ppc64le' | 'riscv64' | 'loongarch64' | 'mips';

/** The `__TARGET_ARCH_*` suffix libbpf's bpf_tracing.h expects for each. */
export const TARGET_ARCH: Record<Arch, string> = {
  x86_64: 'x86', i386: 'x86', arm64: 'arm64', arm: 'arm', s390x: 's390', ppc64le: 'powerpc', riscv64: 'riscv', loongarch64: 'loongarch', mips: 'mips',
};

const ELF_MACHINES: Record<number, Arch> = { 3: 'i386', 8: 'mips', 21: 'ppc64le', 22: 's390x', 40: 'arm', 62: 'x86_64', 183: 'arm64', 243: 'riscv64', 258: 'loongarch64' };

export function archFromElfMachine(machine: number): Arch | undefined {
  return ELF_MACHINES[machine];
}

const ALIASES: Record<string, Arch> = {
  x86_64: 'x86_64', amd64: 'x86_64', x64: 'x86_64', i386: 'i386', i686: 'i386', arm64: 'arm64', aarch64: 'arm64',
  armhf: 'arm', armel: 'arm', arm: 'arm', s390x: 's390x', ppc64le: 'ppc64le', ppc64el: 'ppc64le', riscv64: 'riscv64',
  loongarch64: 'loongarch64', loong64: 'loongarch64', mips64el: 'mips', mipsel: 'mips',
};

/** An architecture name as distributions spell it (`amd64`, `aarch64`, `ppc64el`...). */
export function normalizeArch(name: string): Arch | undefined {
  return ALIASES[name.toLowerCase()];
}

/** The architecture a release string or file name ends in: `6.1.0-56-cloud-amd64`, `5.4.0-1.el8.aarch64`. */
export function archFromName(name: string): Arch | undefined {
  const m = /[-.+_](x86_64|amd64|i686|i386|arm64|aarch64|armhf|armel|s390x|ppc64le|ppc64el|riscv64|loong64|loongarch64)(?:$|[-.+_])/i.exec(name);
  return m ? normalizeArch(m[1]) : undefined;
}

/** Members of pt_regs that only one architecture has. */
const PT_REGS_MARKS: [string, Arch][] = [
  ['r15', 'x86_64'], ['bx', 'i386'], ['orig_x0', 'arm64'], ['uregs', 'arm'], ['gprs', 's390x'], ['nip', 'ppc64le'],
  ['epc', 'riscv64'], ['csr_era', 'loongarch64'], ['cp0_epc', 'mips'],
];

/** The architecture `struct pt_regs` is laid out for, searching through anonymous members. */
export function archFromBtf(btf: Btf): Arch | undefined {
  const id = btf.findFirst('pt_regs', Kind.Struct);
  if (id === undefined) return undefined;
  const names = new Set<string>();
  const walk = (typeId: number, depth: number) => {
    const t = btf.type(btf.resolve(typeId));
    if ((t.kind !== Kind.Struct && t.kind !== Kind.Union) || depth > 3) return;
    for (const m of (t as CompositeType).members) {
      if (m.name) names.add(m.name);
      else walk(m.type, depth + 1);
    }
  };
  walk(id, 0);
  return PT_REGS_MARKS.find(([member]) => names.has(member))?.[1];
}

/** pt_regs members that only the x86 or the arm64 layout has (as PT_REGS_PARMn_CORE reads them). */
const PT_REGS_FIELDS: [Arch, Set<string>][] = [
  ['x86_64', new Set(['di', 'si', 'dx', 'cx', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'ax', 'bx', 'bp', 'ip', 'orig_ax', 'flags', 'cs', 'ss'])],
  ['arm64', new Set(['regs', 'pc', 'pstate', 'orig_x0', 'syscallno'])],
  ['s390x', new Set(['gprs', 'psw', 'orig_gpr2'])],
  ['ppc64le', new Set(['gpr', 'nip', 'msr', 'orig_gpr3'])],
  ['riscv64', new Set(['epc', 'ra', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 't0', 's0'])],
];

/**
 * The architecture an object was built for (`-D__TARGET_ARCH_x86`...), as far as its CO-RE accesses to
 * `struct pt_regs` tell (`struct pt_regs.di`); undefined when it reads no architecture-specific register.
 */
export function archOfAccesses(accesses: readonly string[]): Arch | undefined {
  const fields = accesses.flatMap((a) => /^struct (?:user_)?pt_regs\.(\w+)/.exec(a)?.[1] ?? []);
  for (const [arch, names] of PT_REGS_FIELDS) if (fields.some((f) => names.has(f) && f !== 'sp')) return arch;
  return undefined;
}
