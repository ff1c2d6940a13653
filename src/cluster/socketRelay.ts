// A worker's WebSocket that lands on a node that does not route its workspace is relayed, byte for byte, to the
// node that does, at the URL it publishes (cluster_nodes.address). Served where it landed, every event of the
// workspace would reach the socket through this node's copy of the shared log, which reads from the database
// the documents each push carries; relayed, the owner pushes from memory, as for a socket of its own, and this
// node only copies bytes. The owner records the worker's presence and handles its disconnect as for any socket.
//
// The upgrade is checked here first (token, channel, worker: the same checks the owner makes again), then sent
// on with `x-switchboard-forwarded-to: <owner's node id>`. The owner takes it only if it is that node and
// routes the workspace (421 otherwise). On a 101 the two connections are joined. The socket is served here
// instead when no URL is published, the owner cannot be reached or does not answer the upgrade within a
// second, or answers 421 or 5xx. Its other refusals (429: too many sockets for the worker there) go to the client.
// A relayed socket lives as long as both connections do: when the owner stops it sends 1012 through the relay
// (the SDKs reconnect, and land wherever the load balancer sends them); when this node stops it drops its relays,
// and the clients reconnect the same way. That is the price, and why it is off unless SWITCHBOARD_RELAY_SOCKETS
// is on: when the owner dies, every socket of its workspaces drops with it, where a socket served where it landed
// survives on its node (fed by the next owner through the shared log: test/cluster/deadNodeWorkers.test.ts), and
// the workers must reconnect before their disconnect applies.
import type { IncomingMessage } from 'node:http';
import { connect as connectTcp, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as connectTls } from 'node:tls';
import { FORWARDED_TO_HEADER, meantForHere } from './directForwarding.ts';
import type { LeaseKeeper } from './leaseKeeper.ts';
import type { OwnerDirectory, ReachableOwner } from './ownerDirectory.ts';

/** How long the owner may take to accept the connection and answer the upgrade. */
const HANDSHAKE_TIMEOUT_MS = 1000;
/** Upgrade answers longer than this are not an owner's. */
const MAX_ANSWER_HEAD = 16 * 1024;

export class SocketRelay {
  private readonly owners: OwnerDirectory;
  private readonly keeper: LeaseKeeper;
  /** Whether this node relays the sockets that land on it (it always checks those relayed to it). */
  private readonly enabled: boolean;
  /** Relayed sockets, both ends: dropped when this node stops. */
  private readonly relays = new Set<Duplex>();

  constructor(owners: OwnerDirectory, keeper: LeaseKeeper, options: { enabled: boolean }) {
    this.owners = owners;
    this.keeper = keeper;
    this.enabled = options.enabled;
  }

  /** For an upgrade another node relayed here: whether to serve it ('here') or refuse it (421); 'not relayed'
   *  for a client's own. */
  arrival(req: IncomingMessage, workspaceSid: string): 'not relayed' | 'here' | 'refuse' {
    const meantFor = req.headers[FORWARDED_TO_HEADER];
    if (meantFor === undefined) return 'not relayed';
    return meantForHere(meantFor, workspaceSid, this.keeper) ? 'here' : 'refuse';
  }

  /** Relays the socket to the node routing the workspace; false when it should be served here. */
  async relay(workspaceSid: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean> {
    if (!this.enabled || this.keeper.owns(workspaceSid)) return false;
    const owner = await this.owners.reachableOwner(workspaceSid);
    if (!owner) return false;
    const outcome = await this.handshake(owner, req, head);
    if (outcome.kind === 'failed') {
      this.owners.failed(workspaceSid, owner, 'sockets', `relaying sockets to ${owner.nodeId} at ${owner.address} failed (${outcome.error}); such sockets are served here`);
      return false;
    }
    this.owners.reached(owner, 'sockets');
    const { upstream, answer, status } = outcome;
    if (socket.destroyed) {
      upstream.destroy();
      return true;
    }
    socket.write(answer);
    if (status !== 101) {
      // The owner's refusal (a 4xx other than 421), for the client.
      upstream.destroy();
      socket.end();
      return true;
    }
    this.join(socket, upstream);
    return true;
  }

  /** Drops every relayed socket (this node is stopping; the clients reconnect). */
  closeAll(): void {
    for (const s of this.relays) s.destroy();
    this.relays.clear();
  }

  private join(client: Duplex, upstream: Socket): void {
    this.relays.add(client);
    this.relays.add(upstream);
    const end = () => {
      this.relays.delete(client);
      this.relays.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    upstream.setNoDelay(true);
    // As the WebSocket library does for a socket it serves: no idle timeout from the HTTP server (the owner's
    // heartbeats keep it alive), and frames leave as they are written.
    if (client instanceof Socket) client.setTimeout(0).setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Opens the connection to the owner and sends it the upgrade; its answer's head (and any bytes after it). */
  private handshake(owner: ReachableOwner, req: IncomingMessage, head: Buffer): Promise<{ kind: 'answered'; upstream: Socket; answer: Buffer; status: number } | { kind: 'failed'; error: string }> {
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(owner.address);
      } catch {
        return resolve({ kind: 'failed', error: 'not a URL' });
      }
      const tls = url.protocol === 'https:';
      const port = Number(url.port || (tls ? 443 : 80));
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const upstream = tls ? connectTls({ host, port, servername: host }) : connectTcp({ host, port });
      let received = Buffer.alloc(0);
      const fail = (error: string) => {
        clearTimeout(timer);
        upstream.destroy();
        resolve({ kind: 'failed', error });
      };
      const timer = setTimeout(() => fail(`no answer to the upgrade within ${HANDSHAKE_TIMEOUT_MS} ms`), HANDSHAKE_TIMEOUT_MS);
      upstream.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
      upstream.on('close', () => fail('closed before answering the upgrade'));
      const onData = (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) {
          if (received.length > MAX_ANSWER_HEAD) fail('an answer head too long');
          return;
        }
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(received.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        if (status === 0 || status === 421 || status >= 500) return fail(`answered ${status || 'something else'}`);
        clearTimeout(timer);
        upstream.off('data', onData);
        upstream.removeAllListeners('error');
        upstream.removeAllListeners('close');
        upstream.on('error', () => undefined); // until joined (an error with no listener would throw)
        upstream.pause();
        resolve({ kind: 'answered', upstream, answer: received, status });
      };
      upstream.on('data', onData);
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        if (req.rawHeaders[i]!.toLowerCase() !== FORWARDED_TO_HEADER) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      lines.push(`${FORWARDED_TO_HEADER}: ${owner.nodeId}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) upstream.write(head);
    });
  }
}
