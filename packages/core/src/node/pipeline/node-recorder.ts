// The pipeline recorder in Node: a crash journal (what a crash lost is reported on the next open),
// a flush when the process is about to exit normally, timers that never keep the process alive,
// and a monotonic clock for step durations.
import { performance } from 'node:perf_hooks';
import { PipelineRecorder, type RecorderOptions } from '../../lineage/recorder.js';
import { FileStepJournal, recoverJournals, type LostReport } from './journal.js';

export interface NodeRecorderOptions extends Omit<RecorderOptions, 'journal' | 'schedule' | 'now'> {
  /** The project's .colophon folder (the journal lives in its pipeline/ folder). */
  dir: string;
  /**
   * Told about records a crashed process queued and never wrote. Default: a process warning
   * naming them. Either way they are also returned by openNodeRecorder.
   */
  onLost?: (report: LostReport) => void;
}

export interface OpenedRecorder {
  recorder: NodePipelineRecorder;
  /** What crashed recorders of this project lost (read from their journals, which are then removed). */
  lost: LostReport[];
}

export function describeLost(report: LostReport): string {
  const names = report.records.slice(0, 5).map((r) => r.label);
  const more = report.records.length > 5 ? ` and ${report.records.length - 5} more` : '';
  return `a pipeline recorder (process ${report.pid}) ended without writing ${report.records.length} record(s) to the ledger: ${names.join(', ')}${more}. They are lost; re-run the steps if they matter.`;
}

export class NodePipelineRecorder extends PipelineRecorder {
  private exitHook: (() => void) | undefined;

  constructor(
    options: RecorderOptions,
    private readonly journal: FileStepJournal,
  ) {
    super(options);
    let failedAtExit = false;
    // beforeExit fires when the event loop is empty: write what is queued (which schedules more
    // work, after which it fires again with nothing left). process.exit() skips it: call close().
    this.exitHook = () => {
      if (this.pending === 0 || failedAtExit) return;
      this.flush().catch((error: Error) => {
        failedAtExit = true;
        process.stderr.write(`colophon: could not write ${this.pending} pipeline record(s) before exit: ${error.message}\n`);
      });
    };
    process.on('beforeExit', this.exitHook);
  }

  override async close(): Promise<void> {
    await super.close();
    if (this.exitHook) process.off('beforeExit', this.exitHook);
    this.exitHook = undefined;
    await this.journal.close();
  }
}

/** Opens a recorder for a project on disk, first reporting what crashed recorders lost. */
export async function openNodeRecorder(options: NodeRecorderOptions): Promise<OpenedRecorder> {
  const lost = await recoverJournals(options.dir);
  for (const report of lost) {
    if (options.onLost) options.onLost(report);
    else process.emitWarning(describeLost(report), { code: 'COLOPHON_LOST_RECORDS' });
  }
  const journal = await FileStepJournal.create(options.dir);
  const { dir: _dir, onLost: _onLost, ...rest } = options;
  const recorder = new NodePipelineRecorder(
    {
      ...rest,
      journal,
      now: () => performance.now(),
      schedule: (task, ms) => {
        const timer = setTimeout(task, ms);
        timer.unref();
        return () => clearTimeout(timer);
      },
    },
    journal,
  );
  return { recorder, lost };
}
