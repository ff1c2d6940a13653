// The demo's contact centre, set up through the TaskRouter API: one workspace, queues by skill and language, a
// workflow that sends each contact to its skill's queue in its language and, after a minute, to anyone who
// speaks the language, a Break activity, and agents with skills and languages, each with a worker token (what
// an agent's desktop would hold).
import type { DemoClient } from './demoClient.ts';

export const SKILLS = ['billing', 'technical', 'sales'] as const;
export const LANGUAGES = [
  ['en', 'English'],
  ['es', 'Spanish'],
] as const;

const AGENT_NAMES = [
  'Alice', 'Bruno', 'Chen', 'Dalia', 'Emeka', 'Fatima', 'Gustavo', 'Hana', 'Ivan', 'Julia', 'Kofi', 'Lucía', 'Mateo', 'Nadia', 'Omar',
  'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Víctor', 'Wen', 'Ximena', 'Yusuf', 'Zoe',
];

export interface Agent {
  sid: string;
  name: string;
  token: string;
}

export interface ContactCentre {
  workspaceSid: string;
  workflowSid: string;
  available: string;
  breakActivity: string;
  agents: Agent[];
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The agents' skills and languages: one or two skills each, everyone speaks English, half Spanish too (so
 *  every skill has agents in both languages). */
export function agentProfile(i: number): { skills: string[]; languages: string[] } {
  const skills = [SKILLS[i % SKILLS.length]!, ...(i % 2 === 0 ? [SKILLS[(i + 1) % SKILLS.length]!] : [])];
  const languages = i % 4 < 2 ? ['en', 'es'] : ['en'];
  return { skills, languages };
}

export async function setUpContactCentre(api: DemoClient, agentCount: number): Promise<ContactCentre> {
  const ws = await api.form('POST', '/v1/Workspaces', { FriendlyName: 'Demo contact centre' });
  const base = `/v1/Workspaces/${ws.sid}`;
  const activities: any[] = (await api.form('GET', `${base}/Activities?PageSize=50`)).activities;
  const id = (name: string) => activities.find((a) => a.friendly_name === name)!.sid as string;
  const breakActivity = (await api.form('POST', `${base}/Activities`, { FriendlyName: 'Break', Available: false })).sid as string;

  // A queue per skill and language, and one per language for anyone who speaks it.
  const queues = new Map<string, string>();
  for (const [language, languageName] of LANGUAGES) {
    for (const skill of SKILLS) {
      const q = await api.form('POST', `${base}/TaskQueues`, { FriendlyName: `${capitalised(skill)} · ${languageName}`, TargetWorkers: `skills HAS "${skill}" AND languages HAS "${language}"` });
      queues.set(`${skill}/${language}`, q.sid);
    }
    const any = await api.form('POST', `${base}/TaskQueues`, { FriendlyName: `Anyone · ${languageName}`, TargetWorkers: `languages HAS "${language}"` });
    queues.set(`any/${language}`, any.sid);
  }
  const filters = LANGUAGES.flatMap(([language, languageName]) =>
    SKILLS.map((skill) => ({
      filter_friendly_name: `${capitalised(skill)} in ${languageName}`,
      expression: `skill == "${skill}" AND language == "${language}"`,
      targets: [
        { queue: queues.get(`${skill}/${language}`), timeout: 60 },
        { queue: queues.get(`any/${language}`), priority: 5 },
      ],
    })),
  );
  const workflow = await api.form('POST', `${base}/Workflows`, {
    FriendlyName: 'Contact routing',
    TaskReservationTimeout: 30,
    Configuration: JSON.stringify({ task_routing: { filters, default_filter: { queue: queues.get('any/en') } } }),
  });

  const agents: Agent[] = [];
  for (let i = 0; i < agentCount; i++) {
    const name = i < AGENT_NAMES.length ? AGENT_NAMES[i]! : `Agent ${i + 1}`;
    const profile = agentProfile(i);
    const w = await api.form('POST', `${base}/Workers`, { FriendlyName: name, Attributes: JSON.stringify({ ...profile, team: i % 2 ? 'Team North' : 'Team South', level: i % 5 === 0 ? 'senior' : 'agent' }) });
    const minted = await api.form('POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws.sid, WorkerSid: w.sid, Role: 'worker', Type: 'access', Identity: name, Ttl: 86400 });
    agents.push({ sid: w.sid, name, token: minted.token });
  }
  return { workspaceSid: ws.sid, workflowSid: workflow.sid, available: id('Available'), breakActivity, agents };
}
