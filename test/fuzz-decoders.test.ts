// Fuzzing the CAR / feed reader and the record decoder with fast-check (issue 3, "Reliability
// tests"): random bytes, and valid inputs mutated by bit flips, insertions, deletions, overwrites
// and truncations. Every decoder must either return a valid result or throw an Error whose message
// says what is wrong; never throw something that is not an Error, never fail with an engine error
// (reading a property of undefined and the like), never hang, and never accept a record whose CID
// does not match its bytes.
//
// Hangs: the async readers race a timer. The synchronous decoders cannot be interrupted from their
// own thread, so a watchdog thread watches a shared "busy since" clock set around every call; a
// call stuck for HANG_MS prints the input to stderr and kills the test process, which fails the run.
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Project,
  contentCid,
  decodeRecord,
  identityFromSeed,
  recordCid,
  utf8Encode,
  verifyBlocks,
  verifyDecodedSignature,
  verifyRecordSignature,
  type CID,
  type DecodedRecord,
  type Finding,
  type RawBlock,
} from '../packages/core/src/index.js';
import { CarFeedStore, carHeader, feedBlocks, parseCarHeader, readSections, splitBlock, useNodeCrypto } from '../packages/core/src/node/index.js';

useNodeCrypto();

/** A decoder call that takes this long is taken to hang. */
const HANG_MS = 10_000;
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const runs = (numRuns: number) => ({ numRuns, seed: SEED });

// ---------------------------------------------------------------------------------------------
// Hang watchdog for synchronous decoders.

const MAX_WATCHED_INPUT = 1 << 16;
const shared = new SharedArrayBuffer(16 + MAX_WATCHED_INPUT);
const busySince = new Float64Array(shared, 0, 1);
const watchedLength = new Int32Array(shared, 8, 1);
const watchedBytes = new Uint8Array(shared, 16);
let watchdog: Worker | undefined;

function watched<T>(what: string, input: Uint8Array, call: () => T): T {
  const length = Math.min(input.length, MAX_WATCHED_INPUT);
  watchedBytes.set(input.subarray(0, length));
  watchedLength[0] = length;
  busySince[0] = Date.now();
  try {
    return call();
  } finally {
    busySince[0] = 0;
  }
}

async function withTimeout<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${HANG_MS} ms (hang)`)), HANG_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// What a clear error is.

/** Engine errors that mean the decoder itself broke on the input rather than judged it. */
const ENGINE_ERROR = /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not defined|undefined \(reading|Maximum call stack|Invalid array length|out of memory|Offset is outside the bounds/i;

function expectClearError(error: unknown, what: string, input: Uint8Array): void {
  const hex = Buffer.from(input.subarray(0, 256)).toString('hex');
  if (!(error instanceof Error)) throw new Error(`${what} threw a non-Error (${typeof error}: ${String(error)}) on ${hex}`);
  if (typeof error.message !== 'string' || error.message.trim().length < 6) throw new Error(`${what} threw an Error without a useful message (${JSON.stringify(error.message)}) on ${hex}`);
  if (ENGINE_ERROR.test(error.message)) throw new Error(`${what} crashed instead of rejecting the input: ${error.name}: ${error.message} on ${hex}`);
}

/** Runs a decoder: its result, or undefined when it rejected the input with a clear error. */
function attempt<T>(what: string, input: Uint8Array, call: () => T): T | undefined {
  try {
    return watched(what, input, call);
  } catch (error) {
    expectClearError(error, what, input);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations of valid inputs.

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

function mutate(input: Uint8Array, list: Mutation[]): Uint8Array {
  let bytes = Uint8Array.from(input);
  for (const m of list) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + (m.op === 'insert' ? 1 : 0));
    switch (m.op) {
      case 'flip':
        if (bytes.length > 0) bytes[at] = bytes[at]! ^ (1 << m.bit);
        break;
      case 'set':
        if (bytes.length > 0) bytes[at] = m.value;
        break;
      case 'insert':
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.length)]);
        break;
      case 'truncate':
        bytes = bytes.slice(0, at);
        break;
    }
  }
  return bytes;
}

const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

// ---------------------------------------------------------------------------------------------
// Valid inputs: a small ledger of two feeds.

let base: string;
let ledgerDir: string;
let genesis: CID;
const records: DecodedRecord[] = [];
const originalCids = new Set<string>();
let feedNames: string[] = [];
const feedFiles = new Map<string, Uint8Array>();
let runCounter = 0;

beforeAll(async () => {
  watchdog = new Worker(
    `
    const { workerData } = require('node:worker_threads');
    const { writeSync } = require('node:fs');
    const busySince = new Float64Array(workerData.shared, 0, 1);
    const length = new Int32Array(workerData.shared, 8, 1);
    const bytes = new Uint8Array(workerData.shared, 16);
    const tick = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      Atomics.wait(tick, 0, 0, 200);
      const since = busySince[0];
      if (since && Date.now() - since > workerData.hangMs) {
        const hex = Buffer.from(bytes.subarray(0, Math.min(length[0], 4096))).toString('hex');
        writeSync(2, '\\nfuzz-decoders: a decoder hung for over ' + workerData.hangMs + ' ms on input (hex): ' + hex + '\\n');
        process.kill(process.pid, 'SIGKILL');
      }
    }
    `,
    { eval: true, workerData: { shared, hangMs: HANG_MS } },
  );
  watchdog.unref();

  base = await mkdtemp(join(tmpdir(), 'colophon-fuzz-'));
  ledgerDir = join(base, 'ledger');
  await mkdir(ledgerDir);
  const owner = identityFromSeed(new Uint8Array(32).fill(21));
  const writer = identityFromSeed(new Uint8Array(32).fill(22));
  let clock = Date.UTC(2025, 5, 1);
  const project = await Project.create('fuzz', owner, await CarFeedStore.open(ledgerDir), () => (clock += 1000));
  genesis = project.id;
  records.push(project.genesis);
  records.push(await project.record(owner, { kind: 'member', delta: { op: 'grant', role: 'editor', subject: writer.did } }));
  for (let i = 0; i < 4; i++) {
    const intent = await project.record(owner, { kind: 'intent', asset: `file:${i}.md`, intent: { text: `brief ${i} ✍️` } });
    const draft = await project.record(writer, {
      kind: 'ai.generate',
      asset: `file:${i}.md`,
      agent: { type: 'ai', model: { provider: 'acme', name: 'writer', version: '2' }, params: { temperature: 0.5, seed: 2 ** 40 + i } },
      out: contentCid(utf8Encode(`draft ${i}`)),
      links: [intent.cid],
      delta: { text: [[0, 0, 120, 'ai']] },
    });
    records.push(intent, draft);
  }
  for (const r of records) originalCids.add(r.cid.toString());
  feedNames = (await readdir(join(ledgerDir, 'feeds'))).filter((n) => n.endsWith('.car')).sort();
  for (const name of feedNames) feedFiles.set(name, await readFile(join(ledgerDir, 'feeds', name)));
});

afterAll(async () => {
  await watchdog?.terminate();
  if (base) await rm(base, { recursive: true, force: true });
});

/** A fresh copy of the ledger's feeds with one feed file replaced by `bytes`. */
async function ledgerWith(name: string, bytes: Uint8Array): Promise<string> {
  const dir = join(base, `run-${runCounter++}`);
  await mkdir(join(dir, 'feeds'), { recursive: true });
  for (const [other, content] of feedFiles) await writeFile(join(dir, 'feeds', other), other === name ? bytes : content);
  return dir;
}

/** The sections of a valid feed file: [header body, block bodies...]. */
function splitSections(file: Uint8Array): { offset: number; end: number; body: Uint8Array }[] {
  const out: { offset: number; end: number; body: Uint8Array }[] = [];
  let offset = 0;
  while (offset < file.length) {
    let length = 0;
    let shift = 0;
    let i = offset;
    for (;;) {
      const b = file[i++]!;
      length += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    out.push({ offset, end: i + length, body: file.subarray(i, i + length) });
    offset = i + length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

describe('fuzzing the record decoder', () => {
  it('random bytes: a decoded record or a clear error; an accepted record has the CID of its bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.from([0xa0 | (b.length % 24), ...b]))), (bytes) => {
        const decoded = attempt('decodeRecord', bytes, () => decodeRecord(bytes));
        if (decoded) expect(decoded.cid.equals(recordCid(bytes))).toBe(true);
      }),
      runs(4000),
    );
  });

  it('mutated valid records: rejected clearly, or accepted under their own new CID and never with a valid signature', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), mutations, (which, list) => {
        const original = records[which % records.length]!;
        const bytes = mutate(original.bytes, list);
        const decoded = attempt('decodeRecord', bytes, () => decodeRecord(bytes));
        if (!decoded) return;
        expect(decoded.cid.equals(recordCid(bytes))).toBe(true);
        if (equalBytes(bytes, original.bytes)) return;
        expect(decoded.cid.equals(original.cid)).toBe(false);
        // Changed bytes that still decode must not carry a valid signature: no malleable encodings,
        // no forgeries.
        // (Both ways a signature can be checked: over the bytes as stored, and over the record
        // encoded afresh, which is where a decoder accepting a non-canonical encoding would show.)
        const hex = Buffer.from(bytes).toString('hex');
        expect(verifyDecodedSignature(decoded), `mutated record still verifies: ${hex}`).toBe(false);
        expect(verifyRecordSignature(decoded.record), `mutated record still verifies once re-encoded: ${hex}`).toBe(false);
      }),
      runs(4000),
    );
  });
});

describe('fuzzing the CAR format functions', () => {
  it('parseCarHeader: random and mutated headers give CIDs or a clear error', () => {
    const header = splitSections(feedFiles.get(feedNames[0]!)!)[0]!.body;
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutations.map((list) => mutate(header, list))), (bytes) => {
        const roots = attempt('parseCarHeader', bytes, () => parseCarHeader(bytes));
        if (roots) for (const root of roots) expect(root.bytes.length).toBeGreaterThan(0);
      }),
      runs(3000),
    );
    expect(parseCarHeader(header).map(String)).toEqual([genesis.toString()]);
    expect(equalBytes(splitSections(carHeader([genesis]))[0]!.body, header)).toBe(true);
  });

  it('splitBlock: random and mutated block sections give a CID and data, or a clear error', () => {
    const blocks = feedNames.flatMap((name) => splitSections(feedFiles.get(name)!).slice(1).map((s) => s.body));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.tuple(fc.nat(), mutations).map(([i, list]) => mutate(blocks[i % blocks.length]!, list))), (bytes) => {
        const block = attempt('splitBlock', bytes, () => splitBlock(bytes));
        if (!block) return;
        // The data is what follows the CID. The CID is only a claim, which the store and the
        // verifier check against the data (the feed tests below exercise that). multiformats
        // accepts a few non-canonical CID spellings (an explicit version 0 prefix, say); those never
        // come out as a CIDv1 dag-cbor CID, so they can never pass for a record's CID.
        const consumed = bytes.length - block.data.length;
        expect(equalBytes(block.data, bytes.subarray(consumed))).toBe(true);
        if (!equalBytes(block.cid.bytes, bytes.subarray(0, consumed))) expect(block.cid.version === 1 && block.cid.code === 0x71).toBe(false);
      }),
      runs(3000),
    );
  });
});

describe('fuzzing the feed reader (readSections, feedBlocks, CarFeedStore.open) on files', () => {
  it('readSections over random files: sections tile the file, a torn end is reported, or a clear error', async () => {
    const dir = join(base, 'sections');
    await mkdir(dir);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }),
          fc.tuple(fc.constantFrom(...feedNames), mutations).map(([name, list]) => mutate(feedFiles.get(name)!, list)),
        ),
        async (bytes) => {
          const file = join(dir, `f-${runCounter++}.car`);
          await writeFile(file, bytes);
          const handle = await open(file, 'r');
          try {
            await withTimeout(`readSections on ${bytes.length} bytes`, (async () => {
              const sections = readSections(handle, file, 0, bytes.length);
              let expected = 0;
              try {
                for (let step = await sections.next(); ; step = await sections.next()) {
                  if (step.done) {
                    expect(step.value.end).toBe(expected);
                    expect(step.value.torn).toBe(expected < bytes.length);
                    break;
                  }
                  expect(step.value.offset).toBe(expected);
                  expect(step.value.end).toBeGreaterThan(step.value.offset);
                  expect(step.value.end).toBeLessThanOrEqual(bytes.length);
                  expect(step.value.body).toEqual(bytes.subarray(step.value.end - step.value.body.length, step.value.end));
                  expected = step.value.end;
                }
              } catch (error) {
                expectClearError(error, 'readSections', bytes);
                expect((error as Error).message).toContain(file);
              }
            })());
          } finally {
            await handle.close();
            await rm(file);
          }
        },
      ),
      runs(600),
    );
  });

  it('a mutated feed file: feedBlocks reports instead of throwing, and neither verification nor the store accepts a record that is not the original', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...feedNames), mutations, async (name, list) => {
        const original = feedFiles.get(name)!;
        const bytes = mutate(original, list);
        const dir = await ledgerWith(name, bytes);
        try {
          // The raw reader and the verifier, as `colophon verify` runs them.
          const readFindings: Finding[] = [];
          const blocks: RawBlock[] = [];
          const report = await withTimeout('feedBlocks + verifyBlocks', (async () => {
            async function* collect(): AsyncGenerator<RawBlock> {
              for await (const block of feedBlocks(dir, (f) => readFindings.push(f), { project: genesis })) {
                blocks.push(block);
                yield block;
              }
            }
            return verifyBlocks(collect(), { genesis });
          })());
          const ok = report.ok && readFindings.length === 0;
          for (const f of readFindings) expect(f.message.length).toBeGreaterThan(10);
          // Every block whose bytes do not hash to its CID is reported as such.
          for (const block of blocks) {
            if (!recordCid(block.bytes).equals(block.cid)) {
              expect(report.findings.some((f) => f.code === 'cid-mismatch' && f.cid === block.cid.toString() && f.message.includes(`@${block.position}`))).toBe(true);
            }
          }
          if (ok) {
            // Only an unchanged file, or the original cut at a block boundary (which nothing in a
            // lone feed file can tell from a shorter feed), verifies; and then only original records.
            for (const block of blocks) expect(originalCids.has(block.cid.toString()) && recordCid(block.bytes).equals(block.cid)).toBe(true);
            const prefix = equalBytes(bytes, original.subarray(0, bytes.length));
            expect(prefix, `a changed feed verified: ${Buffer.from(bytes).toString('hex')}`).toBe(true);
          }

          // The store: opens (cutting a torn tail) or refuses with a clear error, and never serves
          // a record that is not one of the originals.
          let store: CarFeedStore | undefined;
          try {
            store = await withTimeout('CarFeedStore.open', CarFeedStore.open(dir));
          } catch (error) {
            expectClearError(error, 'CarFeedStore.open', bytes);
          }
          if (store) {
            for (const cid of await store.query({})) {
              expect(originalCids.has(cid.toString()), `the store accepted ${cid}`).toBe(true);
              const got = await store.get(cid);
              expect(got && recordCid(got.bytes).equals(cid)).toBe(true);
            }
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      runs(300),
    );
  });

  it('random bytes as a feed file: the store refuses them clearly, and verification fails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...feedNames), fc.uint8Array({ minLength: 1, maxLength: 1500 }), async (name, bytes) => {
        const dir = await ledgerWith(name, bytes);
        try {
          const readFindings: Finding[] = [];
          const report = await withTimeout('feedBlocks + verifyBlocks', verifyBlocks(feedBlocks(dir, (f) => readFindings.push(f)), { genesis }));
          expect(report.ok && readFindings.length === 0).toBe(false);
          try {
            const store = await withTimeout('CarFeedStore.open', CarFeedStore.open(dir));
            for (const cid of await store.query({})) expect(originalCids.has(cid.toString())).toBe(true);
          } catch (error) {
            expectClearError(error, 'CarFeedStore.open', bytes);
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      runs(150),
    );
  });
});
