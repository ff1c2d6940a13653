// Keep-alive frames (realtime/heartbeat.ts): every open socket gets one per period, and the frames of many
// sockets are spread over the period instead of leaving in one burst; a closed socket gets none.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import WebSocket from 'ws';
import { Heartbeat, HEARTBEAT_SLICES } from '../../src/realtime/heartbeat.ts';
import { startServer, type TestServer } from '../support/server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('heartbeat slices', () => {
  it('beats every member once per period, a slice per tick, and forgets a deleted member', async () => {
    const period = 320;
    const beats: { member: number; at: number }[] = [];
    const heartbeat = new Heartbeat<number>(period, (member) => beats.push({ member, at: performance.now() }));
    const members = Array.from({ length: 64 }, (_, i) => i);
    for (const m of members) heartbeat.add(m);
    heartbeat.delete(5);
    try {
      await sleep(period * 1.5);
    } finally {
      heartbeat.stop();
    }
    const counts = new Map<number, number>();
    for (const b of beats) counts.set(b.member, (counts.get(b.member) ?? 0) + 1);
    for (const m of members) {
      if (m === 5) assert.equal(counts.get(m), undefined, 'a deleted member is not beaten');
      else assert.ok((counts.get(m) ?? 0) >= 1 && (counts.get(m) ?? 0) <= 2, `member ${m} beaten once or twice in 1.5 periods, got ${counts.get(m)}`);
    }
    // Beats of one tick come out together: at most ceil(64 / SLICES) members per distinct instant.
    const perTick = new Map<number, number>();
    for (const b of beats) perTick.set(Math.round(b.at), (perTick.get(Math.round(b.at)) ?? 0) + 1);
    assert.ok(Math.max(...perTick.values()) <= Math.ceil(members.length / HEARTBEAT_SLICES), `at most ${Math.ceil(members.length / HEARTBEAT_SLICES)} per tick, got ${Math.max(...perTick.values())}`);
    assert.ok(perTick.size >= HEARTBEAT_SLICES / 2, `spread over at least ${HEARTBEAT_SLICES / 2} ticks, got ${perTick.size}`);
  });
});

describe('worker sockets get keep-alive frames', () => {
  let s: TestServer;
  let ws: string;
  let key: { sid: string; secret: string };
  const PERIOD = 320;
  before(async () => {
    s = await startServer({ sockets: { heartbeatMs: PERIOD } });
    ws = (await s.request('POST', '/v1/Workspaces', { form: { FriendlyName: 'beats', Template: 'FIFO' } })).body.sid;
    key = (await s.request('POST', `/2010-04-01/Accounts/${s.accountSid}/Keys.json`)).body;
  });
  after(async () => s.close());

  it('every connected worker receives one about every period', async () => {
    const workers = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await s.request('POST', `/v1/Workspaces/${ws}/Workers`, { form: { FriendlyName: `w${i}` } })).body.sid as string));
    const beats = new Map<string, number>();
    const sockets = await Promise.all(
      workers.map(async (workerSid) => {
        const token = new twilio.jwt.AccessToken(s.accountSid, key.sid, key.secret, { identity: workerSid, ttl: 600 });
        token.addGrant(new twilio.jwt.AccessToken.TaskRouterGrant({ workspaceSid: ws, workerSid, role: 'worker' }));
        const socket = new WebSocket(`${s.origin.replace('http', 'ws')}/v1/wschannels?token=${token.toJwt()}`);
        await new Promise((resolve, reject) => {
          socket.once('message', resolve);
          socket.once('error', reject);
        });
        socket.on('message', (data) => {
          if (data.toString() === ' ') beats.set(workerSid, (beats.get(workerSid) ?? 0) + 1);
        });
        return socket;
      }),
    );
    await sleep(PERIOD * 2.5);
    for (const socket of sockets) socket.terminate();
    for (const w of workers) assert.ok((beats.get(w) ?? 0) >= 2, `${w} got ${beats.get(w) ?? 0} keep-alive frames in 2.5 periods`);
  });
});
