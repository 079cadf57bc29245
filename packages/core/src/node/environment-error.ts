/**
 * The machine, not the data or the request, stopped the work: a lock another live process holds
 * too long, a key file with unsafe permissions or damaged, an outbox in use. Hosts report these
 * as environment problems (the CLI exits 3), distinct from a failed check or a bug.
 */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
