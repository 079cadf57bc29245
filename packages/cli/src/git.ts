// The git repository a project lives in, when it does: Agent Trace names files relative to the
// repository root and the revision its lines refer to.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GitRepository {
  /** The repository's top folder. */
  top: string;
  /** HEAD's commit, absent in a repository without commits. */
  revision?: string;
}

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', args, { cwd, timeout: 10_000, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
    return stdout.trim();
  } catch {
    return undefined; // not a repository, or git is not installed
  }
}

export async function gitRepository(cwd: string): Promise<GitRepository | undefined> {
  const top = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (!top) return undefined;
  const revision = await git(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  return revision && /^[0-9a-f]{40,64}$/.test(revision) ? { top, revision } : { top };
}
