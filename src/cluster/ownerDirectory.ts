// Which node routes a workspace now, and the URL it publishes (cluster_nodes.address), remembered for a moment:
// requests and sockets for a workspace another node routes are sent straight there (directForwarding.ts,
// socketRelay.ts). A moment's staleness costs nothing but a detour: a node that is not the owner any more answers
// 421 and the sender forgets what it knew (`forget`).
import type { ClusterCatalog } from '../store/postgres/clusterCatalog.ts';

export interface Owner {
  nodeId: string;
  /** Its published URL; null when it publishes none (reach it through the database). */
  address: string | null;
}

export class OwnerDirectory {
  private readonly catalog: ClusterCatalog;
  private readonly rememberMs: number;
  private readonly known = new Map<string, Owner & { until: number }>();

  constructor(catalog: ClusterCatalog, rememberMs = 1000) {
    this.catalog = catalog;
    this.rememberMs = rememberMs;
  }

  /** The lease holder of the workspace (remembered up to `rememberMs`); undefined when nobody holds its lease. */
  async ownerOf(workspaceSid: string): Promise<Owner | undefined> {
    const now = Date.now();
    const known = this.known.get(workspaceSid);
    if (known && known.until > now) return known;
    return this.lookUp(workspaceSid, now);
  }

  /** The lease holder as the database says now. */
  async current(workspaceSid: string): Promise<Owner | undefined> {
    return this.lookUp(workspaceSid, Date.now());
  }

  forget(workspaceSid: string): void {
    this.known.delete(workspaceSid);
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
