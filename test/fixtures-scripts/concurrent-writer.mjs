// Child process for test/concurrent-writers.test.ts and bench/ledger.mjs: appends COUNT records
// to one project, all signed by the same identity (so every writer contends for one feed), each
// through Project.record (head read, sign and append under one lock). Prints each record's CID as
// soon as its append has resolved, and "done" at the end; any failure goes to stderr, exit 1.
//
//   node concurrent-writer.mjs DIR GENESIS_CID SIGNER_SEED_HEX COUNT TAG
//
// Uses the BUILT core (packages/core/dist).
import { writeSync } from 'node:fs';

const { CID, Project, contentCid, identityFromSeed, utf8Encode } = await import('../../packages/core/dist/index.js');
const { CarFeedStore, useNodeCrypto } = await import('../../packages/core/dist/node/index.js');

const [dir, genesisText, seedHex, countText, tag] = process.argv.slice(2);
if (!dir || !genesisText || !seedHex || !countText || !tag) {
  process.stderr.write('usage: concurrent-writer.mjs DIR GENESIS_CID SIGNER_SEED_HEX COUNT TAG\n');
  process.exit(2);
}
useNodeCrypto();
const signer = identityFromSeed(Uint8Array.from(Buffer.from(seedHex, 'hex')));
const store = await CarFeedStore.open(dir);
const genesis = await store.get(CID.parse(genesisText));
if (!genesis) throw new Error(`genesis ${genesisText} is not in ${dir}`);
const project = Project.open(genesis, store);
for (let i = 0; i < Number(countText); i++) {
  const asset = `file:${tag}.md`;
  const record = await project.record(signer, { kind: 'asset.edit', asset, out: contentCid(utf8Encode(`${tag} ${i}`)) });
  writeSync(1, `${record.cid}\n`);
}
writeSync(1, 'done\n');
