// CAR import and export of a whole ledger, streamed: memory holds a batch of records and a
// compact key per record, never the file.
import { mkdir, open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CID } from 'multiformats/cid';
import { decode } from '../../cbor/codec.js';
import { recordCid } from '../../cid.js';
import { decodeRecord, type DecodedRecord } from '../../record/encoding.js';
import type { ContributionRecord } from '../../record/types.js';
import { verifyBlocks, type Finding, type RawBlock } from '../../ledger/verify.js';
import { CarFeedStore } from '../car-feed-store.js';
import { carBlock, carHeader, parseCarHeader, splitBlock } from '../../ledger/car-format.js';
import { feedBlocks } from '../feed-blocks.js';
import { CorruptFeedError, readSections } from '../feed-file.js';
import { writeFileAtomicFrom } from '../fs-durable.js';
import { WorkspaceError } from './errors.js';
import type { ExportOptions, ExportResult, ImportOptions, ImportResult, ProjectLocation, Workspace } from './interface.js';
import { checkOutputPath } from './output-path.js';
import { COLOPHON_DIR, findProjectRoot, locateProject, writeProjectFiles } from './project-files.js';
import { signatureChecker } from './verify.js';

/** Records stored per lock hold (one fdatasync per feed); about 400 bytes each, so a few MB in memory. */
const STORE_BATCH = 16_384;
/** At most this many bytes of records are kept from the verifying pass for the storing one. */
const HELD_BYTES = 32 * 1024 * 1024;

/**
 * Writes one CAR with every feed (roots = the feed heads), readable by any IPFS node. Records a
 * writer appends meanwhile are left out, so the roots are always the last records of their feeds.
 */
export async function exportCar(ws: Workspace, out: string, options: ExportOptions = {}): Promise<ExportResult> {
  const file = await checkOutputPath(out, options);
  const heads = new Map<string, { seq: number; cid: CID }>();
  for (const signer of await ws.feeds.signers()) {
    const head = await ws.feeds.head(signer);
    if (head) heads.set(signer, head);
  }
  const roots = [...heads.values()].map((head) => head.cid);
  let records = 0;
  async function* pieces(): AsyncGenerator<Uint8Array> {
    yield carHeader(roots);
    for await (const record of ws.feeds.records()) {
      const head = heads.get(record.record.by);
      if (!head || record.record.seq > head.seq) continue;
      records++;
      yield carBlock(record.cid, record.bytes);
    }
  }
  const bytes = await writeFileAtomicFrom(file, pieces());
  return { file, records, feeds: heads.size, roots, bytes };
}

/** A CAR's blocks, read strictly a chunk at a time; its header roots go to `onRoots`. */
async function* carBlocks(path: string, size: number, onRoots: (roots: CID[]) => void, onBytes: (read: number) => void, skip = 0): AsyncGenerator<RawBlock> {
  const handle = await open(path, 'r');
  try {
    const sections = readSections(handle, path, 0, size);
    let step = await sections.next();
    if (step.done) throw refusal(path, `${path} is not a CAR file (no header)`);
    try {
      onRoots(parseCarHeader(step.value.body));
    } catch (error) {
      throw refusal(path, `${path} is not a CARv1 file: ${(error as Error).message}`);
    }
    for (step = await sections.next(); !step.done; step = await sections.next()) {
      if (skip > 0) {
        skip--;
        continue;
      }
      let block;
      try {
        block = splitBlock(step.value.body);
      } catch (error) {
        throw refusal(path, `${path}: corrupt at byte ${step.value.offset}: block has no valid CID: ${(error as Error).message}`);
      }
      onBytes(step.value.end);
      yield { source: path, position: step.value.offset, cid: block.cid, bytes: block.data };
    }
    if (step.value.torn) throw refusal(path, `${path}: incomplete block at byte ${step.value.end} (the file was cut short)`);
  } catch (error) {
    // CorruptFeedError names the file and byte already.
    if (error instanceof CorruptFeedError) throw refusal(path, error.message);
    throw error;
  } finally {
    await handle.close();
  }
}

function refusal(path: string, message: string, findings: Finding[] = [{ code: 'invalid-record', source: path, message }]): WorkspaceError {
  return new WorkspaceError('refused', message, findings);
}

/** The project a CAR belongs to, from its first record (its `proj`, or itself when it is the genesis). */
async function projectOfCar(path: string, size: number): Promise<CID> {
  for await (const block of carBlocks(path, size, () => undefined, () => undefined)) {
    let decoded: DecodedRecord;
    try {
      decoded = decodeRecord(block.bytes, `${path} @${block.position}`);
    } catch (error) {
      throw refusal(path, (error as Error).message);
    }
    const project = decoded.record.kind === 'project.genesis' ? decoded.cid : decoded.record.proj;
    if (!project) throw refusal(path, `${path}: its first record names no project`);
    return project;
  }
  throw refusal(path, `${path} holds no records to start a project from`);
}

/** A record's sha2-256 digest as a compact string: a set of them costs far less than of CID strings. */
function digestKey(cid: CID): string {
  return Buffer.from(cid.multihash.digest).toString('latin1');
}

async function* concat<T>(...sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  for (const source of sources) yield* source;
}

/**
 * Imports a CAR into the project at or above `from`, or starts a project there from it.
 *
 * Verify, then store: the first pass verifies the CAR together with the local ledger (every
 * signature, chain, fork, link, role and the project), checks that the CAR's roots are the
 * heads of its feeds and that each feed comes in seq order; anything wrong refuses the import
 * with nothing stored (WorkspaceError 'refused', with findings). The second pass stores the
 * records in batches, each record checked to be one the first pass verified (the file cannot be
 * swapped in between), skipping those already present: two imports of one CAR, even at the same
 * time, store each record once.
 */
export async function importCar(from: string, file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const path = resolve(from, file);
  let size: number;
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) throw new WorkspaceError('usage', `${file} is a folder, not a CAR file`);
    size = stats.size;
  } catch (error) {
    if (error instanceof WorkspaceError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WorkspaceError('usage', `cannot read ${file}: no such file`);
    throw new WorkspaceError(code === 'EACCES' || code === 'EPERM' ? 'environment' : 'usage', `cannot read ${file}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? (error as Error).message)}`);
  }
  const root = await findProjectRoot(from);
  const location: ProjectLocation | undefined = root ? await locateProject(from) : undefined;
  const genesis = location?.genesis ?? (await projectOfCar(path, size));

  const storeBatch = options.storeBatch ?? STORE_BATCH;
  // Pass 1: verify.
  const findings: Finding[] = [];
  let roots: CID[] = [];
  const lastOfSigner = new Map<string, { seq: number; cid: CID }>();
  /** Digests (as compact strings) of the CAR's records pass 1 verified. */
  const verified = new Set<string>();
  /** The CAR's first records (up to STORE_BATCH and HELD_BYTES) as pass 1 decoded them: stored without reading them again. */
  const held: DecodedRecord[] = [];
  let heldBytes = 0;
  let carRecords = 0;
  const local = location ? feedBlocks(location.dir, (finding) => findings.push(finding), { project: genesis, tornTail: 'skip' }) : concat<RawBlock>();
  const report = await verifyBlocks(
    concat(
      local,
      carBlocks(path, size, (r) => (roots = r), (read) => options.onProgress?.('verify', read, size)),
    ),
    {
      genesis,
      verifySignatures: signatureChecker(),
      onRecord: (decoded, source) => {
        if (source !== path) return;
        const { by, seq } = decoded.record;
        const last = lastOfSigner.get(by);
        if (last && seq <= last.seq) {
          findings.push({ code: 'broken-chain', source: path, signer: by, seq, cid: decoded.cid.toString(), message: `${path}: record ${decoded.cid} of ${by} (seq ${seq}) comes after seq ${last.seq}; a CAR must hold each feed in seq order` });
        } else lastOfSigner.set(by, { seq, cid: decoded.cid });
        verified.add(digestKey(decoded.cid));
        carRecords++;
        if (held.length === carRecords - 1 && held.length < storeBatch && heldBytes < HELD_BYTES) {
          held.push(decoded);
          heldBytes += decoded.bytes.length;
        }
      },
    },
  );
  // A claimed time is evidence, not structure: records dated in the future are stored (verify
  // keeps flagging them, and nothing orders by claimed time); anything else refuses the import.
  const warnings = report.findings.filter((f) => f.code === 'future-time');
  findings.push(...report.findings.filter((f) => f.code !== 'future-time'));
  const heads = new Set([...lastOfSigner.values()].map((head) => head.cid.toString()));
  const rootSet = new Set(roots.map(String));
  if (rootSet.size !== roots.length || heads.size !== rootSet.size || [...heads].some((head) => !rootSet.has(head))) {
    findings.push({ code: 'wrong-roots', source: path, message: `${path}: the CAR header names roots ${roots.join(', ') || '(none)'}, but its feeds end at ${[...heads].join(', ') || '(no records)'}` });
  }
  if (findings.length > 0) throw refusal(path, `refused to import ${file}: ${findings.length} problem(s); nothing was stored`, findings);

  // Pass 2: store what pass 1 verified, in batches.
  const dir = location?.dir ?? join(resolve(from), COLOPHON_DIR);
  await mkdir(dir, { recursive: true });
  const feeds = await CarFeedStore.open(dir, options.onCut ? { onCut: options.onCut } : {});
  let imported = 0;
  let batch: DecodedRecord[] = held;
  const flush = async (): Promise<void> => {
    imported += (await feeds.appendNew(batch)).length;
    batch = [];
  };
  let total = held.length;
  await flush();
  // Only a CAR of more than one batch is read again, from the first record not held.
  const rest = carRecords > total ? carBlocks(path, size, () => undefined, (read) => options.onProgress?.('store', read, size), total) : concat<RawBlock>();
  for await (const block of rest) {
    // Pass 1 validated exactly these bytes (the CID is their hash, and it is in `verified`), so
    // decoding them again need not repeat the record rules.
    const cid = recordCid(block.bytes);
    if (!cid.equals(block.cid) || !verified.has(digestKey(cid))) {
      throw refusal(path, `${path} changed while it was being imported (record ${block.cid} at byte ${block.position} was not verified); ${imported} verified records were stored`);
    }
    total++;
    batch.push({ record: decode(block.bytes) as unknown as ContributionRecord, bytes: block.bytes, cid });
    if (batch.length >= storeBatch) await flush();
  }
  await flush();
  if (!location) await writeProjectFiles(dir, genesis.toString(), undefined);
  return { imported, alreadyPresent: total - imported, created: !location, location: location ?? { root: resolve(from), dir, genesis }, warnings };
}
