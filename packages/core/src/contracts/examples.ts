import type { GateSpec } from './payload.js';

/**
 * The gates the issue asks for, ready to put in a contract. Each reads only the view (README.md).
 */
export const EXAMPLE_GATES: readonly GateSpec[] = [
  {
    name: 'directorApproved',
    description: 'a director approved the final version',
    expr: "approvals.exists(a, a.final && 'director' in a.roles)",
  },
  {
    name: 'commercialLicences',
    description: "every ingredient's licence allows commercial use",
    expr: 'ingredients.all(i, i.commercialUse)',
  },
  {
    name: 'validCredentials',
    description: 'no ingredient with invalid Content Credentials',
    expr: "ingredients.all(i, i.credentials != 'Invalid')",
  },
  {
    name: 'noPii',
    description: 'no check flagged personal data',
    expr: "!('pii' in flags)",
  },
  {
    name: 'brandScore',
    description: 'the latest brand check scored at least 0.8',
    expr: 'has(check.brand) && check.brand.score >= 0.8',
  },
  {
    name: 'humanShare',
    description: 'at least 30% human contribution (exact integer comparison of units)',
    expr: 'attribution.units.human * 10 >= attribution.total * 3',
  },
];
