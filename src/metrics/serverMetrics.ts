// Prometheus metrics of one server (GET /metrics, prom-client), named by Prometheus's conventions: the
// `switchboard_` prefix, `_total` for counters, `_seconds` and base units. Labels are bounded: workspace, queue,
// route template, method, status code, outcome; never a task, reservation or worker SID.
//
// Where each figure comes from:
//   HTTP requests            the server's onResponse hook (the route's template, not the path)
//   tasks by status          the engine's in-memory routers, read at scrape time (no database query)
//   reservations, tasks      the committed event log (store.onCommit), counted by the node that routes the
//                            workspace (on several nodes every node hears every event; only the owner counts)
//   commit groups            the store's group-commit observer (transactions per group, COMMIT duration)
//   WebSockets, webhooks     the gateway and the dispatcher
//   leases, forwarding       the cluster node (several nodes only)
//   process, event loop      prom-client's default metrics, once per process (process_*, nodejs_*; the
//                            event-loop lag is nodejs_eventloop_lag_seconds)
import { timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventRecord } from '../core/entities.ts';
import type { Store } from '../core/repository.ts';
import type { Engine } from '../engine/engine.ts';

const PREFIX = 'switchboard_';

/** Process-wide metrics (CPU, memory, handles, GC, event-loop lag) belong to the process, not to a server, so
 *  they are collected once however many servers a process builds (tests build many). */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Latency buckets (seconds) from a millisecond to a minute: offers and acceptance take seconds to minutes. */
const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export type WebhookKind = 'event' | 'assignment';

/** The outcome labels the per-workspace counters take (see countEvents), so a workspace's series can be named. */
const RESERVATION_OUTCOMES = ['accepted', 'rejected', 'timeout', 'canceled', 'rescinded'] as const;
const TASK_OUTCOMES = ['completed', 'canceled'] as const;

export class ServerMetrics {
  readonly registry = new Registry();
  /** Workspaces whose events this node counted. Their series are dropped at the first scrape after this node
   *  stops routing them (the workspace deleted, or its lease gone to another node: the router is dropped in
   *  both cases), so the label sets stay as many as the workspaces it routes, not all it ever routed. */
  private readonly countedWorkspaces = new Set<string>();
  private routedWorkspaces: (() => Set<string>) | undefined;
  private readonly http = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests by route template, method and status code: time from receipt to the response sent',
    labelNames: ['route', 'method', 'status_code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly reservations = new Counter({
    name: `${PREFIX}reservations_total`,
    help: 'Reservations that reached an outcome: accepted, rejected, timeout, canceled, rescinded',
    labelNames: ['workspace_sid', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly reservationsCreated = new Counter({
    name: `${PREFIX}reservations_created_total`,
    help: 'Reservations created (offers made to workers)',
    labelNames: ['workspace_sid'] as const,
    registers: [this.registry],
  });
  private readonly tasksCreated = new Counter({
    name: `${PREFIX}tasks_created_total`,
    help: 'TaskRouter tasks created',
    labelNames: ['workspace_sid'] as const,
    registers: [this.registry],
  });
  private readonly tasksEnded = new Counter({
    name: `${PREFIX}tasks_ended_total`,
    help: 'TaskRouter tasks that ended: completed or canceled',
    labelNames: ['workspace_sid', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly createToReservation = new Histogram({
    name: `${PREFIX}task_reservation_latency_seconds`,
    help: "Time from a task's creation to each reservation made for it",
    labelNames: ['workspace_sid'] as const,
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  private readonly waitUntilAccepted = new Histogram({
    name: `${PREFIX}task_wait_until_accepted_seconds`,
    help: "Time from a task's creation to the reservation a worker accepted",
    labelNames: ['workspace_sid'] as const,
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  private readonly groupSize = new Histogram({
    name: `${PREFIX}store_commit_group_transactions`,
    help: 'Transactions committed together in one group commit',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });
  private readonly commitLatency = new Histogram({
    name: `${PREFIX}store_commit_duration_seconds`,
    help: 'A commit group from its sending to the database until it is durable (SQLite: the writer thread\'s COMMIT and fsync, behind the groups sent before it; PostgreSQL: its round trip, fence and COMMIT). rate(..._sum) is the mean number in flight: near 1 on a PostgreSQL node, a request waits for the group before its own',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly webhookDeliveries = new Counter({
    name: `${PREFIX}webhook_deliveries_total`,
    help: 'Webhook requests by kind (event, assignment) and outcome (delivered: a 2xx answer; failed: an error, a timeout or another status)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly webhookLag = new Histogram({
    name: `${PREFIX}webhook_lag_seconds`,
    help: 'Time from the commit of an event to the delivery of its callback (retries included)',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  private readonly forwardedRequests = new Counter({
    name: `${PREFIX}forwarded_requests_total`,
    help: "Several nodes: requests for a workspace another node routes, by direction (sent: forwarded from here; executed: run here for another node) and way (direct: over HTTP to the node's advertised URL; database: through forwarded_requests)",
    labelNames: ['direction', 'via'] as const,
    registers: [this.registry],
  });

  /** The route's template (`/v1/Workspaces/:ws/Tasks`), so one label value serves every task SID. */
  httpRequest(route: string | undefined, method: string, statusCode: number, seconds: number): void {
    this.http.labels(route ?? 'unmatched', method, String(statusCode)).observe(seconds);
  }

  /** Counts what the committed events say, for the workspaces this node routes (`owns`). */
  observeStore(store: Store, owns: (workspaceSid: string) => boolean): () => void {
    const stopEvents = store.onCommit((events) => this.countEvents(events, owns));
    const stopGroups = store.onGroupCommit?.((transactions, seconds) => {
      this.groupSize.observe(transactions);
      this.commitLatency.observe(seconds);
    });
    return () => {
      stopEvents();
      stopGroups?.();
    };
  }

  private countEvents(events: EventRecord[], owns: (workspaceSid: string) => boolean): void {
    for (const e of events) {
      const dot = e.eventType.indexOf('.');
      const kind = e.eventType.slice(0, dot);
      if (kind !== 'reservation' && kind !== 'task') continue;
      if (!owns(e.workspaceSid)) continue;
      const action = e.eventType.slice(dot + 1);
      const ws = e.workspaceSid;
      this.countedWorkspaces.add(ws);
      if (kind === 'task') {
        if (action === 'created') this.tasksCreated.labels(ws).inc();
        else if (action === 'completed' || action === 'canceled') this.tasksEnded.labels(ws, action).inc();
        continue;
      }
      const created = typeof e.eventData.task_date_created === 'string' ? Date.parse(e.eventData.task_date_created) : NaN;
      const sinceCreated = (e.dateMs - created) / 1000;
      switch (action) {
        case 'created':
          this.reservationsCreated.labels(ws).inc();
          if (sinceCreated >= 0) this.createToReservation.labels(ws).observe(sinceCreated);
          break;
        case 'accepted':
          this.reservations.labels(ws, action).inc();
          if (sinceCreated >= 0) this.waitUntilAccepted.labels(ws).observe(sinceCreated);
          break;
        case 'rejected':
        case 'timeout':
        case 'canceled':
        case 'rescinded':
          this.reservations.labels(ws, action).inc();
          break;
      }
    }
  }

  /** Tasks by status per workspace and queue, read from the engine's routers at each scrape. */
  observeEngine(engine: Engine): void {
    this.routedWorkspaces = () => new Set(Array.from(engine.loadedRouters(), (r) => r.workspace.sid));
    new Gauge({
      name: `${PREFIX}tasks`,
      help: 'Live tasks (pending, reserved, assigned, wrapping) by workspace, task queue and status, from the routing engine',
      labelNames: ['workspace_sid', 'task_queue_sid', 'status'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const router of engine.loadedRouters()) {
          for (const t of router.liveTasks()) {
            const key = `${t.workspaceSid}\u0000${t.taskQueueSid ?? 'none'}\u0000${t.assignmentStatus}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
        }
        for (const [key, n] of counts) {
          const [ws, queue, status] = key.split('\u0000') as [string, string, string];
          this.labels(ws, queue, status).set(n);
        }
      },
    });
  }

  /** Open WebSockets (Worker SDK and taskrouter.js sessions), read at each scrape. */
  observeWebSockets(count: () => number): void {
    new Gauge({
      name: `${PREFIX}websocket_connections`,
      help: 'Open WebSocket connections (worker and workspace event channels)',
      registers: [this.registry],
      collect() {
        this.set(count());
      },
    });
  }

  webhook(kind: WebhookKind, delivered: boolean, lagSeconds?: number): void {
    this.webhookDeliveries.labels(kind, delivered ? 'delivered' : 'failed').inc();
    if (delivered && lagSeconds !== undefined && lagSeconds >= 0) this.webhookLag.labels(kind).observe(lagSeconds);
  }

  /** Several nodes: the workspaces this node routes now, read at each scrape. */
  observeLeases(held: () => number): void {
    new Gauge({
      name: `${PREFIX}leases_held`,
      help: 'Several nodes: workspaces this node routes now (leases it holds)',
      registers: [this.registry],
      collect() {
        this.set(held());
      },
    });
  }

  forwarded(direction: 'sent' | 'executed', via: 'direct' | 'database'): void {
    this.forwardedRequests.labels(direction, via).inc();
  }

  /** The exposition: this server's metrics, then the process's. */
  async render(): Promise<{ contentType: string; body: string }> {
    this.dropUnroutedWorkspaces();
    const body = `${await this.registry.metrics()}\n${await processMetrics().metrics()}`;
    return { contentType: this.registry.contentType, body };
  }

  /** See countedWorkspaces. */
  private dropUnroutedWorkspaces(): void {
    if (!this.routedWorkspaces || this.countedWorkspaces.size === 0) return;
    const routed = this.routedWorkspaces();
    for (const ws of this.countedWorkspaces) {
      if (routed.has(ws)) continue;
      this.countedWorkspaces.delete(ws);
      for (const metric of [this.reservationsCreated, this.tasksCreated, this.createToReservation, this.waitUntilAccepted]) metric.remove(ws);
      for (const outcome of RESERVATION_OUTCOMES) this.reservations.remove(ws, outcome);
      for (const outcome of TASK_OUTCOMES) this.tasksEnded.remove(ws, outcome);
    }
  }
}

/** Whether an Authorization header carries the bearer token (compared in constant time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
