// A worker socket that asks to connect while the server stops: its token is still being checked when the stop
// tells the open sockets to go (1012). It must be refused (503), not upgraded: an upgraded socket holds the
// listener, and so the stop, open until its client hangs up, and a Worker SDK never does.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer } from '../support/server.ts';

it('an upgrade whose token check outlasts the start of the stop is refused with 503, and the stop completes', async () => {
  const s = await startServer();
  const ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'stopping', Template: 'FIFO' } })).body.sid;
  const worker = (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: 'late' } })).body.sid;
  const { token } = (await s.request('POST', '/switchboard/v1/Tokens', { form: { WorkspaceSid: ws, WorkerSid: worker } })).body;
  // Hold the token check (it runs through the store's read replay) until the stop has begun.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let checking!: () => void;
  const checkStarted = new Promise<void>((resolve) => (checking = resolve));
  const replaying = s.store.replaying.bind(s.store);
  s.store.replaying = (async (work: () => unknown, options?: { acrossAwaits?: boolean }) => {
    checking();
    await held;
    return replaying(work, options);
  }) as typeof s.store.replaying;
  const socket = new WebSocket(`${s.origin.replace('http', 'ws')}/v1/wschannels?token=${token}`);
  const outcome = new Promise<string>((resolve) => {
    socket.once('open', () => resolve('upgraded'));
    socket.once('unexpected-response', (_request, response) => resolve(`refused ${response.statusCode}`));
    socket.once('error', (err) => resolve(`error ${err.message}`));
  });
  await checkStarted;
  const stopped = s.app.close().then(() => 'stopped');
  await new Promise((r) => setTimeout(r, 50));
  release();
  assert.equal(await outcome, 'refused 503');
  const deadline = new Promise<string>((resolve) => setTimeout(() => resolve('still stopping after 5 s'), 5000).unref());
  assert.equal(await Promise.race([stopped, deadline]), 'stopped');
  socket.terminate();
  await s.close();
});
