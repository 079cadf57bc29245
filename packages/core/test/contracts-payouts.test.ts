// Payout adapters against a real HTTP server on 127.0.0.1 that fails and times out on purpose, and
// a paying process killed (SIGKILL) between steps: every settlement is paid exactly once.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { appendFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project, approveAsset, contentCid, contractExt, identityFromSeed, parseCid, utf8Encode, verifySignature, type SigningIdentity } from '../src/index.js';
import { CarFeedStore, FileKeyStore, Outbox, runPayouts, settlementDocument, statementAdapter, webhookAdapter, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, SIGNER_HEADER, type PayoutReport } from '../src/node/index.js';

const SRC_NODE = fileURLToPath(new URL('../src/node/index.ts', import.meta.url));

type Behaviour = 'ok' | 'fail' | 'hang' | 'pay-then-drop' | 'refuse';

/**
 * A payee's bank: checks signatures, pays once per idempotency key (a repeated key is answered
 * "already paid" and books nothing), and misbehaves when told to.
 */
class Receiver {
  /** Payments booked, in order: one entry per payment made. */
  readonly payments: string[] = [];
  readonly paid = new Map<string, number>();
  readonly requests: { key: string; behaviour: Behaviour }[] = [];
  readonly plans = new Map<string, Behaviour[]>();
  readonly bodies = new Map<string, unknown>();
  private readonly hanging: ServerResponse[] = [];
  private readonly waiters: { key: string; resolve: () => void }[] = [];
  server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/payouts`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Resolves when a request with this key arrives. */
  received(key: string): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ key, resolve }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const key = String(req.headers[IDEMPOTENCY_HEADER] ?? '');
    const did = String(req.headers[SIGNER_HEADER] ?? '');
    const signature = Buffer.from(String(req.headers[SIGNATURE_HEADER] ?? ''), 'base64');
    const behaviour = this.plans.get(key)?.shift() ?? 'ok';
    this.requests.push({ key, behaviour });
    for (const w of this.waiters.filter((w) => w.key === key)) w.resolve();
    if (!verifySignature(did, new Uint8Array(body), new Uint8Array(signature))) {
      res.writeHead(401).end('bad signature');
      return;
    }
    const doc = JSON.parse(body.toString('utf8')) as { settlement: string; settledBy: string };
    if (doc.settlement !== key || doc.settledBy !== did) {
      res.writeHead(400).end('key or signer does not match the body');
      return;
    }
    const pay = () => {
      if (this.paid.has(key)) return;
      this.payments.push(key);
      this.bodies.set(key, doc);
      this.paid.set(key, this.payments.filter((k) => k === key).length);
    };
    switch (behaviour) {
      case 'fail':
        res.writeHead(500).end('ledger busy');
        return;
      case 'refuse':
        res.writeHead(422).end('unknown payee');
        return;
      case 'hang':
        this.hanging.push(res);
        return;
      case 'pay-then-drop':
        // Books the payment, then drops the connection without an answer: the payer cannot know
        // whether it was paid. (A wall-clock timeout would say the same, but also fires on a live
        // answer that a loaded machine merely delays.)
        pay();
        res.socket?.destroy();
        return;
      case 'ok': {
        const already = this.paid.has(key);
        pay();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: already ? 'already paid' : 'paid' }));
      }
    }
  }
}

const person = (n: number): SigningIdentity => identityFromSeed(new Uint8Array(32).fill(n));

/** A project on disk whose director (key in a key store outside it) settles `count` assets. */
async function ledgerWithSettlements(base: string, count: number) {
  const ledgerDir = join(base, 'work', '.colophon');
  const keysDir = join(base, 'keys');
  await mkdir(ledgerDir, { recursive: true });
  const keys = new FileKeyStore(keysDir);
  const director = await keys.create('director');
  const owner = person(11);
  const writer = person(12);
  let now = 1_767_225_600_000;
  const store = await CarFeedStore.open(ledgerDir);
  const project = await Project.create('Payouts', owner, store, () => (now += 1000));
  await project.record(owner, { kind: 'member', delta: { op: 'grant', role: 'director', subject: director.did } });
  await project.record(owner, { kind: 'member', delta: { op: 'grant', role: 'editor', subject: writer.did } });
  const settle = async (i: number) => {
    const asset = `doc:piece-${i}.md`;
    const text = `Piece number ${i}, written by hand.`;
    await project.record(writer, { kind: 'asset.create', asset, out: contentCid(utf8Encode(text)), delta: { text: [[0, 0, text.length, 'human']] } });
    await project.record(owner, {
      kind: 'contract',
      asset,
      ext: contractExt({ v: 1, name: `piece ${i}`, gates: [{ name: 'approved', expr: "approvals.exists(a, a.final && 'director' in a.roles)" }], payout: { budget: 1000 + i, currency: 'EUR', weights: { humanText: 1 } } }),
    });
    const { settlement } = await approveAsset(project, director, { asset });
    return settlement!.record.cid.toString();
  };
  const keysOf: string[] = [];
  for (let i = 0; i < count; i++) keysOf.push(await settle(i));
  return { ledgerDir, keysDir, keys, director, project, store, settle, keysOf };
}

const CHILD_SOURCE = (srcNode: string) => `
import { CarFeedStore, FileKeyStore, runPayouts, webhookAdapter } from ${JSON.stringify(srcNode)};
async function main() {
  const [ledgerDir, keysDir, outboxDir, url, crashStep, crashNth] = process.argv.slice(2);
  const store = await CarFeedStore.open(ledgerDir);
  const keys = new FileKeyStore(keysDir);
  const names = new Map((await keys.list()).map((i) => [i.did, i.name]));
  let seen = 0;
  const report = await runPayouts({
    outboxDir,
    store,
    // Far above any delay load can cause: here no answer is made by the receiver (a dropped
    // connection, or a hang the parent ends by killing this process), never by a clock.
    adapters: url ? [webhookAdapter(url, { timeoutMs: 120_000 })] : [],
    signerFor: async (did) => (names.has(did) ? keys.get(names.get(did)) : undefined),
    attempts: 3,
    backoffMs: 20,
    timeoutMs: 120_000,
    onStep: (step) => {
      if (step === crashStep && ++seen === Number(crashNth)) process.kill(process.pid, 'SIGKILL');
    },
  });
  process.stdout.write(JSON.stringify(report));
}
main().catch((error) => { console.error(error); process.exit(3); });
`;

/** Bundles the child script (sources included) into one CommonJS file node can run. */
async function buildChild(dir: string): Promise<string> {
  const tsup = createRequire(import.meta.url).resolve('tsup');
  const esbuild = (await import(createRequire(tsup).resolve('esbuild'))) as typeof import('esbuild');
  const entry = join(dir, 'pay.ts');
  const outfile = join(dir, 'pay.cjs');
  await writeFile(entry, CHILD_SOURCE(SRC_NODE));
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error' });
  return outfile;
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  report?: PayoutReport;
  stderr: string;
}

function runChild(script: string, args: string[], onSpawn?: (kill: () => void) => void): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, ...(stdout ? { report: JSON.parse(stdout) as PayoutReport } : {}) }));
    onSpawn?.(() => child.kill('SIGKILL'));
  });
}

describe('payout outbox', () => {
  let base: string;
  const receiver = new Receiver();

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'colophon-payouts-'));
    await receiver.start();
  });

  afterAll(async () => {
    await receiver.stop();
  });

  it('retries a webhook that fails and times out, with backoff, and pays once', async () => {
    const dir = join(base, 'retry');
    const { ledgerDir, store, director, keysOf } = await ledgerWithSettlements(dir, 3);
    const [k1, k2, k3] = keysOf as [string, string, string];
    receiver.plans.set(k1, ['fail', 'hang', 'ok']);
    receiver.plans.set(k2, ['fail', 'fail', 'fail']);
    receiver.plans.set(k3, ['refuse']);
    const options = {
      outboxDir: join(ledgerDir, 'outbox'),
      store,
      signerFor: async (did: string) => (did === director.did ? director : undefined),
      attempts: 3,
      backoffMs: 20,
      adapters: [webhookAdapter(receiver.url, { timeoutMs: 300 })],
    };
    const started = Date.now();
    const first = await runPayouts(options);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const state = (r: PayoutReport) => Object.fromEntries(r.deliveries.map((d) => [d.key, [d.state, d.attempts]]));
    expect(state(first)).toEqual({ [k1]: ['delivered', 3], [k2]: ['pending', 3], [k3]: ['rejected', 1] });
    expect(first.deliveries.find((d) => d.key === k3)!.lastError).toMatch(/HTTP 422: unknown payee/);
    expect(first.deliveries.find((d) => d.key === k2)!.lastError).toMatch(/HTTP 500/);

    // The next run retries only what is pending, and leaves the refusal alone.
    const second = await runPayouts(options);
    expect(state(second)).toEqual({ [k1]: ['delivered', 3], [k2]: ['delivered', 4], [k3]: ['rejected', 1] });
    expect(Object.fromEntries(second.deliveries.map((d) => [d.key, d.already]))).toEqual({ [k1]: true, [k2]: false, [k3]: false });
    expect(receiver.payments.filter((k) => keysOf.includes(k))).toEqual([k1, k2]);
    const sent = (key: string) => receiver.requests.filter((r) => r.key === key).map((r) => r.behaviour);
    expect(sent(k1)).toEqual(['fail', 'hang', 'ok']);
    expect(sent(k2)).toEqual(['fail', 'fail', 'fail', 'ok']);
    expect(sent(k3)).toEqual(['refuse']);
    const body = receiver.bodies.get(k1) as { lines: { payee: string; amount: number }[]; budget: number; currency: string; asset: string };
    expect(body).toMatchObject({ budget: 1000, currency: 'EUR', asset: 'doc:piece-0.md' });
    expect(body.lines.reduce((s, l) => s + l.amount, 0)).toBe(1000);
    const requestsBefore = receiver.requests.length;
    await runPayouts(options);
    expect(receiver.requests.length).toBe(requestsBefore);
  });

  it('writes statements (JSON + CSV) once, idempotently', async () => {
    const dir = join(base, 'statements');
    const { ledgerDir, store, keysOf } = await ledgerWithSettlements(dir, 2);
    const folder = join(dir, 'statements');
    const options = { outboxDir: join(ledgerDir, 'outbox'), store, signerFor: async () => undefined, adapters: [statementAdapter(folder)] };
    const report = await runPayouts(options);
    expect(report.deliveries.map((d) => d.state)).toEqual(['delivered', 'delivered']);
    const csv = await readFile(join(folder, `settlement-${keysOf[1]}.csv`), 'utf8');
    const [header, ...rows] = csv.trim().split('\n');
    expect(header).toBe('settlement,asset,currency,payee,payee_name,amount_minor,via');
    expect(rows.map((r) => r.split(',')[5]).reduce((s, a) => s + Number(a), 0)).toBe(1001);
    const json = JSON.parse(await readFile(join(folder, `settlement-${keysOf[0]}.json`), 'utf8')) as { budget: number; settlement: string };
    expect(json).toMatchObject({ budget: 1000, settlement: keysOf[0] });
    // Writing a statement again finds identical files; other content is never overwritten.
    const doc = settlementDocument((await store.get(parseCid(keysOf[0]!)))!);
    expect(await statementAdapter(folder).attempt(doc, undefined)).toMatchObject({ ok: true });
    expect(await statementAdapter(folder).attempt({ ...doc, budget: 1 }, undefined)).toMatchObject({ ok: false, retry: false, error: expect.stringMatching(/exists with other content/) });
    expect(csv).toBe(await readFile(join(folder, `settlement-${keysOf[1]}.csv`), 'utf8'));
  });

  it('cuts a torn last line of the outbox log and keeps everything acknowledged', async () => {
    const dir = join(base, 'torn');
    await mkdir(dir, { recursive: true });
    const outbox = await Outbox.open(dir);
    await outbox.enqueue('k1', 'webhook:x');
    await outbox.append({ e: 'attempt', key: 'k1', target: 'webhook:x', n: 1, at: 1 });
    await outbox.close();
    await appendFile(join(dir, 'log.jsonl'), '{"e":"delivered","key":"k1","tar');
    const reopened = await Outbox.open(dir);
    expect(reopened.list()).toEqual([{ key: 'k1', target: 'webhook:x', state: 'pending', attempts: 1 }]);
    await reopened.close();
    expect((await readFile(join(dir, 'log.jsonl'), 'utf8')).endsWith('}\n')).toBe(true);
  });

  it('one process at a time: a live holder blocks, a dead holder does not', async () => {
    const dir = join(base, 'lock');
    const first = await Outbox.open(dir);
    await expect(Outbox.open(dir, { lockWaitMs: 200 })).rejects.toThrow(/is held by process/);
    await first.close();
    await writeFile(join(dir, 'outbox.lock'), `999999 ${(await import('node:os')).hostname()}`);
    const second = await Outbox.open(dir, { lockWaitMs: 200 });
    await second.close();
  });

  it('a paying process killed with SIGKILL between any two steps never pays twice and never loses a payout', { timeout: 180_000 }, async () => {
    const dir = join(base, 'crash');
    const { ledgerDir, keysDir, settle, keysOf } = await ledgerWithSettlements(dir, 3);
    const [k1, k2, k3] = keysOf as [string, string, string];
    const script = await buildChild(dir);
    const outboxDir = join(ledgerDir, 'outbox');
    const args = (crashStep = '', nth = 0, url = receiver.url) => [ledgerDir, keysDir, outboxDir, url, crashStep, String(nth)];
    const killed = (r: ChildResult) => expect([r.signal, r.stderr]).toEqual(['SIGKILL', '']);

    // 1. The receiver pays k1 but never answers (it drops the connection); the payer dies right
    //    after learning it got no answer, before writing down what happened. The payment is booked
    //    before the connection drops, so before the payer can die.
    receiver.plans.set(k1, ['pay-then-drop']);
    killed(await runChild(script, args('response', 1)));
    expect(receiver.paid.get(k1)).toBe(1);
    // 2. Retried with the same key (the receiver answers "already paid"); then killed after writing
    //    "attempt 1" for k2, before sending it.
    killed(await runChild(script, args('attempt', 2)));
    expect(receiver.requests.filter((r) => r.key === k2)).toEqual([]);
    // 3. Killed right after k2 is recorded as delivered.
    killed(await runChild(script, args('recorded', 1)));
    expect(receiver.paid.get(k2)).toBe(1);
    // 4. k3 hangs at the receiver (not paid) and the parent kills the payer mid-request.
    receiver.plans.set(k3, ['hang']);
    const arrived = receiver.received(k3);
    killed(await runChild(script, args(), (kill) => void arrived.then(kill)));
    expect(receiver.paid.has(k3)).toBe(false);
    // 5. A settlement made meanwhile is found in the ledger.
    const k4 = await settle(3);
    const last = await runChild(script, args());
    expect(last.code, last.stderr).toBe(0);
    const states = Object.fromEntries(last.report!.deliveries.map((d) => [d.key, d.state]));
    expect(states).toEqual({ [k1]: 'delivered', [k2]: 'delivered', [k3]: 'delivered', [k4]: 'delivered' });
    // 6. Nothing left to do.
    const before = receiver.requests.length;
    const idle = await runChild(script, args());
    expect(idle.code).toBe(0);
    expect(receiver.requests.length).toBe(before);

    for (const key of [k1, k2, k3, k4]) expect(receiver.payments.filter((k) => k === key), key).toEqual([key]);
    // Resent only when the outcome could not be known (no answer, or killed before writing it down).
    const sent = (key: string) => receiver.requests.filter((r) => r.key === key).map((r) => r.behaviour);
    expect(sent(k1)).toEqual(['pay-then-drop', 'ok']);
    expect(sent(k2)).toEqual(['ok']);
    expect(sent(k3)).toEqual(['hang', 'ok']);
    expect(sent(k4)).toEqual(['ok']);
  });
});
