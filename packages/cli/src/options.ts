// Options several commands share, built in one place so their names and help never drift apart.
import { Option } from 'commander';

export const jsonOption = (): Option => new Option('--json', 'machine-readable output');

export const asOption = (): Option => new Option('--as <name>', "identity that signs (default: this machine's identity for the project)");

export const assetOption = (): Option => new Option('--asset <asset>', 'the asset, e.g. file:chapters/03.md').makeOptionMandatory();

export const forceOption = (): Option => new Option('--force', 'replace the --out file if it exists');

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
