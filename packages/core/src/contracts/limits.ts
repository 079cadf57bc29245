/**
 * Bounds on contracts and on one gate evaluation. Gates run on data anyone can add records to,
 * and every party must be able to re-run them, so evaluation is bounded by a deterministic cost
 * (the same count on every machine), never by a clock alone:
 *
 * - Size of a contract: at most MAX_GATES gates, each at most MAX_GATE_SOURCE characters,
 *   MAX_GATE_NODES expression nodes and MAX_GATE_DEPTH levels of nesting (deep nesting would
 *   otherwise exhaust the JavaScript stack, whose size differs between engines).
 * - Size of the view: a gate evaluation reads at most MAX_VIEW_RECORDS records (a gate record
 *   lists them all in `links`, which holds at most 1024 CIDs), and at most MAX_UPSTREAM_DEPTH
 *   generations of ingredients.
 * - Cost of one gate, counted while it runs (see cel-compile.ts): every comprehension (all,
 *   exists, exists_one, map, filter) costs its range size times the size of its loop body, and
 *   every list concatenation costs the length of the list it makes. A gate whose cost passes
 *   MAX_GATE_COST stops with a failed verdict that says so; the cost of each gate is recorded in
 *   the gate record, so a replay proves it counted the same.
 * - A wall-clock deadline (GATE_DEADLINE_MS) is a last guard against a slow machine: it aborts
 *   the evaluation with an error and records nothing, because a clock is not replayable.
 */
export const MAX_GATES = 32;
export const MAX_GATE_SOURCE = 4096;
export const MAX_GATE_NODES = 512;
export const MAX_GATE_DEPTH = 32;
export const MAX_GATE_COST = 1_000_000;
export const GATE_DEADLINE_MS = 5_000;
export const MAX_VIEW_RECORDS = 1024;
export const MAX_UPSTREAM_DEPTH = 4;
/** Bracket nesting checked on the raw text before parsing: the parser recurses per level. */
export const MAX_SOURCE_NESTING = 48;
