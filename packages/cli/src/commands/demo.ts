import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCommitment, type DecodedRecord } from '@colophon/core';
import { describeRecord } from '../describe.js';
import type { Io } from '../output.js';
import { idNew } from './id.js';
import { init } from './init.js';
import { member } from './member.js';
import { record } from './record.js';
import { verifyWorkspace } from './verify.js';
import { identityNames, openWorkspace } from '../workspace.js';

/** Stands in for a model in the demo, and says so in every record it appears in. */
export const LOCAL_GENERATOR = 'colophon/local-generator@1';

function posterSvg(title: string, colour: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="600"><rect width="400" height="600" fill="${colour}"/><text x="200" y="300" text-anchor="middle" font-size="32">${title}</text></svg>\n`;
}

const quiet: Io = { out: () => {}, err: () => {}, isTty: false };

async function capture(run: (io: Io) => Promise<void>): Promise<string> {
  const lines: string[] = [];
  await run({ out: (line) => lines.push(line), err: () => {}, isTty: false });
  return lines.join('\n').trim();
}

/** A small human + AI session in a temporary studio, told in plain words. */
export async function demo(options: { dir?: string }, io: Io): Promise<void> {
  const base = options.dir ?? (await mkdtemp(join(tmpdir(), 'colophon-demo-')));
  const studio = join(base, 'studio');
  const previousKeys = process.env.COLOPHON_KEYS_DIR;
  // Keys live beside the studio, never inside it: a workspace never holds a private key.
  process.env.COLOPHON_KEYS_DIR = join(base, 'keys');
  try {
    io.out('Colophon demo: who made what, when people and AI work together.\n');
    await mkdir(studio, { recursive: true });
    await init(studio, { name: 'Autumn campaign', as: 'olivia' }, quiet);
    io.out(`1. Olivia (the owner) creates the project "Autumn campaign" in ${studio}.`);
    io.out('   Colophon makes her an Ed25519 identity; the private key stays outside the project folder.');
    await idNew(studio, 'dana', {}, quiet);
    await idNew(studio, 'rafael', {}, quiet);
    await member(studio, 'grant', 'dana', { role: 'editor', as: 'olivia' }, quiet);
    await member(studio, 'grant', 'rafael', { role: 'director', as: 'olivia' }, quiet);
    io.out('2. Dana (a designer) and Rafael (the director) get identities; Olivia signs their roles.');

    const brief = await capture((o) => record(studio, 'intent', { asset: 'file:poster.svg', promptPrivate: 'A warm autumn poster for the café, hand-drawn feel', as: 'rafael' }, o));
    io.out('3. Rafael writes the brief. It is private: the ledger holds only a salted commitment to it.');

    const poster = join(studio, 'poster.svg');
    await writeFile(poster, posterSvg('Autumn at the café', '#e8a33d'));
    const draft = await capture((o) => record(studio, 'ai.generate', { asset: 'file:poster.svg', file: poster, model: LOCAL_GENERATOR, link: [brief], as: 'dana' }, o));
    io.out(`4. Dana asks a model for a first draft (here ${LOCAL_GENERATOR}, a built-in local generator standing in for a real model).`);

    await writeFile(poster, posterSvg('Autumn at Café Lune', '#c8642a'));
    const edit = await capture((o) => record(studio, 'asset.edit', { asset: 'file:poster.svg', file: poster, link: [draft], as: 'dana' }, o));
    io.out('5. Dana reworks the draft by hand: new title, warmer colour.');

    await record(studio, 'approve', { asset: 'file:poster.svg', link: [edit], as: 'rafael' }, quiet);
    io.out('6. Rafael approves the final poster. Only a director may, and the ledger checks that he is one.\n');

    const ws = await openWorkspace(studio);
    const names = await identityNames(ws.keys);
    const all: DecodedRecord[] = [];
    for await (const r of ws.feeds.records()) all.push(r);
    all.sort((a, b) => a.record.at - b.record.at || a.record.seq - b.record.seq);
    io.out(`The ledger now holds ${all.length} signed records, one feed per person:`);
    for (const r of all) io.out(`   - ${describeRecord(r.record, names)}`);

    const intent = all.find((r) => r.record.kind === 'intent')!.record.intent!;
    if ('commit' in intent) {
      const opening = await ws.blobs.get(intent.commit);
      io.out(`\nThe brief's text is off the ledger, in ${join(ws.dir, 'blobs')}; Rafael can prove it: "${openCommitment(intent.commit, opening!)}".`);
      io.out('Deleting that file would erase the text and break no signature.');
    }

    const report = await verifyWorkspace(studio);
    io.out(`\nVerification: ${report.ok ? 'OK' : 'FAILED'} — ${report.records} records in ${report.feeds} feeds; every signature, chain, link and role checks out.`);

    const tampered = join(base, 'tampered');
    await cp(studio, tampered, { recursive: true });
    const danaFeed = join(tampered, '.colophon', 'feeds', `${(await ws.keys.get('dana'))!.did.slice('did:key:'.length)}.car`);
    const bytes = await readFile(danaFeed);
    const flipAt = bytes.length - 20;
    bytes[flipAt] = bytes[flipAt]! ^ 0x01;
    await writeFile(danaFeed, bytes);
    const broken = await verifyWorkspace(tampered);
    io.out(`\nNow someone quietly changes one byte of Dana's feed (a copy in ${tampered}):`);
    for (const finding of broken.findings.slice(0, 3)) io.out(`   ✗ [${finding.code}] ${finding.message.replace(tampered, '…')}`);
    io.out(`Verification of the copy: ${broken.ok ? 'OK (unexpected!)' : 'FAILED, as it should'}.`);
    io.out(`\nLook around: ${studio} (try "colophon log" there with COLOPHON_KEYS_DIR=${process.env.COLOPHON_KEYS_DIR}).`);
    if (!report.ok || broken.ok) throw new Error('the demo ledger did not behave as expected');
  } finally {
    if (previousKeys === undefined) delete process.env.COLOPHON_KEYS_DIR;
    else process.env.COLOPHON_KEYS_DIR = previousKeys;
  }
}
