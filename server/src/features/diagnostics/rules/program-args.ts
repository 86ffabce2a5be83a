/**
 * BPF_PROG heads against the kernel's prototype in every kernel. BPF_PROG hands the program the traced
 * function's arguments by position, whatever the head calls them: a head that skips one (`sched_switch`
 * declared `(prev, next)` without its leading `bool preempt`) gets every later argument in the wrong
 * name, and a pointer where the kernel passes a number is refused by the verifier at its first use.
 * Reported: more arguments than the target passes; a pointer declared where the kernel passes a number;
 * a struct pointer of another struct (vfs_unlink's first argument became `struct mnt_idmap *` in 6.3);
 * a name that is another argument's in the prototype. Loose declarations (`void *`, `u64`) are fine, and
 * so is any parameter the body never uses: the loads of unused arguments are dead code clang removes, so
 * the kernel never sees them (scx_mitosis's fentry head with a `retval`, KubeArmor's `lsm/capable` head
 * with the pre-5.x `int ret`).
 */
import { Btf } from '../../../btf/btf';
import { Kind } from '../../../btf/wire';
import { CDocument, CFunction, CVar, Span, functionBody } from '../../../csource/model';
import { Tree } from '../../../csource/parser';
import { essentialName } from '../../../relocs/relo-core';
import { matchSection } from '../../../sections/match';
import { dereferencesOf } from '../../pointer-provenance';
import { ProgramArg, argumentList, pointedStruct, programArguments } from '../../program-arguments';
import { Rule } from '../rule';

export const programArgsRule: Rule = {
  name: 'program arguments',
  codes: ['program-args', 'program-arg-number'],
  // A step per program head.
  *check(input, report) {
    for (const f of input.file.model.functions) {
      if (!f.section || (f.macro !== 'BPF_PROG' && f.macro !== 'BPF_PROG2')) continue;
      const problems = new Map<string, { at: Span; kernels: string[]; code: 'program-args' | 'program-arg-number' }>();
      const note = (at: Span, message: string, kernel: string, code: 'program-args' | 'program-arg-number' = 'program-args') => {
        const p = problems.get(message) ?? { at, kernels: [], code };
        p.kernels.push(kernel);
        problems.set(message, p);
      };
      const target = matchSection(f.section.name)?.target ?? '';
      for (const k of input.kernels) {
        const args = programArguments(f.section.name, k.btf);
        if (!args) continue;
        const used = f.params.filter((p) => usedInBody(input.file.model, f, p.name));
        const beyond = used.find((p) => f.params.indexOf(p) >= args.length);
        if (beyond) note(beyond.span, `${target} passes ${args.length} argument(s) (${argumentList(args, k.btf)}), fewer than this head reads`, k.label);
        f.params.forEach((p, i) => {
          const problem = i < args.length && used.includes(p) ? argumentProblem(k.btf, target, args, p, i) : undefined;
          // A number in a pointer's name is refused only where the program dereferences it.
          const refused = problem?.number && dereferences(input.file.tree, f, p.name);
          if (problem) note(p.span, problem.message, k.label, refused ? 'program-arg-number' : 'program-args');
        });
      }
      for (const [message, p] of problems) report({ code: p.code, ...p.at, message: `${message} in ${p.kernels.join(', ')}` });
      yield;
    }
  },
};

/** What is wrong with parameter `i` against the prototype's argument `i`, if anything. */
function argumentProblem(btf: Btf, target: string, args: ProgramArg[], p: CVar, i: number): { message: string; number?: boolean } | undefined {
  const proto = `(${argumentList(args, btf)})`;
  const gets = argumentList([args[i]], btf);
  const elsewhere = args.findIndex((a, j) => j !== i && a.name === p.name);
  const number = p.type.pointers > 0 && p.type.base !== 'void' && btf.kind(btf.resolve(args[i].type)) !== Kind.Ptr;
  const want = pointedStruct(btf, args[i].type);
  const got = /^(?:struct|union) (\w+)$/.exec(p.type.base)?.[1];
  if (want !== undefined && got !== undefined && p.type.pointers === 1 && essentialName(got) !== want) return { message: `argument ${i + 1} of ${target} is ${gets}, not ${p.type.base} *` };
  if (elsewhere >= 0) return { number, message: `${p.name} is argument ${elsewhere + 1} of ${target} ${proto}; in position ${i + 1} this head receives ${gets}` };
  if (number) return { number, message: `argument ${i + 1} of ${target} ${proto} is ${gets}, a number: ${p.name} receives it, and the verifier refuses to dereference it` };
  return undefined;
}

/** Whether the function body names `name` at all. */
function usedInBody(model: CDocument, f: CFunction, name: string): boolean {
  return model.identifierUses(name).some((u) => u.start >= f.body.start && u.end <= f.body.end);
}

/** Whether the function body reads through `name`. */
function dereferences(tree: Tree, f: CFunction, name: string): boolean {
  const body = functionBody(tree, f);
  return !!body && dereferencesOf(body, name).length > 0;
}
