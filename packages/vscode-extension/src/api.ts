// The API other extensions get from `vscode.extensions.getExtension('colophon.colophon-vscode')
// .activate()`: they report text their AI wrote, and Colophon records it as ai with evidence
// `reported` (the reporting extension vouches for it).
import * as vscode from 'vscode';
import type { CaptureController } from './capture/capture-controller.js';
import { modelAgent, type ModelInfo } from './ai/model-ref.js';
import { queueIntent } from './ledger/intent.js';

export type { ModelInfo };

export interface GenerationReport {
  uri: vscode.Uri;
  /** Where the text is: already inserted there, or (an empty range) where it is about to be. */
  range: vscode.Range;
  text: string;
  /** The model, as {provider, name, version} or "provider/name@version". */
  model: ModelInfo | string;
  prompt?: string;
  /** Keep the prompt off the ledger (a commitment only). Default: the colophon.prompts.private setting. */
  private?: boolean;
}

export interface ReportResult {
  /** "recorded": the text in range is now attributed to the model; "expected": it will be when it lands. */
  status: 'recorded' | 'expected';
  /** UTF-16 code units attributed (0 when expected). */
  units: number;
}

export interface ColophonApi {
  readonly version: 1;
  reportGeneration(report: GenerationReport): Promise<ReportResult>;
}

export function createApi(capture: CaptureController): ColophonApi {
  return {
    version: 1,
    async reportGeneration(report: GenerationReport): Promise<ReportResult> {
      if (!report || !(report.uri instanceof vscode.Uri) || !(report.range instanceof vscode.Range) || typeof report.text !== 'string') {
        throw new TypeError('reportGeneration needs {uri: Uri, range: Range, text: string, model}');
      }
      const agent = modelAgent(report.model);
      const document = await vscode.workspace.openTextDocument(report.uri);
      const doc = await capture.ready(document);
      if (!doc) throw new Error(`${report.uri.fsPath} is not recorded by Colophon (no project, or excluded by colophon.files settings)`);
      const isPrivate = report.private ?? vscode.workspace.getConfiguration('colophon.prompts').get<boolean>('private', true);
      const links = report.prompt ? [queueIntent(doc.ledger, doc.asset, report.prompt, isPrivate)] : [];
      const source = { class: 'ai' as const, evidence: 'reported' as const, agent, links };
      if (!report.range.isEmpty && document.getText(report.range) === report.text) {
        return { status: 'recorded', units: capture.claim(doc, report.range, source) };
      }
      if (report.range.isEmpty) {
        doc.expectations.expect(report.text, source, Date.now());
        return { status: 'expected', units: 0 };
      }
      throw new Error(`the text at ${report.uri.fsPath} ${report.range.start.line + 1}:${report.range.start.character + 1} is not the reported text`);
    },
  };
}
