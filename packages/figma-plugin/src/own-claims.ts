// What the plugin itself has just written or claimed: a generation's layers (the plugin created
// them and set their properties) and layers marked as AI-generated. Figma reports the plugin's own
// writes as LOCAL changes, exactly like the user's: `origin` names no actor, a change carries no
// value, no time and no sequence number, and neither the order of the changes within a batch nor
// whether several changes to one node are merged into one entry is documented. What is documented:
// the callback is never called synchronously, and each batch holds the changes made since the last
// one was delivered. So the writes of a synchronous run of plugin code all arrive in the first
// batch after it, together with whatever the user did just before or after.
//
// The plugin therefore keeps, per claimed layer, the state hash of every tracked property (and
// its parent) taken synchronously at the moment of the claim. In that one batch, a reported
// property whose value still hashes the same is the claim's (the plugin's own write, or an edit
// made before the claim, which the claim covers); one whose value differs was changed after the
// claim by someone; one the snapshot does not cover cannot be told apart. A claimed layer's
// creation in that batch happened before the claim (the plugin's own, or a layer made just before
// it was marked); its properties are compared all the same, since Figma may fold later changes of
// a new layer into its creation. Later batches are judged as usual: they hold only later changes.
import { propertyHash, propertiesOf, stateOf } from './node-state.js';

/** How a reported property of a claimed layer relates to the claim. */
export type ClaimVerdict = 'claimed' | 'changed' | 'unknowable';

const PARENT = 'parent';

function snapshot(node: SceneNode, mixed: symbol | undefined): Record<string, string> {
  return { ...stateOf(node, mixed), [PARENT]: node.parent?.id ?? '' };
}

/** The claims one delivered batch is judged against. */
export class BatchClaims {
  static readonly none = new BatchClaims(new Map(), undefined);

  constructor(
    /** Per claimed layer: the hash of each tracked property, and the parent's id, at the moment of the claim. */
    private readonly claims: ReadonlyMap<string, Record<string, string>>,
    private readonly mixed: symbol | undefined,
  ) {}

  get size(): number {
    return this.claims.size;
  }

  has(id: string): boolean {
    return this.claims.has(id);
  }

  /** Compares a reported property of a claimed, still existing layer with its value at the claim. */
  verdict(node: SceneNode, property: string): ClaimVerdict {
    const before = this.claims.get(node.id)?.[property];
    if (before === undefined) return 'unknowable';
    const now = property === PARENT ? (node.parent?.id ?? '') : propertiesOf(node).includes(property) ? propertyHash(node, property, this.mixed) : undefined;
    if (now === undefined) return 'unknowable';
    return now === before ? 'claimed' : 'changed';
  }

  /** The tracked properties of a claimed layer whose value is no longer the claim's. */
  changedSince(node: SceneNode): string[] {
    return propertiesOf(node).filter((property) => this.verdict(node, property) === 'changed');
  }
}

export class OwnClaims {
  private next = new Map<string, Record<string, string>>();

  constructor(private readonly mixed: symbol | undefined) {}

  /**
   * Claims `nodes` as they are now. Call it synchronously after the plugin's last write to them,
   * with no `await` in between, so no edit of the user's can fall between the write and the snapshot.
   */
  claim(nodes: Iterable<SceneNode>): void {
    for (const node of nodes) this.next.set(node.id, snapshot(node, this.mixed));
  }

  /** Hands the claims made so far to the batch being delivered now: they apply to it alone. */
  forBatch(): BatchClaims {
    if (this.next.size === 0) return BatchClaims.none;
    const claims = this.next;
    this.next = new Map();
    return new BatchClaims(claims, this.mixed);
  }
}
