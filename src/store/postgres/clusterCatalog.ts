// The SQL of running several nodes on one PostgreSQL database (src/cluster holds the logic): node heartbeats,
// workspace leases, and requests forwarded to the node that routes their workspace. All of it runs on the
// store's second connection, outside the request path's transactions.
import type { PostgresStore } from './postgresStore.ts';

export interface ForwardedRequest {
  id: number;
  workspaceSid: string;
  request: { method: string; url: string; headers: Record<string, string>; body: string };
}

export interface ForwardedResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const interval = (ms: number) => `${Math.round(ms)} milliseconds`;

/**
 * A forwarded request's own rows (the request, its claim, its answer, their removal) are committed without
 * waiting for PostgreSQL's WAL flush: this condition turns synchronous_commit off for the one transaction of the
 * statement that holds it (set_config(..., true) lasts to the transaction's end, and a commit reads the setting
 * when it commits). None of these rows is an acknowledgement. What the client is told rests on the owner's
 * execution of the request, an ordinary commit group, flushed before anyone is answered; PostgreSQL writes its
 * WAL in order, so that flush makes the request and its claim, written before it, durable too. A crash can lose
 * only rows written after the last flush: an answer (the receiving node then loses its connection, and the
 * client its request, as with any crash before a reply) or a removal (a leftover, pruned later). Each of these
 * statements waited for a flush of its own: four per forwarded request besides the execution's.
 */
const UNFLUSHED = `(SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL`;

/** Statements that lock several lease rows lock them in SID order, byte by byte (JavaScript's default sort of
 *  the ASCII SIDs gives the same order), as a commit group's fence does (PostgresStore, sb_hold_leases): two
 *  transactions taking the same rows in different orders can each hold one the other waits for, and
 *  PostgreSQL then fails one of them (a group's requests answered 409). This selects and locks a node's rows,
 *  or some of them, in that order. */
const lockOwnLeases = (only: string) =>
  `SELECT workspace_sid FROM workspace_leases WHERE node_id = $1${only} ORDER BY workspace_sid COLLATE "C" FOR UPDATE`;

const HEARTBEAT = `INSERT INTO cluster_nodes (node_id, routes_workspaces, address) VALUES ($1, $2, $3)
  ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now(), routes_workspaces = $2, address = $3`;
const RENEW_LEASES = `UPDATE workspace_leases SET expires_at = greatest(expires_at, now() + $2::interval)
  WHERE workspace_sid IN (${lockOwnLeases('')}) RETURNING workspace_sid`;
const CLAIM_LEASES = `WITH free AS (
    SELECT w.sid FROM workspaces w LEFT JOIN workspace_leases l ON l.workspace_sid = w.sid
    WHERE l.workspace_sid IS NULL OR l.expires_at < now() ORDER BY w.sid COLLATE "C" LIMIT $3)
  INSERT INTO workspace_leases (workspace_sid, node_id, expires_at) SELECT sid, $1, now() + $2::interval FROM free
  ON CONFLICT (workspace_sid) DO UPDATE SET node_id = excluded.node_id, epoch = workspace_leases.epoch + 1, expires_at = excluded.expires_at
    WHERE workspace_leases.expires_at < now()
  RETURNING workspace_sid`;
const CLAIM_BACKGROUND = `INSERT INTO workspace_leases (workspace_sid, node_id, expires_at) VALUES ('background', $1, now() + $2::interval)
  ON CONFLICT (workspace_sid) DO UPDATE SET node_id = excluded.node_id, epoch = workspace_leases.epoch + 1, expires_at = excluded.expires_at
    WHERE workspace_leases.expires_at < now()
  RETURNING workspace_sid`;
const NEXT_LAPSE = `SELECT (extract(epoch FROM min(expires_at) - now()) * 1000)::float8 AS ms FROM workspace_leases WHERE node_id <> $1 AND expires_at > now()`;

export class ClusterCatalog {
  private readonly store: PostgresStore;

  constructor(store: PostgresStore) {
    this.store = store;
  }

  /** The node holding the workspace's lease now, with the URL it advertises (null: none); undefined when no
   *  live lease (no such workspace, or its owner died and nobody took it yet). */
  async ownerOf(workspaceSid: string): Promise<{ nodeId: string; address: string | null } | undefined> {
    const rows = await this.store.queryAside<{ node_id: string; address: string | null }>(
      `SELECT l.node_id, n.address FROM workspace_leases l LEFT JOIN cluster_nodes n ON n.node_id = l.node_id
        WHERE l.workspace_sid = $1 AND l.expires_at > now()`,
      [workspaceSid],
    );
    return rows[0] ? { nodeId: rows[0].node_id, address: rows[0].address } : undefined;
  }

  /**
   * A lease keeper's renewal, in one round trip and one transaction: what its fair share is made of (the live
   * nodes that route workspaces, this one counted as live if it routes, and the workspaces), then the node's
   * heartbeat and the leases it holds extended. The lease rows are locked last, so a commit group's fence waits
   * for them no longer than it did for a renewal alone. A failure fails all of it, the heartbeat too: the
   * renewal fails only when a lock on the node's own lease rows is held past lock_timeout (sessionTimeouts.ts),
   * by a transaction of its own that is stuck, and such a node is about to lose its leases anyway.
   */
  async renewRound(nodeId: string, routesWorkspaces: boolean, address: string | null, ttlMs: number): Promise<{ kept: string[]; liveNodes: number; workspaces: number }> {
    const [live, count, , kept] = await this.store.batchAside([
      {
        sql: `SELECT (count(*) FILTER (WHERE node_id <> $2))::int + (CASE WHEN $3::boolean THEN 1 ELSE 0 END) AS n
              FROM cluster_nodes WHERE routes_workspaces AND heartbeat_at > now() - $1::interval`,
        params: [interval(ttlMs), nodeId, routesWorkspaces],
      },
      { sql: `SELECT count(*)::int AS n FROM workspaces`, params: [] },
      { sql: HEARTBEAT, params: [nodeId, routesWorkspaces, address] },
      { sql: RENEW_LEASES, params: [nodeId, interval(ttlMs)] },
    ]);
    return { kept: kept!.map((r) => r.workspace_sid as string), liveNodes: live![0]!.n as number, workspaces: count![0]!.n as number };
  }

  /**
   * A lease keeper's claims, in one round trip and one transaction: up to `max` workspaces that no live lease
   * covers (never held, or expired), oldest first (a SID begins with its creation time), locked in SID order;
   * the lease of the background loops if it is free; and, when `lapses`, in how many milliseconds the first
   * lease another node holds lapses (undefined: none does). A claim that gives up on a lock fails the round.
   */
  async claimRound(nodeId: string, ttlMs: number, max: number, lapses: boolean): Promise<{ taken: string[]; background: boolean; lapseMs: number | undefined }> {
    // The workspaces' rows first: 'background' sorts after every SID (lockOwnLeases), and a transaction that
    // locked it before them could deadlock with another node's renewal, which locks its rows in that order.
    const statements = [
      ...(max > 0 ? [{ sql: CLAIM_LEASES, params: [nodeId, interval(ttlMs), max] }] : []),
      { sql: CLAIM_BACKGROUND, params: [nodeId, interval(ttlMs)] },
      ...(lapses ? [{ sql: NEXT_LAPSE, params: [nodeId] }] : []),
    ];
    const results = await this.store.batchAside(statements);
    const taken = max > 0 ? results.shift()! : [];
    const [background, lapse] = results;
    return { taken: taken.map((r) => r.workspace_sid as string), background: background!.length === 1, lapseMs: (lapse?.[0]?.ms as number | null | undefined) ?? undefined };
  }

  /** Gives up some leases (shedding load): another node takes them at its next claim. */
  async releaseLeases(nodeId: string, workspaces: readonly string[]): Promise<void> {
    await this.store.queryAside(`DELETE FROM workspace_leases WHERE workspace_sid IN (${lockOwnLeases(' AND workspace_sid = ANY($2::text[])')})`, [nodeId, [...workspaces]]);
  }

  /** A clean stop: every lease goes at once, so the other nodes take over without waiting for expiry. */
  async leave(nodeId: string): Promise<void> {
    await this.store.queryAside(`DELETE FROM workspace_leases WHERE workspace_sid IN (${lockOwnLeases('')})`, [nodeId]);
    await this.store.queryAside(`DELETE FROM cluster_nodes WHERE node_id = $1`, [nodeId]);
  }

  /** Commits a request for the owner of its workspace and wakes the nodes (one statement: the notification goes
   *  out when the row is committed, which does not wait for a flush: UNFLUSHED). Undefined, and nothing
   *  written, when no such workspace exists (only live ones have an owner to ask). */
  async forward(workspaceSid: string, request: ForwardedRequest['request']): Promise<number | undefined> {
    const rows = await this.store.queryAside<{ id: number }>(
      `WITH r AS (INSERT INTO forwarded_requests (workspace_sid, request) SELECT $1::text, $2::json
                  WHERE EXISTS (SELECT 1 FROM workspaces WHERE sid = $1::text) AND ${UNFLUSHED} RETURNING id)
       SELECT id, pg_notify('sb_forward', $1::text) FROM r`,
      [workspaceSid, JSON.stringify(request)],
    );
    return rows[0]?.id;
  }

  /** Claims the pending requests of the given workspaces for this node (each is executed once, here): only
   *  those younger than `pickupMs`, whose receiving node still waits. An older one was answered 503 already,
   *  or its receiver is gone: a database restored from a backup holds the requests in flight when it was
   *  taken, and none of them may run now. */
  async claimForwarded(nodeId: string, workspaces: readonly string[], limit: number, pickupMs: number): Promise<ForwardedRequest[]> {
    if (workspaces.length === 0) return [];
    const rows = await this.store.queryAside<{ id: number; workspace_sid: string; request: string }>(
      `UPDATE forwarded_requests SET executed_by = $1
       WHERE ${UNFLUSHED} AND id IN (SELECT id FROM forwarded_requests WHERE workspace_sid = ANY($2::text[]) AND executed_by IS NULL AND response IS NULL
                      AND created_at > now() - $4::interval ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING id, workspace_sid, request`,
      [nodeId, [...workspaces], limit, interval(pickupMs)],
    );
    return rows.sort((a, b) => a.id - b.id).map((r) => ({ id: r.id, workspaceSid: r.workspace_sid, request: JSON.parse(r.request) }));
  }

  /** Gives back a request this node claimed and did not start (it is stopping), for the workspace's next owner
   *  to take; the NOTIFY wakes whichever node routes it. */
  async releaseForwarded(id: number, nodeId: string): Promise<void> {
    await this.store.queryAside(
      `WITH r AS (UPDATE forwarded_requests SET executed_by = NULL WHERE id = $1 AND executed_by = $2 AND response IS NULL AND ${UNFLUSHED} RETURNING workspace_sid)
       SELECT pg_notify('sb_forward', workspace_sid) FROM r`,
      [id, nodeId],
    );
  }

  /** Writes the owner's answer and wakes the receiving node (one statement, UNFLUSHED). */
  async answerForwarded(id: number, response: ForwardedResponse): Promise<void> {
    await this.store.queryAside(
      `WITH a AS (UPDATE forwarded_requests SET response = $2::json WHERE id = $1 AND ${UNFLUSHED} RETURNING id)
       SELECT pg_notify('sb_forward_done', id::text) FROM a`,
      [id, JSON.stringify(response)],
    );
  }

  /** The response to a forwarded request, once the owner has written it (the row is then removed). */
  async takeResponse(id: number): Promise<ForwardedResponse | undefined> {
    const rows = await this.store.queryAside<{ response: string | null }>(`DELETE FROM forwarded_requests WHERE id = $1 AND response IS NOT NULL AND ${UNFLUSHED} RETURNING response`, [id]);
    return rows[0]?.response ? JSON.parse(rows[0].response) : undefined;
  }

  /** Drops a request nobody executed in time (the caller answered 503); false if an owner took it meanwhile. */
  async abandonForwarded(id: number): Promise<boolean> {
    const rows = await this.store.queryAside(`DELETE FROM forwarded_requests WHERE id = $1 AND executed_by IS NULL RETURNING id`, [id]);
    return rows.length === 1;
  }

  /** Whether the node that took a request no longer routes its workspace (it died or lost the lease before
   *  answering): its answer will never come. */
  async takerGone(id: number): Promise<boolean> {
    const rows = await this.store.queryAside(
      `SELECT 1 FROM forwarded_requests f WHERE f.id = $1 AND f.response IS NULL AND f.executed_by IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM workspace_leases l WHERE l.workspace_sid = f.workspace_sid AND l.node_id = f.executed_by AND l.expires_at > now())`,
      [id],
    );
    return rows.length === 1;
  }

  /**
   * Removes what requests and dead nodes leave behind, `limit` rows per statement: forwarded requests older
   * than `graceMs` in any state (answered ones whose receiver died before taking the answer, ones taken by a
   * node that died before answering, ones nobody took and nobody withdrew), which no receiver waits for any
   * more (it gives up after the pickup and answer timeouts, less than the grace); and the registrations of
   * nodes whose heartbeat is older than `nodeGraceMs` and that hold no lease (a node killed with kill -9 never
   * deletes its own; a node not registered counts as gone everywhere, as one with an old heartbeat does).
   * Idempotent: any node may run it. Returns the rows deleted.
   */
  async pruneLeftovers(graceMs: number, nodeGraceMs: number, limit = 1000): Promise<number> {
    let deleted = 0;
    for (;;) {
      // Ids grow with time, so the oldest rows are found first on the primary key.
      const rows = await this.store.queryAside<{ id: number }>(
        `DELETE FROM forwarded_requests WHERE id IN (SELECT id FROM forwarded_requests WHERE created_at < now() - $1::interval ORDER BY id LIMIT $2) RETURNING id`,
        [interval(graceMs), limit],
      );
      deleted += rows.length;
      if (rows.length < limit) break;
    }
    const nodes = await this.store.queryAside(
      `DELETE FROM cluster_nodes n WHERE n.heartbeat_at < now() - $1::interval
         AND NOT EXISTS (SELECT 1 FROM workspace_leases l WHERE l.node_id = n.node_id AND l.expires_at > now()) RETURNING node_id`,
      [interval(nodeGraceMs)],
    );
    return deleted + nodes.length;
  }

  listen(channel: 'sb_forward' | 'sb_forward_done' | 'sb_events', listener: (payload: string) => void): Promise<() => void> {
    return this.store.listen(channel, listener);
  }
}
