// One node of a Switchboard cluster on PostgreSQL: opens the store with the lease fence and the shared log,
// keeps leases, forwards requests for workspaces other nodes route, and executes those forwarded to it.
// main.ts uses it when SWITCHBOARD_DB is a postgres:// URL (a single node is a cluster of one).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Engine, EngineOptions } from '../engine/engine.ts';
import { ClusterCatalog } from '../store/postgres/clusterCatalog.ts';
import { PostgresStore } from '../store/postgres/postgresStore.ts';
import { BACKGROUND_LEASE, LeaseKeeper } from './leaseKeeper.ts';
import { RequestForwarding } from './requestForwarding.ts';
import { OwnerDirectory } from './ownerDirectory.ts';
import { SocketRelay } from './socketRelay.ts';
import { ClusterPresence } from './workerPresence.ts';
import { type LogInterestPart, mergeInterests } from '../core/logInterest.ts';
import { OFFLINE_GRACE_MS } from '../realtime/workerPresence.ts';
import { WorkerSocketCatalog } from '../store/postgres/workerSocketCatalog.ts';

/** How often a node looks for requested tasks it was not told about (see join). */
const REQUEST_POLL_MS = 2_000;

export interface ClusterNodeOptions {
  nodeId?: string;
  /** false: route no workspace here (see LeaseKeeperOptions). */
  routesWorkspaces?: boolean;
  /** Relay workers' sockets that land here to the node routing their workspace (socketRelay.ts; default off). */
  relaySockets?: boolean;
  leaseTtlMs?: number;
  renewMs?: number;
  log?: (message: string) => void;
}

export class ClusterNode {
  readonly store: PostgresStore;
  readonly nodeId: string;
  readonly keeper: LeaseKeeper;
  /** Which node holds which worker's sockets; give it to the socket gateway (ServerOptions.sockets.presence). */
  readonly presence: ClusterPresence;
  /** Relays worker sockets to the node routing their workspace; give it to the socket gateway too
   *  (ServerOptions.sockets.relay). */
  readonly relay: SocketRelay;
  private readonly owners: OwnerDirectory;
  private readonly catalog: ClusterCatalog;
  private readonly log: (message: string) => void;
  private forwarding: RequestForwarding | undefined;
  private requestTimer: NodeJS.Timeout | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;

  private constructor(store: PostgresStore, nodeId: string, options: ClusterNodeOptions) {
    this.store = store;
    this.nodeId = nodeId;
    this.catalog = new ClusterCatalog(store);
    this.log = options.log ?? (() => undefined);
    this.keeper = new LeaseKeeper(this.catalog, nodeId, { ttlMs: options.leaseTtlMs, renewMs: options.renewMs, routesWorkspaces: options.routesWorkspaces, log: this.log });
    // The workspaces this node routes are the ones it keeps resident in memory.
    store.setOwnership((ws) => this.keeper.owns(ws));
    this.owners = new OwnerDirectory(this.catalog, nodeId, this.log);
    this.relay = new SocketRelay(this.owners, this.keeper, { enabled: options.relaySockets ?? false });
    this.presence = new ClusterPresence(new WorkerSocketCatalog(store), nodeId, { graceMs: OFFLINE_GRACE_MS, ttlMs: this.keeper.ttlMs, log: this.log });
  }

  static async open(url: string, options: ClusterNodeOptions = {}): Promise<ClusterNode> {
    const nodeId = options.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const store = await PostgresStore.open(url, { nodeId, leaseTtlMs: options.leaseTtlMs });
    await store.followSharedLog();
    return new ClusterNode(store, nodeId, options);
  }

  /** What the engine and server need to know about ownership. */
  get engineOptions(): Pick<EngineOptions, 'owns'> {
    return { owns: (ws) => this.keeper.owns(ws) };
  }

  get runsBackground(): () => boolean {
    return () => this.keeper.runsBackground;
  }

  /** Call after buildServer() and before listen(): registers forwarding, then starts keeping leases. */
  async join(app: FastifyInstance, engine: Engine): Promise<void> {
    this.forwarding = new RequestForwarding(app, this.catalog, this.keeper, this.owners, { log: this.log, observe: (direction, via) => app.metrics.forwarded(direction, via) });
    app.metrics.observeLeases(() => this.keeper.ownedWorkspaces().length);
    app.addHook('onClose', async () => this.leave());
    // Other nodes' events this node's listeners need: every event of its workspaces (webhook wake-ups,
    // metrics) and of those its workers' sockets are in, and what the background loops follow while it runs them.
    this.store.limitSharedLog(() => {
      const own: LogInterestPart = { streams: new Set([...this.keeper.ownedWorkspaces(), ...app.socketWorkspaces()]) };
      return mergeInterests(this.keeper.runsBackground ? [own, app.backgroundLogInterest()] : [own]);
    });
    await this.forwarding.start();
    // TaskRouter tasks other faces asked for, on nodes that do not route their workspace (Engine.createTaskFor):
    // created when the asking node's commit announces them, when this node takes a workspace over, and every
    // REQUEST_POLL_MS in case an announcement was lost (the listening connection was replaced, or the asking
    // node died between its commit and its NOTIFY). One pass at a time; one asked for meanwhile runs after it.
    let creating = false;
    let again: { only: string | undefined } | undefined;
    const createRequested = (only?: string) => {
      if (creating) {
        again = again === undefined || again.only === only ? { only } : { only: undefined };
        return;
      }
      creating = true;
      void engine
        .createRequestedTasks(only)
        .then((dropped) => {
          for (const d of dropped) this.log(`task ${d.request.sid} asked for in ${d.request.workspaceSid} was not created: ${d.reason}`);
        })
        .catch((err: Error) => this.log(`creating requested tasks failed: ${err.message}`))
        .finally(() => {
          creating = false;
          const next = again;
          again = undefined;
          if (next) createRequested(next.only);
        });
    };
    await this.store.onTaskRouteRequested((ws) => {
      if (ws === undefined || this.keeper.owns(ws)) createRequested(ws);
    });
    this.requestTimer = setInterval(() => createRequested(), REQUEST_POLL_MS);
    this.requestTimer.unref();
    // Workers with no socket left on any node (closed for the grace period, or on a node that died).
    const sweep = () => void this.presence.sweep(engine, this.keeper.ownedWorkspaces());
    this.presenceTimer = setInterval(sweep, 250);
    this.presenceTimer.unref();
    await this.keeper.start({
      gained: (ws) => {
        if (ws === BACKGROUND_LEASE) {
          app.resumeBackground();
          return;
        }
        engine
          .adopt(ws)
          .then(() => {
            createRequested(ws);
            this.forwarding?.wake();
            sweep();
          })
          .catch((err: Error) => this.log(`taking over ${ws} failed: ${err.message}`));
      },
      lost: (ws) => {
        if (ws === BACKGROUND_LEASE) return;
        engine.forget(ws);
        this.store.unload(ws);
      },
    });
  }

  /** Publishes the URL other nodes send this node's workspaces' requests to (null: they go through the
   *  database); call once listening. */
  advertise(address: string | null): void {
    this.keeper.advertise(address);
  }

  /** A clean stop: stops executing forwarded requests and gives the leases up for the others to take. */
  async leave(): Promise<void> {
    if (this.requestTimer) clearInterval(this.requestTimer);
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    this.forwarding?.stop();
    try {
      await this.presence.leave();
    } catch (err) {
      this.log(`removing this node's sockets failed: ${(err as Error).message}`);
    }
    await this.keeper.stop();
  }
}
