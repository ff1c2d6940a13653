// Which node routes a workspace now, and the URL it publishes (cluster_nodes.address), remembered for a moment:
// requests and sockets for a workspace another node routes are sent straight there (directForwarding.ts,
// socketRelay.ts). A moment's staleness costs nothing but a detour: a node that is not the owner any more answers
// 421, and the sender forgets what it knew (`failed`) and takes the way that needs no URL.
import type { ClusterCatalog } from '../store/postgres/clusterCatalog.ts';

export interface Owner {
  nodeId: string;
  /** Its published URL; null when it publishes none (reach it through the database). */
  address: string | null;
}

/** An owner another node can send to. */
export type ReachableOwner = Owner & { address: string };

export class OwnerDirectory {
  private readonly catalog: ClusterCatalog;
  private readonly nodeId: string;
  private readonly log: (message: string) => void;
  private readonly rememberMs: number;
  private readonly known = new Map<string, Owner & { until: number }>();
  /** Uses (`use:address`) that failed, so that a dead or wrong address is logged once, not on every request. */
  private readonly reported = new Set<string>();

  constructor(catalog: ClusterCatalog, nodeId: string, log: (message: string) => void = () => undefined, rememberMs = 1000) {
    this.catalog = catalog;
    this.nodeId = nodeId;
    this.log = log;
    this.rememberMs = rememberMs;
  }

  /** The other node routing the workspace, if it publishes a URL (remembered up to `rememberMs`); undefined when
   *  this node holds the lease, nobody does, the owner publishes no URL, or the lookup failed (the ways that need
   *  no URL say what is wrong). */
  async reachableOwner(workspaceSid: string): Promise<ReachableOwner | undefined> {
    const now = Date.now();
    const known = this.known.get(workspaceSid);
    const owner = known && known.until > now ? known : await this.lookUp(workspaceSid, now).catch(() => undefined);
    return owner?.address && owner.nodeId !== this.nodeId ? (owner as ReachableOwner) : undefined;
  }

  /** The lease holder as the database says now. */
  async current(workspaceSid: string): Promise<Owner | undefined> {
    return this.lookUp(workspaceSid, Date.now());
  }

  /** `owner` served a `use` (requests, sockets) at its URL: a later failure there is logged again. */
  reached(owner: ReachableOwner, use: string): void {
    this.reported.delete(`${use}:${owner.address}`);
  }

  /** `owner` could not serve a `use` at its URL (unreachable, refused, not the owner): who routes the workspace
   *  is asked again next time, and `message` is logged once until that use works there again. */
  failed(workspaceSid: string, owner: ReachableOwner, use: string, message: string): void {
    this.known.delete(workspaceSid);
    const key = `${use}:${owner.address}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.log(message);
  }

  private async lookUp(workspaceSid: string, now: number): Promise<Owner | undefined> {
    const found = await this.catalog.ownerOf(workspaceSid);
    if (!found) {
      this.known.delete(workspaceSid);
      return undefined;
    }
    this.known.set(workspaceSid, { ...found, until: now + this.rememberMs });
    return found;
  }
}
