// Payout adapter: a statement per settlement, as JSON and CSV files in a folder.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../fs-durable.js';
import type { AttemptOutcome, PayoutAdapter } from './adapter.js';
import type { SettlementDocument } from './document.js';

/**
 * A CSV field a spreadsheet will not run: text starting with =, +, -, @, tab or CR is a formula
 * to Excel, LibreOffice and Sheets, so it gets a leading apostrophe (OWASP's advice for CSV
 * injection); then the usual quoting.
 */
export function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per payee; amounts in integer minor units, as in the settle record; names where known. */
export function statementCsv(doc: SettlementDocument): string {
  const rows: (string | number)[][] = [['settlement', 'asset', 'currency', 'payee', 'payee_name', 'amount_minor', 'via']];
  for (const line of doc.lines) rows.push([doc.settlement, doc.asset, doc.currency, line.payee, line.name ?? '', line.amount, line.via.join(' ')]);
  return `${rows.map((row) => row.map(csvField).join(',')).join('\n')}\n`;
}

/**
 * Writes `settlement-<cid>.json` and `.csv` into `folder`, each atomically (temporary file, fsync,
 * rename). Writing the same settlement again finds identical files and succeeds: a statement is
 * idempotent by its name. Files that exist with other content are never overwritten.
 */
export function statementAdapter(folder: string): PayoutAdapter {
  const dir = resolve(folder);
  return {
    target: `statement:${dir}`,
    needsSigner: false,
    async attempt(doc): Promise<AttemptOutcome> {
      const files: [string, string][] = [
        [join(dir, `settlement-${doc.settlement}.json`), `${JSON.stringify(doc, null, 2)}\n`],
        [join(dir, `settlement-${doc.settlement}.csv`), statementCsv(doc)],
      ];
      try {
        for (const [path, content] of files) {
          const existing = await readFile(path, 'utf8').catch(() => undefined);
          if (existing === content) continue;
          if (existing !== undefined) return { ok: false, retry: false, error: `${path} exists with other content; not overwritten` };
          await writeFileAtomic(path, content);
        }
        return { ok: true, detail: files.map(([p]) => p).join(', ') };
      } catch (error) {
        return { ok: false, retry: true, error: `cannot write the statement in ${dir}: ${(error as Error).message}` };
      }
    },
  };
}
