// Contacts arriving at the demo's contact centre: tasks created through the workflow at `perMinute` on average
// (exponential gaps, so they bunch and thin out as real arrivals do), each with a skill, a language, a
// customer, a topic, a channel and, for a few, a higher priority.
import type { DemoClient } from './demoClient.ts';
import { SKILLS } from './contactCentre.ts';

const CUSTOMERS = ['ACME Corp', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Soylent', 'Stark Industries', 'Wayne Enterprises', 'Tyrell', 'Cyberdyne', 'Aperture', 'Wonka'];
const TOPICS: Record<(typeof SKILLS)[number], string[]> = {
  billing: ['Invoice question', 'Refund request', 'Card declined', 'Change of plan'],
  technical: ['Cannot log in', 'App crashes on start', 'Data export failing', 'Slow dashboard'],
  sales: ['Upgrade to Enterprise', 'Volume pricing', 'Trial extension', 'New team licences'],
};

export interface ArrivalOptions {
  perMinute: number;
  random: () => number;
}

export function contactAttributes(random: () => number): { attributes: Record<string, unknown>; channel: string; priority: number } {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const skill = pick(SKILLS);
  const vip = random() < 0.15;
  const channel = random() < 0.6 ? 'voice' : 'chat';
  return {
    attributes: { skill, language: random() < 0.7 ? 'en' : 'es', customer: pick(CUSTOMERS), topic: pick(TOPICS[skill]), channel, ...(vip ? { vip: true } : {}) },
    channel,
    priority: vip ? 10 : 0,
  };
}

export class TaskArrivals {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Tasks created so far (the demo's summary). */
  created = 0;

  private readonly api: DemoClient;
  private readonly workspaceSid: string;
  private readonly workflowSid: string;
  private readonly options: ArrivalOptions;
  private readonly log: (message: string) => void;

  constructor(api: DemoClient, workspaceSid: string, workflowSid: string, options: ArrivalOptions, log: (message: string) => void) {
    this.api = api;
    this.workspaceSid = workspaceSid;
    this.workflowSid = workflowSid;
    this.options = options;
    this.log = log;
  }

  /** Creates `initial` tasks at once (the dashboard has something to show straight away), then keeps arriving. */
  async start(initial: number): Promise<void> {
    for (let i = 0; i < initial; i++) await this.arrive();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped || this.options.perMinute <= 0) return;
    const meanMs = 60_000 / this.options.perMinute;
    const gap = -Math.log(1 - this.options.random()) * meanMs;
    this.timer = setTimeout(() => {
      this.arrive().catch((err: Error) => !this.stopped && this.log(`arrivals: ${err.message}`));
      this.schedule();
    }, gap);
  }

  private async arrive(): Promise<void> {
    const contact = contactAttributes(this.options.random);
    await this.api.form('POST', `/v1/Workspaces/${this.workspaceSid}/Tasks`, {
      WorkflowSid: this.workflowSid,
      Attributes: JSON.stringify(contact.attributes),
      TaskChannel: contact.channel,
      Priority: contact.priority,
    });
    this.created++;
  }
}
