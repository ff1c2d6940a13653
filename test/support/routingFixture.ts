// A workspace for routing tests, driven over HTTP against a server whose clock the test moves by hand.
import assert from 'node:assert/strict';
import { startServer, type TestServer } from './server.ts';

export class RoutingFixture {
  s!: TestServer;
  now = Date.UTC(2026, 0, 1, 9, 0, 0);
  ws!: string;
  activities: Record<string, string> = {};

  /** `cluster`: the server is a node of a 3-node cluster on PostgreSQL that routes the workspace
   *  (test/support/clusterServer.ts), whatever SWITCHBOARD_TEST_CLUSTER says. */
  static async create(workspaceForm: Record<string, string> = {}, options: { cluster?: boolean } = {}): Promise<RoutingFixture> {
    const f = new RoutingFixture();
    const serverOptions = { clock: () => f.now, manualTimers: true };
    f.s = options.cluster ? await (await import('./clusterServer.ts')).startClusterServer(serverOptions) : await startServer(serverOptions);
    f.ws = (await f.ok('POST', '/v1/Workspaces', { FriendlyName: 'Routing', ...workspaceForm })).sid;
    for (const a of (await f.ok('GET', `/v1/Workspaces/${f.ws}/Activities`)).activities) f.activities[a.friendly_name] = a.sid;
    return f;
  }

  async ok(method: string, path: string, form?: Record<string, any>, headers?: Record<string, string>): Promise<any> {
    const res = await this.s.request(method, path, { form, headers });
    assert.ok(res.status >= 200 && res.status < 300, `${method} ${path} ${JSON.stringify(form ?? {})} -> ${res.status} ${res.text}`);
    return res.body;
  }

  path(rest: string): string {
    return `/v1/Workspaces/${this.ws}${rest}`;
  }

  /** Moves the clock and fires whatever became due. */
  advance(seconds: number): void {
    this.now += seconds * 1000;
    this.s.engine.fireDue();
  }

  async queue(name: string, form: Record<string, any> = {}): Promise<string> {
    return (await this.ok('POST', this.path('/TaskQueues'), { FriendlyName: name, ...form })).sid;
  }

  async workflow(config: object, form: Record<string, any> = {}): Promise<string> {
    return (await this.ok('POST', this.path('/Workflows'), { FriendlyName: `wf-${Object.keys(form).length}-${Math.random()}`.slice(0, 30), Configuration: JSON.stringify(config), ...form })).sid;
  }

  async worker(name: string, attributes: object = {}, activity = 'Available'): Promise<string> {
    return (await this.ok('POST', this.path('/Workers'), { FriendlyName: name, Attributes: JSON.stringify(attributes), ActivitySid: this.activities[activity]! })).sid;
  }

  async task(attributes: object = {}, form: Record<string, any> = {}): Promise<any> {
    return this.ok('POST', this.path('/Tasks'), { Attributes: JSON.stringify(attributes), ...form });
  }

  async fetchTask(sid: string): Promise<any> {
    return this.ok('GET', this.path(`/Tasks/${sid}`));
  }

  async setActivity(worker: string, activity: string): Promise<any> {
    return this.ok('POST', this.path(`/Workers/${worker}`), { ActivitySid: this.activities[activity]! });
  }

  async reservations(worker: string, status?: string): Promise<any[]> {
    const q = status ? `?ReservationStatus=${status}` : '';
    return (await this.ok('GET', this.path(`/Workers/${worker}/Reservations${q}`))).reservations;
  }

  /** The task SIDs a worker currently has pending offers for. */
  async offers(worker: string): Promise<string[]> {
    return (await this.reservations(worker, 'pending')).map((r) => r.task_sid);
  }

  async respond(worker: string, reservation: string, form: Record<string, any>): Promise<any> {
    return this.ok('POST', this.path(`/Workers/${worker}/Reservations/${reservation}`), form);
  }

  async acceptAndComplete(worker: string, taskSid: string): Promise<void> {
    const r = (await this.reservations(worker, 'pending')).find((x) => x.task_sid === taskSid);
    assert.ok(r, `worker has no pending reservation for ${taskSid}`);
    await this.respond(worker, r.sid, { ReservationStatus: 'accepted' });
    await this.ok('POST', this.path(`/Tasks/${taskSid}`), { AssignmentStatus: 'completed', Reason: 'done' });
  }

  events(): string[] {
    return this.s.store.read((repo) => repo.eventsFor(this.ws)).map((e) => e.eventType);
  }

  close(): Promise<void> {
    return this.s.close();
  }
}
