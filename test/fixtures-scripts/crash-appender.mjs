// Child process for test/crash-injection.test.ts: appends records to a project's CarFeedStore in
// a loop until it is killed, printing each record's CID on its own line as soon as the append that
// stored it has resolved (that is, once the store has acknowledged it as durable).
//
//   [CRASH_CORE=FILE] node crash-appender.mjs DIR GENESIS_CID RNG_SEED SIGNER_SEED_HEX...
//
// Uses the BUILT core: packages/core/dist, or the single-file bundle of it that CRASH_CORE names
// (the test makes one, holding just what this script uses, so that a start-up costs little more
// than `node` itself). It waits for a line on stdin before opening the store, and exits when stdin
// closes.
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const core = process.env.CRASH_CORE
  ? await import(pathToFileURL(process.env.CRASH_CORE).href)
  : { ...(await import('../../packages/core/dist/index.js')), ...(await import('../../packages/core/dist/node/index.js')) };
const { CID, Project, contentCid, identityFromSeed, signRecord, utf8Encode, CarFeedStore, useNodeCrypto } = core;

const [dir, genesisText, rngSeedText, ...signerSeeds] = process.argv.slice(2);
if (!dir || !genesisText || !rngSeedText || signerSeeds.length === 0) {
  process.stderr.write('usage: crash-appender.mjs DIR GENESIS_CID RNG_SEED SIGNER_SEED_HEX...\n');
  process.exit(2);
}
useNodeCrypto();

// Small deterministic PRNG (mulberry32) so a failing run can be replayed from the seed it printed.
let rngState = Number(rngSeedText) >>> 0;
function random() {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (n) => Math.floor(random() * n);

const signers = signerSeeds.map((hex) => identityFromSeed(Uint8Array.from(Buffer.from(hex, 'hex'))));

/** Synchronous write to fd 1: the line is in the pipe before the next append starts. */
function acknowledge(records) {
  writeSync(1, records.map((r) => `${r.cid}\n`).join(''));
}

// Modules are loaded: wait for the parent's "go" (so it can start us while it still checks the
// previous run), and never outlive it: when our stdin closes, stop.
process.stdin.on('end', () => process.exit(0));
await new Promise((resolve) => process.stdin.once('data', resolve));

const store = await CarFeedStore.open(dir);
const genesis = await store.get(CID.parse(genesisText));
if (!genesis) throw new Error(`genesis ${genesisText} is not in ${dir}`);
const project = Project.open(genesis, store);
// What opening found: the parent checks that a torn tail it planted was cut exactly.
writeSync(1, `ready ${JSON.stringify(store.report)}\n`);

for (let i = 0; ; i++) {
  const asset = `file:crash/${pick(8)}.md`;
  // A few bytes of padding vary record sizes, so blocks (and batch writes) straddle page boundaries.
  const note = 'x'.repeat(pick(400));
  const out = contentCid(utf8Encode(`${asset} ${i} ${note.length}`));
  if (random() < 0.5) {
    // Interactive append: one record, one fdatasync.
    const signer = signers[pick(signers.length)];
    const record = await project.record(signer, { kind: 'asset.edit', asset, out, ext: { 'org.test.note': note } });
    acknowledge([record]);
  } else {
    // Group commit: a chained batch per signer (one or more signers), one appendMany call.
    const batch = [];
    const involved = random() < 0.5 ? signers : [signers[pick(signers.length)]];
    for (const signer of involved) {
      const head = await store.head(signer.did);
      let seq = head ? head.seq + 1 : 0;
      let prev = head?.cid;
      const count = 1 + pick(16);
      for (let j = 0; j < count; j++) {
        const fields = { kind: 'asset.edit', proj: project.id, by: signer.did, seq, at: Date.now(), asset, out, ext: { 'org.test.note': note } };
        if (prev) fields.prev = prev;
        const signed = signRecord(fields, signer);
        batch.push(signed);
        seq++;
        prev = signed.cid;
      }
    }
    await store.appendMany(batch);
    acknowledge(batch);
  }
}
