// The workspace API (@colophon/core/node) that the CLI, the VS Code extension and `watch` share.
import { copyFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryKeyStore, type DecodedRecord } from '../src/index.js';
import { createWorkspace, exportCar, findProjectRoot, importCar, openWorkspace, signingIdentity, useNodeCrypto, verifyWorkspace, WorkspaceError } from '../src/node/index.js';

useNodeCrypto();

const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});
async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'colophon-workspace-'));
  temps.push(dir);
  return dir;
}

/** A project with `count` records by two people, keys in a MemoryKeyStore (a pluggable store). */
async function project(count: number) {
  const root = await folder();
  const keys = new MemoryKeyStore();
  const ws = await createWorkspace(root, { owner: 'ada', name: 'Plugged', keys });
  await keys.create('bo');
  const ada = (await signingIdentity(ws)).identity;
  const bo = (await signingIdentity(ws, 'bo')).identity;
  const written: DecodedRecord[] = [ws.project.genesis];
  for (let i = 0; i < count; i++) written.push(await ws.project.record(i % 3 === 0 ? ada : bo, { kind: 'intent', intent: { text: `brief ${i}` } }));
  return { root, keys, ws, written };
}

describe('workspace API', () => {
  it('creates, finds and opens a project with any KeyStore, signing as local.json says', async () => {
    const { root, keys, ws } = await project(2);
    await mkdir(join(root, 'deep', 'er'), { recursive: true });
    expect(await findProjectRoot(join(root, 'deep', 'er'))).toBe(root);
    const reopened = await openWorkspace(join(root, 'deep'), { keys });
    expect(reopened.project.id.equals(ws.project.id)).toBe(true);
    expect((await signingIdentity(reopened)).name).toBe('ada');
    await expect(signingIdentity(reopened, 'nobody')).rejects.toThrow(WorkspaceError);
    await expect(signingIdentity(reopened, '../evil')).rejects.toMatchObject({ kind: 'usage' });
    await expect(openWorkspace(await folder())).rejects.toMatchObject({ kind: 'usage' });
  });

  it('imports a CAR in batches, the first one held from verification and the rest read again, each record once', async () => {
    const { ws, written } = await project(40);
    const car = join(await folder(), 'all.car');
    const exported = await exportCar(ws, car);
    expect(exported.records).toBe(written.length);
    await expect(exportCar(ws, car)).rejects.toThrow(/already exists; pass --force/);
    const target = await folder();
    const phases = new Set<string>();
    const result = await importCar(target, car, { storeBatch: 8, onProgress: (phase) => phases.add(phase) });
    expect(result).toMatchObject({ imported: written.length, alreadyPresent: 0, created: true });
    expect([...phases].sort()).toEqual(['store', 'verify']);
    const again = await importCar(target, car, { storeBatch: 8 });
    expect(again).toMatchObject({ imported: 0, alreadyPresent: written.length, created: false });
    const report = await verifyWorkspace(target);
    expect(report.findings).toEqual([]);
    expect(report.records).toBe(written.length);
  });

  it('refuses a CAR swapped for another between verifying and storing, storing only verified records', async () => {
    const { ws } = await project(30);
    const dir = await folder();
    const car = join(dir, 'a.car');
    await exportCar(ws, car);
    // Another ledger's CAR, written over the first once it has been verified.
    const other = await project(30);
    const swap = join(dir, 'b.car');
    await exportCar(other.ws, swap);
    const target = await folder();
    let swapped = false;
    const size = (await readFile(car)).length;
    const importing = importCar(target, car, {
      storeBatch: 8,
      onProgress: (phase, read) => {
        if (phase === 'verify' && read === size && !swapped) {
          swapped = true;
          copyFileSync(swap, car);
        }
      },
    });
    await expect(importing).rejects.toThrow(/changed while it was being imported/);
    expect(swapped).toBe(true);
    // What was stored is a verified prefix of the first CAR, and the ledger verifies.
    const report = await verifyWorkspace(target).catch(() => undefined);
    if (report) expect(report.findings.filter((f) => f.code !== 'no-genesis')).toEqual([]);
  });

  it('refuses a CAR with records of a feed out of seq order before storing anything', async () => {
    const { ws } = await project(6);
    const car = join(await folder(), 'x.car');
    await exportCar(ws, car);
    const { CarReader, CarWriter } = await import('@ipld/car');
    const reader = await CarReader.fromBytes(await readFile(car));
    const blocks: { cid: unknown; bytes: Uint8Array }[] = [];
    for await (const block of reader.blocks()) blocks.push(block);
    const { writer, out } = CarWriter.create((await reader.getRoots()) as never);
    const chunks: Uint8Array[] = [];
    const collecting = (async () => {
      for await (const chunk of out) chunks.push(chunk);
    })();
    for (const block of [...blocks].reverse()) await writer.put(block as never);
    await writer.close();
    await collecting;
    const reversed = join(await folder(), 'reversed.car');
    await writeFile(reversed, Buffer.concat(chunks));
    const target = await folder();
    const refused = await importCar(target, reversed).then(
      () => undefined,
      (error: unknown) => error as WorkspaceError,
    );
    expect(refused?.kind).toBe('refused');
    expect(refused?.findings.some((f) => /a CAR must hold each feed in seq order/.test(f.message))).toBe(true);
    await expect(findProjectRoot(target)).resolves.toBeUndefined();
  });
});

