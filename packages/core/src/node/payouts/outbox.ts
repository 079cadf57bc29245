// The payout outbox: a durable, append-only log of what must be paid where, and what happened.
import { open, readFile, mkdir, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../environment-error.js';
import { fsyncDirectory } from '../fs-durable.js';
import { processAlive } from '../process-alive.js';

/**
 * One line of the log (JSON). A delivery is one settlement (its settle record CID, the
 * idempotency key) to one target (a webhook URL, a statement folder).
 * - target:    written by earlier versions to remember a target; ignored: targets come only from
 *              the command line and the user's configuration (targets.ts), never from this file;
 * - enqueue:   the delivery exists and must happen;
 * - attempt:   attempt n is about to be made (written before anything leaves the machine);
 * - failed:    attempt n failed; `retry` says whether another attempt may succeed;
 * - delivered: the target confirmed it; never attempted again;
 * - rejected:  the target refused it for good (e.g. HTTP 400); reported, not retried.
 */
export type OutboxEvent =
  | { e: 'target'; target: string; at: number }
  | { e: 'enqueue'; key: string; target: string; at: number }
  | { e: 'attempt'; key: string; target: string; n: number; at: number }
  | { e: 'failed'; key: string; target: string; n: number; at: number; retry: boolean; error: string; status?: number }
  | { e: 'delivered'; key: string; target: string; n: number; at: number; status?: number }
  | { e: 'rejected'; key: string; target: string; n: number; at: number; error: string; status?: number };

export type DeliveryState = 'pending' | 'delivered' | 'rejected';

export interface Delivery {
  key: string;
  target: string;
  state: DeliveryState;
  /** Attempts begun so far, over every run. */
  attempts: number;
  lastError?: string;
  lastStatus?: number;
}

const LOG = 'log.jsonl';
const LOCK = 'outbox.lock';

export class OutboxCorruptError extends Error {}

function deliveryId(key: string, target: string): string {
  return `${key} ${target}`;
}

/**
 * The log is the truth: every event is appended and fsynced before the step it announces, so
 * after a crash anywhere the log says at worst that an attempt began whose outcome is unknown,
 * and the delivery is attempted again with the same idempotency key (the receiver pays once per
 * key). A torn last line (a crash mid-append) is cut on open; nothing acknowledged is lost.
 * One process at a time holds the outbox (a lock file naming its pid; a dead holder's lock on
 * this host is broken at once).
 */
export class Outbox {
  private readonly deliveries = new Map<string, Delivery>();

  private constructor(
    readonly directory: string,
    private readonly handle: FileHandle,
    private readonly releaseLock: () => Promise<void>,
  ) {}

  static async open(directory: string, options: { lockWaitMs?: number } = {}): Promise<Outbox> {
    await mkdir(directory, { recursive: true });
    // Machine-local delivery state: never committed with the project.
    await writeFile(join(directory, '.gitignore'), '*\n').catch(() => undefined);
    const release = await acquireLock(join(directory, LOCK), options.lockWaitMs ?? 10_000);
    try {
      const path = join(directory, LOG);
      const events = await readLog(path);
      const handle = await open(path, 'a');
      await fsyncDirectory(directory);
      const outbox = new Outbox(directory, handle, release);
      for (const event of events) outbox.apply(event);
      return outbox;
    } catch (error) {
      await release();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
    await this.releaseLock();
  }

  list(): Delivery[] {
    return [...this.deliveries.values()].map((d) => ({ ...d }));
  }

  get(key: string, target: string): Delivery | undefined {
    const d = this.deliveries.get(deliveryId(key, target));
    return d && { ...d };
  }

  pending(): Delivery[] {
    return this.list().filter((d) => d.state === 'pending');
  }

  /** Idempotent: a delivery already known (in any state) is left as it is. */
  async enqueue(key: string, target: string): Promise<boolean> {
    if (this.deliveries.has(deliveryId(key, target))) return false;
    await this.append({ e: 'enqueue', key, target, at: Date.now() });
    return true;
  }

  async append(event: OutboxEvent): Promise<void> {
    await this.handle.write(`${JSON.stringify(event)}\n`);
    await this.handle.sync();
    this.apply(event);
  }

  private apply(event: OutboxEvent): void {
    if (event.e === 'target') return;
    const id = deliveryId(event.key, event.target);
    let d = this.deliveries.get(id);
    if (!d) {
      d = { key: event.key, target: event.target, state: 'pending', attempts: 0 };
      this.deliveries.set(id, d);
    }
    switch (event.e) {
      case 'attempt':
        d.attempts = Math.max(d.attempts, event.n);
        break;
      case 'failed':
        d.lastError = event.error;
        if (event.status !== undefined) d.lastStatus = event.status;
        break;
      case 'delivered':
        d.state = 'delivered';
        if (event.status !== undefined) d.lastStatus = event.status;
        break;
      case 'rejected':
        d.state = 'rejected';
        d.lastError = event.error;
        if (event.status !== undefined) d.lastStatus = event.status;
        break;
    }
  }
}

async function readLog(path: string): Promise<OutboxEvent[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) {
    // A crash mid-append left a partial line that was never acknowledged: cut it.
    await truncate(path, Buffer.byteLength(text.slice(0, end)));
    const handle = await open(path, 'r+');
    await handle.sync();
    await handle.close();
    text = text.slice(0, end);
  }
  const events: OutboxEvent[] = [];
  text
    .split('\n')
    .slice(0, -1)
    .forEach((line, i) => {
      try {
        const event = JSON.parse(line) as OutboxEvent;
        if (typeof event?.e !== 'string') throw new Error('no event type');
        events.push(event);
      } catch (error) {
        throw new OutboxCorruptError(`${path} line ${i + 1} is not an outbox event (${(error as Error).message}); move the file away to start over`);
      }
    });
  return events;
}


async function acquireLock(path: string, waitMs: number): Promise<() => Promise<void>> {
  const me = `${process.pid} ${hostname()}`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(me);
      await handle.sync();
      await handle.close();
      return async () => {
        await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readFile(path, 'utf8').catch(() => '');
    const [pid, host] = holder.split(' ');
    // An empty lock file is being written by its holder right now, unless it is old: then its
    // holder died between creating and writing it.
    const abandonedEmpty = holder === '' && Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now()) > 2_000;
    if (abandonedEmpty || (holder !== '' && host === hostname() && !processAlive(Number(pid)))) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new EnvironmentError(`the payout outbox ${path} is held by process ${holder || '(starting)'}; try again when it has finished`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
