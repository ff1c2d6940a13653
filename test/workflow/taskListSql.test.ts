// Task lists in SQL (store/workflowTaskQuery.ts) against the evaluator: thousands of random filters and sort
// keys over tasks whose values take every form the rules distinguish (numbers, numeric and ISO strings, plain
// strings, 'true'/'false' strings, booleans, missing values, lists), on SQLite and, when installed,
// PostgreSQL. The SQL answer (the page, or the candidates it narrowed when a path is not indexed) must be what
// evaluating the filter on every task and sorting in memory gives.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Store } from '../../src/core/repository.ts';
import type { VersionStamp, WfDefinitionVersion, WfTask } from '../../src/core/workflowEntities.ts';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { evaluateFilter } from '../../src/workflow/filter/filterEvaluate.ts';
import { parseFilter } from '../../src/workflow/filter/filterParser.ts';
import { compareListValues, representationResolver, sortKeys } from '../../src/workflow/taskList.ts';
import { representTask, taskPathResolver } from '../../src/workflow/taskRepresentation.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';

const ACCOUNT = 'AC' + 'a1'.repeat(16);

/** A small deterministic PRNG (mulberry32), so a failure names a seed that reproduces it. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick, int: (n: number) => Math.floor(next() * n) };
}

const VALUES: readonly (string | number | boolean)[] = [
  0, 1, 5, 5.5, -3, 100, 1e3, '5', '5.0', '05', '100', '1e3', ' 5', '+5', '0x10', '.5', '5.', 'abc', 'Abc', 'abd', 'ab', '', 'true', 'false', true, false,
  '2026-01-02', '2026-01-02T00:00:00Z', '2026-01-02T01:00+01:00', '2026-02-30', '2026-06-15T12:30:00.123456Z', '2025-12-31T23:59:59.999Z', 'é', 'z', '😀', '\uffff',
];
const LITERALS: readonly (string | number | boolean | null)[] = [...VALUES, null, 2, '2', '2026-01-01', '2026-01-02T00:00Z', 'a'];
const STATES = ['Open', 'Closed', '5', '2026-01-02', 'true', 'Ab'];
const PATHS = ["fields['a']", "fields['b']", 'state', 'correlationIds', 'stackingKey', 'id', 'taskDefinitionId.code', 'version.asAtCreated', 'version.asAtVersionNumber', 'UserCreated', 'CurrentUser', 'terminalState', 'completionStatus'];

function literalText(v: string | number | boolean | null): string {
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  return String(v);
}

function randomFilter(r: ReturnType<typeof random>, depth = 0): string {
  const roll = r.next();
  if (depth < 2 && roll < 0.25) return `(${randomFilter(r, depth + 1)}) ${r.pick(['and', 'or'])} (${randomFilter(r, depth + 1)})`;
  if (depth < 2 && roll < 0.32) return `not (${randomFilter(r, depth + 1)})`;
  const path = r.pick(PATHS);
  const kind = r.next();
  if (kind < 0.1) return `${path} ${r.pick(['exists', 'not exists'])}`;
  if (kind < 0.2) return `${path} ${r.pick(['in', 'not in'])} (${[r.pick(LITERALS), r.pick(LITERALS)].map(literalText).join(', ')})`;
  const op = r.pick(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'startswith']);
  const literal = literalText(r.pick(LITERALS));
  if (kind < 0.25) return `${literal} ${op} ${path}`; // literal on the left
  if (kind < 0.28) return `${path} ${op} CurrentUser`;
  return `${path} ${op} ${literal}`;
}

const stamp = (ms: number, user: string, n: number): VersionStamp => ({ asAtCreated: ms, userIdCreated: user, requestIdCreated: `r${n}`, asAtModified: ms + n, userIdModified: user, requestIdModified: `r${n}`, asAtVersionNumber: 1 + (n % 4) });

function seed(store: Store, r: ReturnType<typeof random>, count: number): { tasks: WfTask[]; versions: WfDefinitionVersion[] } {
  const versions: WfDefinitionVersion[] = ['one', 'two'].map((code) => ({
    sid: `def-${code}`,
    accountSid: ACCOUNT,
    definitionSid: `d-${code}`,
    scope: 'diff',
    code,
    version: stamp(Date.UTC(2026, 0, 1), 'admin', 0),
    document: {
      displayName: code,
      states: STATES.map((name) => ({ name })),
      fieldSchema: [],
      initialState: { name: 'Open', requiredFields: [] },
      triggers: [],
      transitions: [{ fromState: 'Open', toState: 'Closed', trigger: 'close' }],
      actions: [],
    },
  }));
  const tasks: WfTask[] = [];
  store.transaction((repo) => {
    for (const v of versions) repo.insert('wfDefinitionVersion', v);
    for (let i = 0; i < count; i++) {
      const fields: Record<string, string | number | boolean> = {};
      if (r.next() < 0.85) fields.a = r.pick(VALUES);
      if (r.next() < 0.5) fields.b = r.pick(VALUES);
      const def = r.pick(versions);
      const t: WfTask = {
        sid: `${String(i).padStart(4, '0')}-${r.pick(['x', 'y', '5', '2026-01-02'])}`,
        accountSid: ACCOUNT,
        scope: 'diff',
        code: def.code,
        definitionKey: `diff/${def.code}`,
        definitionVersionSid: def.sid,
        state: r.pick(STATES),
        fields,
        correlationIds: Array.from({ length: r.int(3) }, () => String(r.pick(VALUES))),
        stackingKey: r.next() < 0.5 ? null : String(r.pick(VALUES)),
        parentId: null,
        ultimateParentId: '',
        childIds: [],
        version: stamp(Date.UTC(2026, 0, 1 + r.int(3), r.int(24)), r.pick(['alice', 'bob', 'Bob']), i),
        asAtLastTransition: null,
        actionLogIdCreated: null,
        actionLogIdModified: null,
        actionLogIdSubmitted: null,
      };
      t.ultimateParentId = t.sid;
      repo.insert('wfTask', t);
      tasks.push(t);
    }
    // Updates and deletes keep the index equal to the documents.
    for (const t of tasks.slice(0, 20)) {
      t.fields = { ...t.fields, a: r.pick(VALUES) };
      t.correlationIds = [String(r.pick(VALUES))];
      repo.update('wfTask', t);
    }
    for (const t of tasks.splice(20, 5)) repo.delete('wfTask', t.sid);
  });
  return { tasks, versions };
}

async function differential(store: Store, seedValue: number, rounds: number) {
  const r = random(seedValue);
  const { tasks, versions } = seed(store, r, 300);
  await store.durable();
  const user = 'bob';
  // The independent evaluation reads definitions from the seed, not the store.
  const defs = (sid: string) => versions.find((v) => v.sid === sid)!;
  const ctx = { load: (id: string) => tasks.find((t) => t.sid === id), definition: defs, now: Date.UTC(2026, 5, 1), origin: '' };
  const resolverOf = (t: WfTask) => taskPathResolver(t, user, (s) => representationResolver(representTask(t, ctx) as never, user)(s));
  let complete = 0;
  for (let round = 0; round < rounds; round++) {
    const text = randomFilter(r);
    const node = parseFilter(text);
    const sortBy = r.next() < 0.6 ? [`${r.pick(PATHS.filter((p) => p !== 'CurrentUser'))} ${r.pick(['ASC', 'DESC'])}`, ...(r.next() < 0.3 ? [`${r.pick(["fields['b']", 'state', 'id'])} ASC`] : [])] : [];
    const sort = sortKeys(sortBy);
    const definition = r.next() < 0.2 ? { scope: 'diff', code: 'one' } : undefined;
    const offset = r.pick([0, 0, 3, 10]);
    const limit = r.pick([5, 10, 1000]);
    const label = `seed ${seedValue} round ${round}: ${text} sort ${JSON.stringify(sortBy)} ${definition ? 'definition one ' : ''}offset ${offset} limit ${limit}`;
    let expected = tasks.filter((t) => (!definition || t.code === definition.code) && evaluateFilter(node, resolverOf(t)));
    if (sort.length) {
      const keyed = expected.map((t) => ({ t, vals: sort.map((k) => resolverOf(t)(k.path)) }));
      keyed.sort((x, y) => {
        for (let i = 0; i < sort.length; i++) {
          const c = compareListValues(x.vals[i], y.vals[i]);
          if (c !== 0) return sort[i]!.desc ? -c : c;
        }
        return 0;
      });
      expected = keyed.map((k) => k.t);
    }
    const page = await store.replaying(() => store.read((repo) => repo.wfQueryTasks({ accountSid: ACCOUNT, ...(definition ? { definition } : {}), filter: node, sort, offset, limit, currentUser: user })));
    if (page.complete) {
      complete++;
      assert.deepEqual(page.tasks.map((t) => t.sid), expected.slice(offset, offset + limit).map((t) => t.sid), label);
      assert.equal(page.hasMore, expected.length > offset + limit, label);
    } else {
      // Candidates: every matching task is among them (the SQL part only narrows).
      const candidates = new Set(page.tasks.map((t) => t.sid));
      for (const t of expected) assert.ok(candidates.has(t.sid), `${label}: ${t.sid} missing from the candidates`);
    }
  }
  assert.ok(complete > rounds / 2, `most lists run entirely in SQL (${complete} of ${rounds})`);
}

describe('task lists in SQL agree with the evaluator', () => {
  test('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-wf-sql-'));
    try {
      for (const seedValue of [1, 3]) {
        const store = new SqliteStore(join(dir, `diff-${seedValue}.db`));
        try {
          await differential(store, seedValue, 1500);
        } finally {
          store.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('PostgreSQL', { skip: skipWithoutPostgres }, async () => {
    const store = await PostgresStore.open(await freshDatabase('wfsql'));
    try {
      await differential(store, 2, 800);
    } finally {
      store.close();
    }
  });
});
