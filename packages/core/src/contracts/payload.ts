// The `contract` record's payload (ext["colophon.contract"]) and its checks.
import type { DagValue } from '../cbor/codec.js';
import { isDidKey } from '../identity/did-key.js';
import { ContractError } from './errors.js';
import { MAX_GATES } from './limits.js';

export const CONTRACT_EXT = 'colophon.contract';
export const CONTRACT_PAYLOAD_VERSION = 1;

/**
 * Contribution classes a payout rule weighs:
 * - humanText: content people made that survives in the asset (attribution's human units:
 *   characters of a text, node properties of a design, steps otherwise), per person;
 * - prompts: one unit per record carrying a prompt or brief (an `intent` record, or any record
 *   with an `intent` field) about the asset, per signer;
 * - reviews: one unit per `review` record about the asset made by a person (no agent), per signer;
 * - ai: AI content that survives in the asset, paid to the model's provider (payee
 *   `ai:<provider>`); weight 0 pays AI nothing.
 */
export const PAYOUT_CLASSES = ['humanText', 'prompts', 'reviews', 'ai'] as const;
export type PayoutClass = (typeof PAYOUT_CLASSES)[number];

export interface GateSpec {
  name: string;
  /** CEL over the asset view (see view.ts). */
  expr: string;
  description?: string;
}

export interface PayoutRule {
  /** The amount to split, in integer minor units of `currency` (cents for EUR). */
  budget: number;
  /** ISO 4217 alphabetic code. */
  currency: string;
  /** Relative integer weight per class; classes left out weigh 0. */
  weights: Partial<Record<PayoutClass, number>>;
  /**
   * Part of the budget, in basis points (1/10000), passed to the contributors of the asset's
   * ingredients (other assets whose content it consumed), split equally among them; each
   * ingredient passes the same part of its own portion further up.
   */
  upstreamBasisPoints?: number;
  /**
   * Fixed shares for named members, in basis points of the whole budget, by did (e.g. the
   * director 1000 = 10%); the class weights share what is left. At most 10000 in total. A named
   * payee who is not a member when the asset is settled takes nothing.
   */
  fixed?: { [did: string]: number };
}

export interface ContractPayload {
  v: typeof CONTRACT_PAYLOAD_VERSION;
  name: string;
  gates: GateSpec[];
  payout?: PayoutRule;
}

export const GATE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && Object.getPrototypeOf(value) === Object.prototype;
}

function only(value: Obj, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ContractError(`${path}.${key} is not a known field (known: ${allowed.join(', ')})`, `${path}.${key}`);
  }
}

function text(value: unknown, path: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ContractError(`${path} must be a non-empty string`, path);
  if (value.length > max) throw new ContractError(`${path} must be at most ${max} characters`, path);
  return value;
}

function integer(value: unknown, path: string, min: number, max: number, hint = ''): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ContractError(`${path} must be an integer from ${min} to ${max}${hint}, got ${JSON.stringify(value)}`, path);
  }
  return value;
}

function parseGates(value: unknown, path: string): GateSpec[] {
  if (!Array.isArray(value) || value.length === 0) throw new ContractError(`${path} must be a non-empty list of {name, expr}`, path);
  if (value.length > MAX_GATES) throw new ContractError(`${path} has ${value.length} gates, above the limit of ${MAX_GATES}`, path);
  const seen = new Set<string>();
  return value.map((gate, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(gate)) throw new ContractError(`${at} must be a map {name, expr, description?}`, at);
    only(gate, at, ['name', 'expr', 'description']);
    const name = text(gate.name, `${at}.name`, 64);
    if (!GATE_NAME.test(name)) throw new ContractError(`${at}.name "${name}" must start with a letter and hold only letters, digits, "_" and "-"`, `${at}.name`);
    if (seen.has(name)) throw new ContractError(`${at}.name "${name}" is used by another gate`, `${at}.name`);
    seen.add(name);
    const spec: GateSpec = { name, expr: text(gate.expr, `${at}.expr`, 1 << 20) };
    if (gate.description !== undefined) spec.description = text(gate.description, `${at}.description`, 1024);
    return spec;
  });
}

export function parsePayoutRule(value: unknown, path = 'payout'): PayoutRule {
  if (!isObject(value)) throw new ContractError(`${path} must be a map {budget, currency, weights, upstreamBasisPoints?}`, path);
  only(value, path, ['budget', 'currency', 'weights', 'upstreamBasisPoints', 'fixed']);
  const budget = integer(value.budget, `${path}.budget`, 1, Number.MAX_SAFE_INTEGER, ' (minor units, e.g. cents)');
  if (typeof value.currency !== 'string' || !CURRENCY.test(value.currency)) {
    throw new ContractError(`${path}.currency must be an ISO 4217 code such as "EUR", got ${JSON.stringify(value.currency)}`, `${path}.currency`);
  }
  if (!isObject(value.weights)) throw new ContractError(`${path}.weights must be a map of class to integer weight (classes: ${PAYOUT_CLASSES.join(', ')})`, `${path}.weights`);
  only(value.weights, `${path}.weights`, PAYOUT_CLASSES);
  const weights: Partial<Record<PayoutClass, number>> = {};
  let total = 0;
  for (const cls of PAYOUT_CLASSES) {
    const w = value.weights[cls];
    if (w === undefined) continue;
    weights[cls] = integer(w, `${path}.weights.${cls}`, 0, 1_000_000, ' (weights are integers: write 50/30/20, not 0.5/0.3/0.2)');
    total += weights[cls]!;
  }
  const fixed = value.fixed === undefined ? undefined : parseFixedShares(value.fixed, `${path}.fixed`);
  if (total === 0 && !fixed) throw new ContractError(`${path}.weights must give at least one class a weight above 0 (or give fixed shares)`, `${path}.weights`);
  const rule: PayoutRule = { budget, currency: value.currency, weights };
  if (fixed) rule.fixed = fixed;
  if (value.upstreamBasisPoints !== undefined) rule.upstreamBasisPoints = integer(value.upstreamBasisPoints, `${path}.upstreamBasisPoints`, 0, 10_000, ' (1/10000 of the budget)');
  return rule;
}

function parseFixedShares(value: unknown, path: string): { [did: string]: number } {
  if (!isObject(value)) throw new ContractError(`${path} must be a map of member did to basis points, e.g. {"did:key:z6Mk…": 1000} for 10%`, path);
  const fixed: { [did: string]: number } = {};
  let total = 0;
  for (const did of Object.keys(value).sort()) {
    if (!isDidKey(did)) throw new ContractError(`${path} key "${did}" must be a member's did:key (names are turned into dids when the contract is added)`, `${path}.${did}`);
    fixed[did] = integer(value[did], `${path}.${did}`, 1, 10_000, ' (basis points: 1000 is 10%)');
    total += fixed[did];
  }
  if (Object.keys(fixed).length === 0) throw new ContractError(`${path} names nobody; leave it out instead`, path);
  if (total > 10_000) throw new ContractError(`${path} adds up to ${total} basis points, more than the whole (10000)`, path);
  return fixed;
}

/** Checks a payload's shape (not its CEL: see compileContract). `path` prefixes error paths. */
export function parseContractPayload(value: unknown, path = `ext.${CONTRACT_EXT}`): ContractPayload {
  if (!isObject(value)) throw new ContractError(`${path} must be a map {v, name, gates, payout?}`, path);
  only(value, path, ['v', 'name', 'gates', 'payout']);
  if (value.v !== CONTRACT_PAYLOAD_VERSION) throw new ContractError(`${path}.v must be ${CONTRACT_PAYLOAD_VERSION}, got ${JSON.stringify(value.v)}`, `${path}.v`);
  const payload: ContractPayload = { v: CONTRACT_PAYLOAD_VERSION, name: text(value.name, `${path}.name`, 256), gates: parseGates(value.gates, `${path}.gates`) };
  if (value.payout !== undefined) payload.payout = parsePayoutRule(value.payout, `${path}.payout`);
  return payload;
}

/** What a contract file (JSON) describes; `gates` may be a list or a map of name to expression. */
export interface ContractFile {
  payload: ContractPayload;
  /** The asset it governs; absent: every asset of the project without a contract of its own. */
  asset?: string;
}

/**
 * Reads the JSON form people write: {name, asset?, gates, payout?}, where gates is
 * [{name, expr, description?}] or {name: expr}. Errors name the field.
 */
export function contractFromJson(value: unknown): ContractFile {
  if (!isObject(value)) throw new ContractError('a contract file must hold a JSON object {name, asset?, gates, payout?}', '');
  only(value, 'contract', ['name', 'asset', 'gates', 'payout']);
  let gates = value.gates;
  if (isObject(gates)) gates = Object.entries(gates).map(([name, expr]) => ({ name, expr }));
  const payload = parseContractPayload({ v: CONTRACT_PAYLOAD_VERSION, name: value.name, gates, ...(value.payout === undefined ? {} : { payout: value.payout }) }, 'contract');
  const file: ContractFile = { payload };
  if (value.asset !== undefined) file.asset = text(value.asset, 'contract.asset', 1024);
  return file;
}

/** The payload as a record ext value (DAG-CBOR: no undefined fields). */
export function contractExt(payload: ContractPayload): { [key: string]: DagValue } {
  return { [CONTRACT_EXT]: JSON.parse(JSON.stringify(payload)) as DagValue };
}
