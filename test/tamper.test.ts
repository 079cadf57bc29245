// Tampering (issue 3, "Reliability tests"): flipping any single byte of any feed file makes
// verification fail, and the failure names the file and, when the byte lies inside a record's
// block, that record (its CID, or its signer and seq).
//
// Every byte offset of every feed file of a small ledger (3 signers, 20 records) is flipped (xor
// 0x01, the smallest change; and xor 0xff on the bytes whose high bits carry structure), in place
// in a copy of the ledger, and restored after each check. Verification runs in process, as
// `colophon verify` does it (verifyBlocks over feedBlocks of the raw files), so the ~9k checks take
// seconds. Signature verdicts are cached by CID: verifyBlocks checks a signature only for a block
// whose bytes hash to its CID, so a cached verdict is always about the very same bytes.
import { cp, mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Project,
  contentCid,
  identityFromSeed,
  utf8Encode,
  verifyBlocks,
  verifyDecodedSignature,
  type CID,
  type DecodedRecord,
  type Finding,
  type SigningIdentity,
} from '../packages/core/src/index.js';
import { CarFeedStore, feedBlocks, readSections, splitBlock, useNodeCrypto } from '../packages/core/src/node/index.js';

useNodeCrypto();

const COPIES = 4;

const identity = (n: number): SigningIdentity => identityFromSeed(new Uint8Array(32).fill(n));
const owner = identity(11);
const director = identity(12);
const writer = identity(13);

let base: string;
let pristine: string;
let genesis: CID;
const records: DecodedRecord[] = [];

/** 20 records from 3 signers: roles granted by the owner, prompts, AI drafts, edits, reviews, approvals. */
async function buildLedger(dir: string): Promise<void> {
  let clock = Date.UTC(2025, 0, 1);
  const store = await CarFeedStore.open(dir);
  const project = await Project.create('tamper', owner, store, () => (clock += 1000));
  genesis = project.id;
  records.push(project.genesis);
  const add = async (signer: SigningIdentity, contribution: Parameters<Project['record']>[1]) => {
    const r = await project.record(signer, contribution);
    records.push(r);
    return r;
  };
  await add(owner, { kind: 'member', delta: { op: 'grant', role: 'director', subject: director.did } });
  await add(owner, { kind: 'member', delta: { op: 'grant', role: 'editor', subject: writer.did } });
  let last = records[records.length - 1]!;
  for (let i = 0; i < 4; i++) {
    const asset = `file:chapters/0${i}.md`;
    const intent = await add(director, { kind: 'intent', asset, intent: { text: `Chapter ${i}: a storm at sea` } });
    const draft = await add(writer, {
      kind: 'ai.generate',
      asset,
      agent: { type: 'ai', model: { provider: 'acme', name: 'writer', version: '2' } },
      out: contentCid(utf8Encode(`draft ${i}`)),
      delta: { text: [[0, 0, `draft ${i}`.length, 'ai']] },
      links: [intent.cid],
    });
    const edit = await add(writer, { kind: 'asset.edit', asset, out: contentCid(utf8Encode(`edit ${i}`)), links: [draft.cid], delta: { text: [[0, 3, 5, 'human']] } });
    last = await add(director, { kind: i % 2 ? 'approve' : 'review', asset, links: [edit.cid, last.cid] });
  }
  await add(owner, { kind: 'asset.create', asset: 'file:cover.png', out: contentCid(utf8Encode('cover')), rights: { license: 'CC-BY-4.0' } });
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'colophon-tamper-'));
  pristine = join(base, 'pristine');
  await buildLedger(pristine);
});

afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

interface Span {
  /** Section start (length prefix) and end, in the file. */
  offset: number;
  end: number;
  /** Where the record bytes start (after the length prefix and the CID). */
  data?: number;
  cid?: string;
  signer?: string;
  seq?: number;
}

/** The sections of a clean feed file: the CAR header first, then one block per record. */
async function sections(file: string, size: number): Promise<Span[]> {
  const handle = await open(file, 'r');
  try {
    const spans: Span[] = [];
    for await (const section of readSections(handle, file, 0, size)) {
      if (spans.length === 0) {
        spans.push({ offset: section.offset, end: section.end });
        continue;
      }
      const { cid, data } = splitBlock(section.body);
      const record = records.find((r) => r.cid.equals(cid))!;
      spans.push({ offset: section.offset, end: section.end, data: section.end - data.length, cid: cid.toString(), signer: record.record.by, seq: record.record.seq });
    }
    return spans;
  } finally {
    await handle.close();
  }
}

async function verifyDir(dir: string, cache: Map<string, boolean>): Promise<{ ok: boolean; findings: Finding[] }> {
  const findings: Finding[] = [];
  const report = await verifyBlocks(
    feedBlocks(dir, (f) => findings.push(f)),
    {
      genesis,
      verifySignatures: async (list) =>
        list.map((r) => {
          const key = r.cid.toString();
          let ok = cache.get(key);
          if (ok === undefined) cache.set(key, (ok = verifyDecodedSignature(r)));
          return ok;
        }),
    },
  );
  findings.push(...report.findings);
  return { ok: report.ok && findings.length === 0, findings };
}

const namesFile = (f: Finding, file: string) => f.source === file || f.message.includes(file);
const namesRecord = (f: Finding, span: Span) =>
  f.cid === span.cid || f.message.includes(span.cid!) || (f.signer === span.signer && f.seq === span.seq);
const namesPosition = (f: Finding, span: Span) => new RegExp(`(@|byte )${span.offset}\\b`).test(f.message);

describe('tampering: any single flipped byte of a feed file fails verification', () => {
  it('the untouched ledger verifies: 3 signers, 20 records', async () => {
    const { ok, findings } = await verifyDir(pristine, new Map());
    expect(findings).toEqual([]);
    expect(ok).toBe(true);
    expect(records).toHaveLength(20);
    expect(new Set(records.map((r) => r.record.by)).size).toBe(3);
  });

  // xor 0x01 (one bit) on every byte; xor 0xff (every bit: varint continuation bits, CID version and
  // codec bytes turn into other valid-looking values) on every byte of the CAR headers and of each
  // block's framing (length prefix and CID). Inside the record bytes any change at all breaks the
  // CID hash alike, so the second pass skips them to keep the test quick.
  const passes = [
    { mask: 0x01, what: 'every byte of every feed file', framingOnly: false },
    { mask: 0xff, what: 'every header and block-framing byte of every feed file', framingOnly: true },
  ];
  for (const { mask, what, framingOnly } of passes) {
    it(`${what}, xor 0x${mask.toString(16).padStart(2, '0')}: verification fails and names the file and the record`, async () => {
      const names = (await readdir(join(pristine, 'feeds'))).filter((n) => n.endsWith('.car')).sort();
      expect(names).toHaveLength(3);
      // COPIES copies of the ledger, each flipping every COPIES-th byte, checked concurrently: the
      // checks mostly wait on small file reads, which then overlap.
      const copies = await Promise.all(
        Array.from({ length: COPIES }, async (_, k) => {
          const dir = join(base, `copy-${mask}-${k}`);
          await cp(pristine, dir, { recursive: true });
          return dir;
        }),
      );
      const cache = new Map<string, boolean>();
      const failures: string[] = [];
      let flips = 0;
      let namedByPosition = 0;
      for (const name of names) {
        const clean = await readFile(join(pristine, 'feeds', name));
        const spans = await sections(join(pristine, 'feeds', name), clean.length);
        expect(spans.at(-1)!.end).toBe(clean.length);
        await Promise.all(
          copies.map(async (dir, k) => {
            const file = join(dir, 'feeds', name);
            const handle = await open(file, 'r+');
            try {
              for (let offset = k; offset < clean.length; offset += COPIES) {
                const span = spans.find((s) => offset >= s.offset && offset < s.end)!;
                if (framingOnly && span.cid && offset >= span.data!) continue;
                await handle.write(Uint8Array.of(clean[offset]! ^ mask), 0, 1, offset);
                const { ok, findings } = await verifyDir(dir, cache);
                await handle.write(clean, offset, 1, offset);
                flips++;
                const region = !span.cid ? 'in the CAR header' : offset < span.data! ? 'in the framing (length, CID)' : 'in the record bytes';
                const where = `${name} byte ${offset} (${region}${span.cid ? ` of ${span.cid}, seq ${span.seq}` : ''})`;
                if (ok) {
                  failures.push(`${where}: verification passed`);
                } else if (!findings.some((f) => namesFile(f, file))) {
                  failures.push(`${where}: no finding names the file: ${JSON.stringify(findings)}`);
                } else if (span.cid && !findings.some((f) => namesFile(f, file) && namesRecord(f, span))) {
                  // A flip in the block's framing can destroy the CID bytes themselves (the digest-length
                  // byte, say): then no CID in the file is the record's any more, and the finding names
                  // the record by where its block starts. Everywhere else the record is named by CID or seq.
                  if (region === 'in the record bytes' || !findings.some((f) => namesFile(f, file) && namesPosition(f, span))) {
                    failures.push(`${where}: no finding names the record: ${findings.map((f) => f.message).join(' | ')}`);
                  } else namedByPosition++;
                }
              }
            } finally {
              await handle.close();
            }
            expect(await readFile(file)).toEqual(clean);
          }),
        );
      }
      expect(flips).toBeGreaterThan(framingOnly ? 500 : 5000);
      expect(failures.slice(0, 20), `${failures.length} of ${flips} flips`).toEqual([]);
      console.log(`xor 0x${mask.toString(16).padStart(2, '0')}: all ${flips} flips failed verification; ${namedByPosition} (in block framing) named the record by its block's byte offset, the rest by CID or seq`);
      // Restored byte for byte, every copy verifies again.
      for (const dir of copies) expect((await verifyDir(dir, new Map())).ok).toBe(true);
    });
  }
});
