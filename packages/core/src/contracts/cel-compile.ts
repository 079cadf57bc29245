// Compiling and running one gate: CEL text -> checked, instrumented program -> verdict.
import { celEnv, celFunc, celList, CelScalar, isCelError, isCelList, isCelMap, listType, parse, plan, type CelEnv, type CelInput, type CelValue } from './cel-runtime.js';
import { ContractError, lineColumn } from './errors.js';
import { GATE_DEADLINE_MS, MAX_GATE_COST, MAX_GATE_DEPTH, MAX_GATE_NODES, MAX_GATE_SOURCE, MAX_SOURCE_NESTING } from './limits.js';

/** The outcome of one gate: deterministic for the same view, so a replay must match it. */
export interface GateOutcome {
  pass: boolean;
  /** Why the gate did not pass when it did not evaluate to a bool (a CEL error, the cost limit). */
  error?: string;
  /** Cost units counted (see limits.ts). */
  cost: number;
}

export interface CompiledGate {
  name: string;
  source: string;
  /** Expression nodes, before instrumentation. */
  nodes: number;
  run(bindings: Record<string, unknown>, options?: RunOptions): GateOutcome;
}

export interface RunOptions {
  maxCost?: number;
  deadlineMs?: number;
  /** Milliseconds clock for the deadline; Date.now by default. */
  now?: () => number;
}

/** The wall-clock guard fired: the machine was too slow to finish; nothing may be recorded. */
export class GateDeadlineError extends ContractError {}

// Names the evaluator adds to instrumented programs; gate authors cannot call them.
const RANGE_FN = '__colophon_range__';
const APPEND_FN = '__colophon_append__';
/** The accumulator of comprehensions the parser expands macros into; no gate can name it. */
const ACCUMULATOR = '@result';
const RESERVED_PREFIX = '__colophon';

/** Operators the planner handles itself rather than through the function table. */
const PLANNER_OPERATORS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);

// ---------------------------------------------------------------------------------------------
// Cost metering. Evaluation is synchronous, so one meter is active at a time.

class Meter {
  cost = 0;
  exceeded = false;
  timedOut = false;
  constructor(
    readonly max: number,
    readonly deadline: number,
    readonly now: () => number,
  ) {}

  charge(units: number): void {
    if (this.exceeded || this.timedOut) throw new Error('evaluation stopped');
    this.cost += units;
    if (this.cost > this.max) {
      this.exceeded = true;
      throw new Error(`cost limit of ${this.max} exceeded`);
    }
    if (this.now() > this.deadline) {
      this.timedOut = true;
      throw new Error('deadline passed');
    }
  }
}

let activeMeter: Meter | undefined;

function meter(): Meter {
  if (!activeMeter) throw new Error('a gate program ran outside runGate');
  return activeMeter;
}

function sizeOf(value: CelValue): number {
  if (isCelList(value) || isCelMap(value)) return value.size;
  return 0;
}

const LIST = listType(CelScalar.DYN);

/**
 * Accumulators that `append` made, with the array behind each. A comprehension's accumulator is
 * private to it (its name, "@result", cannot be written in a gate) and replaced by each step's
 * result, so appending to the array in place is unobservable and makes `map`/`filter` linear.
 * An accumulator not made here (the constant `[]` a macro starts from, shared by every run) is
 * copied once first.
 */
const owned = new WeakMap<object, CelValue[]>();

let env: CelEnv | undefined;

/**
 * The CEL environment of every gate: the standard library, plus
 * - the range meter inserted before each comprehension (charges range size x body size);
 * - list concatenation that copies into one flat list and charges its length. The standard one
 *   nests a lazy list per `+`, so `map` over n items builds n levels that later cost O(n^2) to
 *   read and overflow the stack (at a depth that differs between engines) around n = 10,000;
 * - string concatenation that charges one unit per 64 characters made.
 */
function gateEnv(): CelEnv {
  env ??= celEnv({
    funcs: [
      celFunc(RANGE_FN, [CelScalar.DYN, CelScalar.INT], CelScalar.DYN, (range, weight) => {
        meter().charge(sizeOf(range) * Number(weight));
        return range as CelInput;
      }),
      celFunc(APPEND_FN, [LIST, LIST], LIST, (accumulator, tail) => {
        let items = owned.get(accumulator);
        let list = accumulator;
        if (!items) {
          meter().charge(accumulator.size);
          items = [];
          for (const item of accumulator) items.push(item);
          list = celList(items);
          owned.set(list, items);
        }
        meter().charge(tail.size);
        for (const item of tail) items.push(item);
        return list;
      }),
      celFunc('_+_', [LIST, LIST], LIST, (left, right) => {
        meter().charge(left.size + right.size);
        const items: CelValue[] = [];
        for (const item of left) items.push(item);
        for (const item of right) items.push(item);
        return celList(items);
      }),
      celFunc('_+_', [CelScalar.STRING, CelScalar.STRING], CelScalar.STRING, (left, right) => {
        meter().charge(1 + ((left.length + right.length) >> 6));
        return left + right;
      }),
    ],
  });
  return env;
}

// ---------------------------------------------------------------------------------------------
// The parsed tree, as @bufbuild/cel's parser returns it (protobuf-es messages, read structurally).

interface Expr {
  id: bigint;
  exprKind: { case: string | undefined; value?: unknown };
}
interface CallValue {
  target?: Expr;
  function: string;
  args: Expr[];
}
interface SelectValue {
  operand?: Expr;
  field: string;
}
interface ListValue {
  elements: Expr[];
}
interface StructValue {
  messageName: string;
  entries: { keyKind: { case: string | undefined; value?: unknown }; value?: Expr }[];
}
interface ComprehensionValue {
  iterVar: string;
  iterVar2?: string;
  accuVar: string;
  iterRange?: Expr;
  accuInit?: Expr;
  loopCondition?: Expr;
  loopStep?: Expr;
  result?: Expr;
}

function children(expr: Expr): Expr[] {
  const v = expr.exprKind.value;
  switch (expr.exprKind.case) {
    case 'selectExpr':
      return present([(v as SelectValue).operand]);
    case 'callExpr':
      return present([(v as CallValue).target, ...(v as CallValue).args]);
    case 'listExpr':
      return (v as ListValue).elements;
    case 'structExpr':
      return (v as StructValue).entries.flatMap((e) => present([e.keyKind.case === 'mapKey' ? (e.keyKind.value as Expr) : undefined, e.value]));
    case 'comprehensionExpr': {
      const c = v as ComprehensionValue;
      return present([c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result]);
    }
    default:
      return [];
  }
}

function present(list: (Expr | undefined)[]): Expr[] {
  return list.filter((e): e is Expr => e !== undefined);
}

function countNodes(expr: Expr): number {
  let n = 1;
  for (const child of children(expr)) n += countNodes(child);
  return n;
}

// ---------------------------------------------------------------------------------------------

interface CheckContext {
  source: string;
  path: string;
  positions: Record<string, number>;
  variables: ReadonlySet<string>;
  env: CelEnv;
  nodes: number;
}

function fail(ctx: CheckContext, expr: Expr | undefined, message: string): never {
  const offset = expr ? ctx.positions[String(expr.id)] : undefined;
  if (offset === undefined) throw new ContractError(`${ctx.path}: ${message}`, ctx.path);
  const { line, column } = lineColumn(ctx.source, offset);
  throw new ContractError(`${ctx.path}: ${message} at line ${line}, column ${column}`, ctx.path, line, column);
}

/** Rejects what would only fail at run time: unknown names and functions, protobuf messages, size. */
function check(ctx: CheckContext, expr: Expr, scope: ReadonlySet<string>, depth: number): void {
  if (depth > MAX_GATE_DEPTH) fail(ctx, expr, `nests deeper than ${MAX_GATE_DEPTH} levels`);
  if (++ctx.nodes > MAX_GATE_NODES) fail(ctx, expr, `has more than ${MAX_GATE_NODES} expression nodes`);
  const v = expr.exprKind.value;
  switch (expr.exprKind.case) {
    case 'identExpr': {
      const name = (v as { name: string }).name;
      if (!scope.has(name) && !ctx.variables.has(name)) {
        fail(ctx, expr, `unknown name "${name}"; the view offers ${[...ctx.variables].sort().join(', ')}`);
      }
      return;
    }
    case 'callExpr': {
      const call = v as CallValue;
      if (call.function.startsWith(RESERVED_PREFIX)) fail(ctx, expr, `"${call.function}" is reserved`);
      if (call.target?.exprKind.case === 'identExpr') {
        const root = (call.target.exprKind.value as { name: string }).name;
        if (!scope.has(root) && !ctx.variables.has(root)) fail(ctx, expr, `unknown function "${root}.${call.function}"`);
      }
      if (!PLANNER_OPERATORS.has(call.function) && ctx.env.funcs.find(call.function) === undefined) {
        fail(ctx, expr, `unknown function "${call.function}"`);
      }
      break;
    }
    case 'structExpr':
      if ((v as StructValue).messageName !== '') fail(ctx, expr, `message "${(v as StructValue).messageName}" cannot be built: the view has no protobuf types`);
      break;
    case 'comprehensionExpr': {
      const c = v as ComprehensionValue;
      if (c.iterRange) check(ctx, c.iterRange, scope, depth + 1);
      if (c.accuInit) check(ctx, c.accuInit, scope, depth + 1);
      const inner = new Set(scope);
      inner.add(c.iterVar);
      if (c.iterVar2) inner.add(c.iterVar2);
      inner.add(c.accuVar);
      for (const part of present([c.loopCondition, c.loopStep])) check(ctx, part, inner, depth + 1);
      if (c.result) check(ctx, c.result, new Set([...scope, c.accuVar]), depth + 1);
      return;
    }
    case 'constExpr':
    case 'selectExpr':
    case 'listExpr':
      break;
    default:
      fail(ctx, expr, 'is not a valid expression');
  }
  for (const child of children(expr)) check(ctx, child, scope, depth + 1);
}

/**
 * Inserts the range meter before every comprehension's range, and turns `@result + [...]` (the
 * step of map and filter) into an in-place append (see gateEnv).
 */
function instrument(expr: Expr, nextId: { value: bigint }): void {
  for (const child of children(expr)) instrument(child, nextId);
  if (expr.exprKind.case === 'callExpr') {
    const call = expr.exprKind.value as CallValue;
    const first = call.args[0];
    if (call.function === '_+_' && !call.target && first?.exprKind.case === 'identExpr' && (first.exprKind.value as { name: string }).name === ACCUMULATOR) {
      call.function = APPEND_FN;
    }
  }
  if (expr.exprKind.case !== 'comprehensionExpr') return;
  const c = expr.exprKind.value as ComprehensionValue;
  if (!c.iterRange) return;
  const body = 1 + (c.loopCondition ? countNodes(c.loopCondition) : 0) + (c.loopStep ? countNodes(c.loopStep) : 0);
  const weight: Expr = { id: nextId.value++, exprKind: { case: 'constExpr', value: { constantKind: { case: 'int64Value', value: BigInt(body) } } } };
  c.iterRange = { id: nextId.value++, exprKind: { case: 'callExpr', value: { function: RANGE_FN, args: [c.iterRange, weight] } } };
}

function maxId(expr: Expr): bigint {
  let max = expr.id;
  for (const child of children(expr)) {
    const id = maxId(child);
    if (id > max) max = id;
  }
  return max;
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * A scan of the raw text before parsing, for two reasons: the parser recurses once per bracket
 * level (so nesting is capped here, where it costs nothing), and for an unclosed bracket or string
 * the parser only says where the valid prefix ends, which is rarely where the mistake is. Knows
 * CEL's strings (single, double, triple-quoted, raw) and `//` comments.
 */
function scanSource(source: string): { offset: number; message: string } | undefined {
  const open: { ch: string; offset: number }[] = [];
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const raw = i > 0 && /[rR]/.test(source[i - 1]!) && (i < 2 || !/[A-Za-z0-9_]/.test(source[i - 2]!));
      const quote = source.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      const start = i;
      i += quote.length;
      for (;;) {
        if (i >= source.length || (quote.length === 1 && source[i] === '\n')) return { offset: start, message: 'string is not closed' };
        if (!raw && source[i] === '\\') i += 2;
        else if (source.startsWith(quote, i)) {
          i += quote.length - 1;
          break;
        } else i++;
      }
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') {
      open.push({ ch, offset: i });
      if (open.length > MAX_SOURCE_NESTING) return { offset: i, message: `brackets nest deeper than ${MAX_SOURCE_NESTING} levels` };
    } else if (ch === ')' || ch === ']' || ch === '}') {
      const top = open.pop();
      if (!top) return { offset: i, message: `"${ch}" closes nothing` };
      if (CLOSER[top.ch] !== ch) {
        const { line, column } = lineColumn(source, top.offset);
        return { offset: i, message: `"${ch}" does not close the "${top.ch}" opened at line ${line}, column ${column}` };
      }
    }
  }
  const unclosed = open.pop();
  return unclosed && { offset: unclosed.offset, message: `"${unclosed.ch}" is never closed` };
}

interface SyntaxErrorLike {
  message: string;
  rawMessage?: string;
  location?: { start?: { offset?: number } };
}

/**
 * Parses and checks one gate. Throws ContractError naming `path` and, for a problem at a place in
 * the text, its line and column: syntax errors, unknown names (not in `variables`) and functions,
 * and the size limits in limits.ts.
 */
export function compileGate(name: string, source: string, variables: ReadonlySet<string>, path = `gates.${name}`): CompiledGate {
  if (typeof source !== 'string' || source.trim() === '') throw new ContractError(`${path}: a gate needs a CEL expression`, path);
  if (source.length > MAX_GATE_SOURCE) throw new ContractError(`${path}: is ${source.length} characters, above the ${MAX_GATE_SOURCE}-character limit`, path);
  const problem = scanSource(source);
  if (problem) {
    const { line, column } = lineColumn(source, problem.offset);
    throw new ContractError(`${path}: invalid CEL at line ${line}, column ${column}: ${problem.message}`, path, line, column);
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (error) {
    const e = error as SyntaxErrorLike;
    const offset = e.location?.start?.offset;
    // The parser reports where the longest valid beginning of the text ends.
    const reason = (e.rawMessage ?? e.message).replace(/^<input>:\d+:\d+: /, '');
    if (offset === undefined) throw new ContractError(`${path}: invalid CEL: ${reason}`, path);
    const { line, column } = lineColumn(source, offset);
    throw new ContractError(`${path}: invalid CEL at line ${line}, column ${column}: ${reason}`, path, line, column);
  }
  const root = parsed.expr as unknown as Expr;
  const positions = (parsed.sourceInfo?.positions ?? {}) as Record<string, number>;
  const ctx: CheckContext = { source, path, positions, variables, env: gateEnv(), nodes: 0 };
  check(ctx, root, new Set(), 0);
  const nodes = ctx.nodes;
  instrument(root, { value: maxId(root) + 1n });
  let program: (bindings: Record<string, CelInput>) => unknown;
  try {
    program = plan(gateEnv(), parsed) as (bindings: Record<string, CelInput>) => unknown;
  } catch (error) {
    throw new ContractError(`${path}: cannot be planned: ${(error as Error).message}`, path);
  }
  const where = (exprId: bigint | undefined): string => {
    const offset = exprId === undefined ? undefined : positions[String(exprId)];
    if (offset === undefined) return '';
    const { line, column } = lineColumn(source, offset);
    return ` (at line ${line}, column ${column})`;
  };
  return {
    name,
    source,
    nodes,
    run(bindings, options = {}) {
      const now = options.now ?? Date.now;
      const m = new Meter(options.maxCost ?? MAX_GATE_COST, now() + (options.deadlineMs ?? GATE_DEADLINE_MS), now);
      const previous = activeMeter;
      activeMeter = m;
      let value: unknown;
      try {
        value = program(bindings as Record<string, CelInput>);
      } finally {
        activeMeter = previous;
      }
      if (m.timedOut) throw new GateDeadlineError(`${path}: evaluation passed the ${options.deadlineMs ?? GATE_DEADLINE_MS} ms deadline; no verdict recorded`, path);
      if (m.exceeded) return { pass: false, error: `cost limit of ${m.max} units exceeded`, cost: m.cost };
      if (isCelError(value)) return { pass: false, error: `${value.message}${where(value.exprId)}`, cost: m.cost };
      if (typeof value !== 'boolean') return { pass: false, error: `evaluated to ${describe(value)}, not a bool`, cost: m.cost };
      return { pass: value, cost: m.cost };
    },
  };
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `int ${value}`;
  if (typeof value === 'number') return `double ${value}`;
  if (typeof value === 'string') return 'a string';
  if (value === null) return 'null';
  if (isCelList(value as CelValue)) return 'a list';
  if (isCelMap(value as CelValue)) return 'a map';
  return typeof value;
}
