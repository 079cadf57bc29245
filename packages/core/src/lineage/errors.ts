import { ColophonError } from '../errors.js';

/**
 * A lineage question or pipeline record that cannot be answered or built as asked: an unknown run,
 * a malformed `colophon.step` payload, a step whose parent was never recorded. Messages name the
 * record and field concerned.
 */
export class LineageError extends ColophonError {}
