// @colophon/core/report — the report on an asset version, platform-neutral (ES2020): gather the
// ledger's facts (collectReport), describe the lineage for Graphviz (lineageDot), and render the
// page or any of its sections to HTML. The CLI writes it as report.html; the VS Code history view
// and the Figma panel show the same sections.
export { shortCid, formatTime, who, formatAmount, percent, escapeHtml, counted } from './words.js';
export { nodeFacts, classWords, agentLabel, paramsLabel, formatMs, tokensLabel, checkLabel, oneLine, type NodeFacts } from './nodes.js';
export { NODE_STYLES, MAX_DRAWN, drawnPart, lineageDot, styleOf, type NodeStyle, type SideNodes } from './graph.js';
export {
  collectReport,
  sideBranch,
  type ReportData,
  type CollectOptions,
  type CountedContribution,
  type ContributionRole,
  type CredentialFact,
  type GateFact,
  type SettleFact,
  type SideBranch,
  type WorkContent,
} from './facts.js';
export { REPORT_CSS } from './style.js';
export {
  REPORT_CSP,
  MAX_SHOWN_TEXT,
  reportPage,
  reportBody,
  cardsHtml,
  workHtml,
  authoredTextHtml,
  sharesHtml,
  contributionsHtml,
  lineageHtml,
  checksHtml,
  governanceHtml,
  credentialsHtml,
  verificationHtml,
  timelineHtml,
  type PageOptions,
} from './html.js';
