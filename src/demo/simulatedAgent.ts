// A simulated agent, as an agent's desktop works: its worker token, the EventBridge WebSocket for its offers,
// and the REST calls a worker may make. It becomes available, then for each offer thinks a moment and accepts
// (or, now and then, rejects), talks, wraps up and completes; with nothing in hand it sometimes takes a break.
// Each offer goes its own way (an agent may hold a call and a chat at once, one per channel). Times are divided
// by `speed` (a test runs seconds of traffic, a person watches minutes).
//
//   an offer's state   on                                   -> next
//   (none)             reservation.created                   -> thinking (2-6 s)
//   thinking           decided: reject (1 in 8)              -> done      (reservation rejected)
//   thinking           decided: accept                       -> talking   (reservation accepted, 15-45 s)
//   talking            done talking                          -> wrapping  (task wrapping, 4-12 s)
//   wrapping           done wrapping                         -> done      (task completed; nothing else in
//                                                                          hand: 1 in 12 takes a Break, 20-60 s)
//   any                reservation.{canceled,rescinded,timeout} -> done
import { WebSocket } from 'ws';
import { DemoClient } from './demoClient.ts';
import type { Agent } from './contactCentre.ts';

export interface AgentTiming {
  speed: number;
  random: () => number;
}

interface Offer {
  reservationSid: string;
  taskSid: string;
}

const GONE = new Set(['reservation.canceled', 'reservation.rescinded', 'reservation.timeout']);

export class SimulatedAgent {
  private socket: WebSocket | undefined;
  private readonly api: DemoClient;
  /** Offers in hand, by reservation SID. */
  private readonly inHand = new Map<string, Offer>();
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Contacts this agent completed (the demo's summary). */
  completed = 0;

  private readonly origin: string;
  private readonly workspaceSid: string;
  private readonly agent: Agent;
  private readonly activities: { available: string; breakActivity: string };
  private readonly timing: AgentTiming;
  private readonly log: (message: string) => void;

  constructor(origin: string, workspaceSid: string, agent: Agent, activities: { available: string; breakActivity: string }, timing: AgentTiming, log: (message: string) => void) {
    this.origin = origin;
    this.workspaceSid = workspaceSid;
    this.agent = agent;
    this.activities = activities;
    this.timing = timing;
    this.log = log;
    this.api = new DemoClient(origin, { token: agent.token });
  }

  /** Connects, waits for the socket's init, then becomes available. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(`${this.origin.replace(/^http/, 'ws')}/v1/wschannels?token=${encodeURIComponent(this.agent.token)}&closeExistingSessions=true`);
      this.socket = socket;
      socket.on('message', (data) => {
        const text = data.toString();
        if (!text.trim()) return; // heartbeat
        const message = JSON.parse(text) as { event_type: string; payload: any };
        if (message.event_type === 'init') return resolve();
        this.onEvent(message.event_type, message.payload);
      });
      socket.once('error', reject);
      socket.on('close', () => {
        if (!this.stopped) this.log(`${this.agent.name}: socket closed`);
      });
    });
    await this.setActivity(this.activities.available);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.socket?.terminate();
  }

  private onEvent(type: string, payload: any): void {
    if (type === 'reservation.created') {
      const offer = { reservationSid: payload.sid, taskSid: payload.task_sid ?? payload.task?.sid };
      this.inHand.set(offer.reservationSid, offer);
      this.after(offer, 2, 6, () => this.answer(offer));
    } else if (GONE.has(type)) {
      this.inHand.delete(payload?.sid);
    }
  }

  /** Seconds in [min, max) at the demo's speed, then `work` on the offer if it is still in hand; an error
   *  (the offer went meanwhile) drops the offer, and the agent carries on. */
  private after(offer: Offer | undefined, min: number, max: number, work: () => Promise<void>): void {
    if (this.stopped) return;
    const ms = ((min + this.timing.random() * (max - min)) * 1000) / this.timing.speed;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped || (offer && !this.inHand.has(offer.reservationSid))) return;
      work().catch((err: Error) => {
        if (!this.stopped) this.log(`${this.agent.name}: ${err.message}`);
        if (offer) this.inHand.delete(offer.reservationSid);
      });
    }, ms);
    this.timers.add(timer);
  }

  private async answer(offer: Offer): Promise<void> {
    const path = `/v1/Workspaces/${this.workspaceSid}/Workers/${this.agent.sid}/Reservations/${offer.reservationSid}`;
    if (this.timing.random() < 1 / 8) {
      this.inHand.delete(offer.reservationSid);
      await this.api.form('POST', path, { ReservationStatus: 'rejected' });
      return;
    }
    await this.api.form('POST', path, { ReservationStatus: 'accepted' });
    this.after(offer, 15, 45, () => this.wrapUp(offer));
  }

  private async wrapUp(offer: Offer): Promise<void> {
    await this.api.form('POST', `/v1/Workspaces/${this.workspaceSid}/Tasks/${offer.taskSid}`, { AssignmentStatus: 'wrapping' });
    this.after(offer, 4, 12, () => this.complete(offer));
  }

  private async complete(offer: Offer): Promise<void> {
    await this.api.form('POST', `/v1/Workspaces/${this.workspaceSid}/Tasks/${offer.taskSid}`, { AssignmentStatus: 'completed' });
    this.completed++;
    this.inHand.delete(offer.reservationSid);
    if (this.inHand.size === 0 && this.timing.random() < 1 / 12) {
      await this.setActivity(this.activities.breakActivity);
      this.after(undefined, 20, 60, () => this.setActivity(this.activities.available));
    }
  }

  private async setActivity(activitySid: string): Promise<void> {
    await this.api.form('POST', `/v1/Workspaces/${this.workspaceSid}/Workers/${this.agent.sid}`, { ActivitySid: activitySid });
  }
}
