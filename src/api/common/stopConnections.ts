// A graceful stop waits for the requests in flight, not for connections that carry none.
//
// Node's server.close() closes the keep-alive connections that sit between two requests, but not a connection
// that has not sent a whole request yet: a browser's preconnect, a load balancer's or a client pool's spare
// connection, a request whose headers are still arriving. Such a connection held the stop until its client hung
// up: a bare TCP connection held it for good, and a node of a chaos run once took 66 s to stop. So the server
// counts the requests each connection is serving and, once stopping, closes every connection serving none: at
// once, and each of the others as its last response goes out. A WebSocket's connection is not counted here:
// the socket's own stop closes it (1012, realtime/workerSockets.ts).
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Tracks the server's connections; call the result when the stop begins (before server.close()). */
export function closeConnectionsWithoutRequests(server: Server): () => void {
  /** Open connections, with the number of requests each is serving (pipelining may make it more than one). */
  const serving = new Map<Socket, number>();
  let stopping = false;

  server.on('connection', (socket: Socket) => {
    serving.set(socket, 0);
    socket.once('close', () => serving.delete(socket));
    // A connection opened as the stop began, before the listener closed, has nothing to wait for either.
    if (stopping) socket.destroy();
  });
  // An upgraded connection leaves the count for good (its socket's own stop closes it).
  server.on('upgrade', (_request, socket: Duplex) => serving.delete(socket as Socket));
  server.on('request', (request, response: ServerResponse) => {
    const socket = request.socket;
    serving.set(socket, (serving.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const requests = serving.get(socket);
      if (requests === undefined) return;
      const left = requests - 1;
      serving.set(socket, left);
      // The response is written out; ending (not destroying) the connection lets it reach the client.
      if (stopping && left === 0) socket.end();
    });
  });

  return () => {
    stopping = true;
    for (const [socket, requests] of serving) if (requests === 0) socket.destroy();
  };
}
