// The SQL of worker presence across nodes (migration 0028): which node holds sockets of which worker, and which
// workers have none left anywhere (src/cluster/workerPresence.ts holds the logic). It runs on the store's second
// connection, outside the request path's transactions.
import type { PostgresStore } from './postgresStore.ts';

export interface PresenceRow {
  workerSid: string;
  workspaceSid: string;
  accountSid: string;
  /** 'default', an activity SID, or null (leave the worker as it is). */
  offlineActivity: string | null;
}

const interval = (ms: number) => `${Math.round(ms)} milliseconds`;

/** A row that no longer counts as a connection: closed longer than the grace period ago ($2), or held by a
 *  node whose heartbeat is older than the lease TTL ($3), or by a node no longer registered. */
const GONE = `((s.closed_at IS NOT NULL AND s.closed_at < now() - $2::interval)
  OR NOT EXISTS (SELECT 1 FROM cluster_nodes n WHERE n.node_id = s.node_id AND n.heartbeat_at >= now() - $3::interval))`;

export class WorkerSocketCatalog {
  private readonly store: PostgresStore;

  constructor(store: PostgresStore) {
    this.store = store;
  }

  /** A worker's socket opened on this node (again): its row is live, with the latest session's setting. */
  async opened(nodeId: string, row: PresenceRow): Promise<void> {
    await this.store.queryAside(
      `INSERT INTO worker_sockets (worker_sid, node_id, workspace_sid, account_sid, offline_activity) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (worker_sid, node_id) DO UPDATE SET offline_activity = excluded.offline_activity, opened_at = now(), closed_at = NULL`,
      [row.workerSid, nodeId, row.workspaceSid, row.accountSid, row.offlineActivity],
    );
  }

  /** The worker's last socket on this node closed. */
  async closed(nodeId: string, workerSid: string): Promise<void> {
    await this.store.queryAside(`UPDATE worker_sockets SET closed_at = now() WHERE worker_sid = $1 AND node_id = $2`, [workerSid, nodeId]);
  }

  /** A clean stop: the node's rows go (its workers reconnect to another node, as after a restart of one). */
  async left(nodeId: string): Promise<void> {
    await this.store.queryAside(`DELETE FROM worker_sockets WHERE node_id = $1`, [nodeId]);
  }

  /**
   * An owner's sweep of these workspaces, in one round trip: first removes the rows dead nodes hold for workers
   * that have a row on a live node too (they reconnected there: that row decides for them from now on), then
   * answers the workers with rows but no connection left on any node, each with the setting of its latest
   * session. The removal cannot change the answer (a worker with a live row is not in it), and the two were a
   * round trip each, four times a second on every node.
   */
  async sweep(workspaces: readonly string[], graceMs: number, ttlMs: number): Promise<PresenceRow[]> {
    if (workspaces.length === 0) return [];
    const [, gone] = await this.store.batchAside([
      {
        sql: `DELETE FROM worker_sockets s WHERE s.workspace_sid = ANY($1::text[])
                AND NOT EXISTS (SELECT 1 FROM cluster_nodes n WHERE n.node_id = s.node_id AND n.heartbeat_at >= now() - $2::interval)
                AND EXISTS (SELECT 1 FROM worker_sockets o JOIN cluster_nodes n ON n.node_id = o.node_id
                            WHERE o.worker_sid = s.worker_sid AND n.heartbeat_at >= now() - $2::interval)`,
        params: [[...workspaces], interval(ttlMs)],
      },
      {
        sql: `SELECT s.worker_sid, min(s.workspace_sid) AS workspace_sid, min(s.account_sid) AS account_sid,
                     (array_agg(s.offline_activity ORDER BY s.opened_at DESC))[1] AS offline_activity
              FROM worker_sockets s WHERE s.workspace_sid = ANY($1::text[])
              GROUP BY s.worker_sid HAVING bool_and(${GONE})`,
        params: [[...workspaces], interval(graceMs), interval(ttlMs)],
      },
    ]);
    return gone!.map((r) => ({ workerSid: r.worker_sid as string, workspaceSid: r.workspace_sid as string, accountSid: r.account_sid as string, offlineActivity: r.offline_activity as string | null }));
  }

  /** Removes a handled worker's rows that still count as gone (not one that reconnected meanwhile). */
  async forget(workerSid: string, graceMs: number, ttlMs: number): Promise<void> {
    await this.store.queryAside(`DELETE FROM worker_sockets s WHERE s.worker_sid = $1 AND ${GONE}`, [workerSid, interval(graceMs), interval(ttlMs)]);
  }
}
