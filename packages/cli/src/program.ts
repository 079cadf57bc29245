import { Command, CommanderError } from 'commander';
import { registerAgentTraceCommands } from './commands/agent-trace.js';
import { attribute } from './commands/attribute.js';
import { addExportC2paCommand, registerC2paCommands } from './commands/c2pa.js';
import { exportCar, importCar } from './commands/car.js';
import { importFigma } from './commands/figma.js';
import { demo } from './commands/demo.js';
import { registerGovernanceCommands } from './commands/governance.js';
import { registerLineageCommands, registerLineageExports } from './commands/lineage.js';
import { registerReportCommand } from './commands/report.js';
import { idList, idNew } from './commands/id.js';
import { init } from './commands/init.js';
import { member, memberList } from './commands/member.js';
import { repair } from './commands/repair.js';
import { record } from './commands/record.js';
import { log, show } from './commands/show.js';
import { registerTransparencyCommands } from './commands/transparency.js';
import { verify } from './commands/verify.js';
import { errorLines, exitCodeOf, EXIT_OK, EXIT_USAGE, isBrokenPipe } from './errors.js';
import { asOption, collect, forceOption, jsonOption } from './options.js';
import { watchUntilSignal } from './commands/watch.js';
import { agentHook } from './commands/agent-hook.js';
import type { Io } from './output.js';
import { cliVersion } from './version.js';


/** The kinds a person records with `colophon record`; the others have verbs of their own. */
const PERSON_KINDS_HELP = `
Kinds a person records:
  asset.create   made a new asset (--asset, --file; --model or --tool if one did it)
  asset.edit     changed an asset (--asset, --file; --model or --tool if one did it)
  ai.generate    an AI model produced content (--asset, --file, --model, --prompt or --prompt-private)
  intent         what you asked for: a brief or prompt (--prompt or --prompt-private)
  review         reviewed records (--link CID)
  approve        approved records (--link CID; needs the director role)
  reject         rejected records (--link CID; needs the director role)
Other kinds have verbs of their own: member (member add/remove), contract (contract add), check,
gate, settle (approve), checkpoint, ingest; project.genesis is written by init.`;

function build(cwd: string, io: Io): Command {
  const program = new Command('colophon')
    .description('Signed, verifiable records of who made what, for work people and AI models make together.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('demo')
    .description('play a small human + AI studio session in a temporary folder and explain it')
    .option('--dir <dir>', 'folder to play it in (default: a new temporary folder)')
    .action((o) => demo(o, io));
  program
    .command('init')
    .description('create a project in .colophon/ of the current folder')
    .option('--name <name>', 'project name (default: the folder name)')
    .addOption(asOption())
    .addOption(jsonOption())
    .action((o) => init(cwd, o, io));

  const id = program.command('id').description('manage identities (Ed25519 keys kept outside every project)');
  id.command('new <name>').description('create an identity').addOption(jsonOption()).action((name, o) => idNew(cwd, name, o, io));
  id.command('list').description('list identities on this machine').addOption(jsonOption()).action((o) => idList(cwd, o, io));

  program
    .command('record <kind>')
    .description('sign and append one contribution record; prints its CID')
    .option('--asset <asset>', 'the creative unit, e.g. file:chapters/03.md (default with --file: file:<its path in the project>)')
    .option('--file <file>', "the asset's content after this step: its content id is recorded and, for a text file, what changed since the last recorded version, per character")
    .option('--model <provider/name@version>', 'the AI model that acted')
    .option('--tool <name@version>', 'the tool that acted (formatter, script)')
    .option('--prompt <text>', 'the prompt, recorded in the clear')
    .option('--prompt-private <text>', 'the prompt, kept off the ledger (a salted commitment is recorded)')
    .option('--prompt-file <file>', 'the prompt, recorded in the clear, read from a file ("-": stdin)')
    .option('--prompt-private-file <file>', 'the prompt, kept off the ledger, read from a file ("-": stdin): never in shell history or the process list')
    .option('--pasted', 'the new text was pasted or imported from a source Colophon did not observe')
    .option('--link <cid>', 'a record this one depends on (repeatable)', collect)
    .option('--in <cid>', 'content consumed (repeatable)', collect)
    .option('--license <spdx>', 'license of the produced content')
    .addOption(asOption())
    .addOption(jsonOption())
    .addHelpText('after', PERSON_KINDS_HELP)
    .action((kind, o) => record(cwd, kind, { ...o, input: o.in }, io));
  program
    .command('watch [paths...]')
    .description("record each saved change of text files (default: the current folder) as the signer's, per character; on start, what changed unwatched as unknown; Ctrl-C stops")
    .addOption(asOption())
    .action((paths: string[], o) => watchUntilSignal(cwd, paths, o, io));
  program
    .command('agent-hook')
    .description('record the files an AI agent edited, from one hook event on stdin (Claude Code PostToolUse, VS Code agent hooks, Cursor afterFileEdit and afterTabFileEdit)')
    .option('--model <provider/name@version>', "the agent's model when the event does not name it (or $COLOPHON_AGENT_MODEL)")
    .addOption(asOption())
    .action((o) => agentHook(cwd, o, io));
  program
    .command('attribute')
    .description('who made an asset: shares per person, model and tool, and the honest IPTC digital source type')
    .requiredOption('--asset <asset>', 'the asset, e.g. file:chapters/03.md')
    .option('--file <file>', "the asset's current content: verify the authorship map against it")
    .addOption(jsonOption())
    .action((o) => attribute(cwd, o, io));
  program.command('show <cid>').description('show one record').addOption(jsonOption()).action((cid, o) => show(cwd, cid, o, io));
  program.command('log').description('list records, oldest first').option('--asset <asset>', 'only this asset').addOption(jsonOption()).action((o) => log(cwd, o, io));

  const roles = program.command('member').description('grant or revoke roles (signed by the project owner)');
  for (const [verb, op] of [['add', 'grant'], ['remove', 'revoke']] as const) {
    roles
      .command(`${verb} <identity>`)
      .description(`${op} a role (director, editor, contributor, reviewer, agent, or your own; the project has one owner, its creator)`)
      .requiredOption('--role <role>', 'the role')
      .addOption(asOption())
      .addOption(jsonOption())
      .action((who, o) => member(cwd, op, who, o, io));
  }
  roles.command('list').description('who holds which role now').addOption(jsonOption()).action((o) => memberList(cwd, o, io));
  const exportCommand = program.command('export').description('export the ledger or an asset\'s credentials');
  exportCommand
    .command('car')
    .description('one CAR file with every feed (roots = feed heads), importable by any IPFS node')
    .option('--out <file>', 'where to write (default: <project name>.car)')
    .addOption(forceOption())
    .addOption(jsonOption())
    .action((o) => exportCar(cwd, o, io));
  const importCommand = program.command('import').description('import records, or attribution other tools wrote');
  importCommand
    .command('car <file>')
    .description('verify a CAR (with the local ledger) and add its new records; idempotent')
    .addOption(jsonOption())
    .action((file, o) => importCar(cwd, file, o, io));
  importCommand
    .command('figma <file>')
    .description("verify and import the ledger a Figma file carries (its JSON from GET /v1/files/:key?plugin_data=shared)")
    .addOption(jsonOption())
    .action((file, o) => importFigma(cwd, file, o, io));
  program.command('verify').description('check every signature, chain, link and role in the ledger').addOption(jsonOption()).action((o) => verify(cwd, o, io));
  program
    .command('repair')
    .description('cut incomplete final blocks (a crash mid-append) off the feeds; reading verbs only report them')
    .addOption(jsonOption())
    .action((o) => repair(cwd, o, io));
  addExportC2paCommand(exportCommand, 'c2pa', cwd, io);
  registerLineageExports(exportCommand, cwd, io);
  registerAgentTraceCommands(exportCommand, importCommand, cwd, io);
  registerLineageCommands(program, cwd, io);
  registerReportCommand(program, cwd, io);
  registerC2paCommands(program, cwd, io, { topLevelExport: false });
  registerTransparencyCommands(program, cwd, io);
  registerGovernanceCommands(program, cwd, io);
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 a check failed, 2 usage, 3 environment, 70 internal). Never throws. */
export async function run(argv: string[], cwd: string, io: Io): Promise<number> {
  const program = build(cwd, io);
  if (argv.length === 0) {
    io.err(program.helpInformation().trimEnd());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (isBrokenPipe(error)) return EXIT_OK;
    const code = exitCodeOf(error);
    if (!(error instanceof CommanderError)) for (const line of errorLines(error, code)) io.err(line);
    return code;
  }
}
