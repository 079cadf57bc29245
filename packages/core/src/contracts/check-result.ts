// The payload of a `check` record (ext["colophon.check"]): an automated check's result.
import type { DagValue } from '../cbor/codec.js';
import { ContractError } from './errors.js';

export const CHECK_EXT = 'colophon.check';

export interface CheckResult {
  /** What was checked, e.g. "brand" or "pii". */
  name: string;
  /** The score the check gave (any finite number; brand checks use 0..1). */
  score: number;
  /** Whether the check passed: score >= threshold when a threshold is given. */
  pass: boolean;
  threshold?: number;
  /** Findings that gates may refuse, e.g. "pii". */
  flags?: string[];
}

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const FLAG = /^[a-z][a-z0-9_.-]{0,63}$/;

/** Builds a check result; `pass` follows the threshold when one is given (else true). */
export function checkResult(input: { name: string; score: number; threshold?: number; flags?: string[] }): CheckResult {
  const result: CheckResult = { name: input.name, score: input.score, pass: input.threshold === undefined ? true : input.score >= input.threshold };
  if (input.threshold !== undefined) result.threshold = input.threshold;
  if (input.flags && input.flags.length > 0) result.flags = [...new Set(input.flags)].sort();
  return parseCheckResult(result);
}

/** Checks a payload's shape; errors name the field. */
export function parseCheckResult(value: unknown, path = `ext.${CHECK_EXT}`): CheckResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ContractError(`${path} must be a map {name, score, pass, threshold?, flags?}`, path);
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) if (!['name', 'score', 'pass', 'threshold', 'flags'].includes(key)) throw new ContractError(`${path}.${key} is not a known field`, `${path}.${key}`);
  if (typeof v.name !== 'string' || !NAME.test(v.name)) throw new ContractError(`${path}.name must be a check name (letters, digits, "_", "-", "."), got ${JSON.stringify(v.name)}`, `${path}.name`);
  if (typeof v.score !== 'number' || !Number.isFinite(v.score)) throw new ContractError(`${path}.score must be a finite number`, `${path}.score`);
  if (typeof v.pass !== 'boolean') throw new ContractError(`${path}.pass must be true or false`, `${path}.pass`);
  const result: CheckResult = { name: v.name, score: v.score, pass: v.pass };
  if (v.threshold !== undefined) {
    if (typeof v.threshold !== 'number' || !Number.isFinite(v.threshold)) throw new ContractError(`${path}.threshold must be a finite number`, `${path}.threshold`);
    result.threshold = v.threshold;
  }
  if (v.flags !== undefined) {
    if (!Array.isArray(v.flags) || v.flags.some((f) => typeof f !== 'string' || !FLAG.test(f))) {
      throw new ContractError(`${path}.flags must be a list of lowercase flag names such as "pii"`, `${path}.flags`);
    }
    result.flags = v.flags as string[];
  }
  return result;
}

export function checkExt(result: CheckResult): { [key: string]: DagValue } {
  return { [CHECK_EXT]: JSON.parse(JSON.stringify(result)) as DagValue };
}
