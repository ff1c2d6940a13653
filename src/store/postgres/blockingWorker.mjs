// The worker thread behind BlockingPgClient: it owns the PostgreSQL connections (pg 8 is asynchronous) and
// answers each request on the shared port, then bumps the shared counter so a main thread blocked in
// Atomics.wait wakes up. Requests on one connection run in the order they were posted.
// Plain JavaScript: worker threads do not inherit the main thread's TypeScript loader on Node 20.
import { workerData } from 'node:worker_threads';
import pg from 'pg';

// A request: { id, conn: 'main' | 'aux', sql, params, check? } where check 'one' means exactly one row must
// change and 'present' / 'updated' mark conditional updates (see postgresStore.ts).

// `settings`: session parameters sent at connection start (sessionTimeouts.ts), on both connections.
const { port, signal, url, settings } = workerData;

// bigint counts and sequence positions fit in a double here; JSON documents stay text (parsed by the caller).
pg.types.setTypeParser(20, Number);
pg.types.setTypeParser(1700, Number);
pg.types.setTypeParser(114, (s) => s);

const clients = { main: new pg.Client({ connectionString: url, ...settings }), aux: new pg.Client({ connectionString: url, ...settings }) };
// Notifications (LISTEN on the aux connection) are passed on as { notification: { channel, payload } }.
clients.aux.on('notification', (n) => reply({ notification: { channel: n.channel, payload: n.payload ?? '' } }));
const names = new Map();
// Each connection runs one query at a time (pg 8 would queue them itself, with a deprecation warning).
const queues = { main: Promise.resolve(), aux: Promise.resolve() };
let failed;
const ready = Promise.all([clients.main.connect(), clients.aux.connect()]).catch((err) => {
  failed = err;
});
// A lost connection (database restarted or failed over, connection killed) is not repaired here: every
// later request fails at once and the owner is told ({ fatal }), so the process can restart cleanly.
for (const c of Object.values(clients)) {
  c.on('error', (err) => {
    if (!failed) reply({ fatal: err.message });
    failed = err;
  });
  c.on('end', () => {
    if (!failed && !closing) {
      failed = new Error('the database connection ended');
      reply({ fatal: failed.message });
    }
  });
}
let closing = false;

function reply(message) {
  port.postMessage(message);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

async function run(req) {
  await ready;
  if (failed) throw failed;
  // Statements are prepared once per connection (named by text); BEGIN/COMMIT and DDL run as simple queries.
  const prepared = req.params.length > 0 || /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)/i.test(req.sql);
  let name;
  if (prepared) {
    name = names.get(req.sql);
    if (!name) {
      name = `s${names.size + 1}`;
      names.set(req.sql, name);
    }
  }
  const result = await clients[req.conn].query(prepared ? { name, text: req.sql, values: req.params } : req.sql);
  if (req.check === 'one' && result.rowCount !== 1) throw new Error(`expected one row changed, ${result.rowCount} were`);
  // Conditional updates answer { updated, present }: a row that is there but was not updated changed since
  // this node read it (a lost update prevented); 'updated' also refuses a row that is gone.
  if (req.check === 'present' || req.check === 'updated') {
    const row = result.rows[0];
    if (row.updated === 0 && row.present) throw Object.assign(new Error('conditional write refused: the row changed since it was read'), { code: 'SB_CONFLICT' });
    if (row.updated === 0 && req.check === 'updated') throw new Error('update of a missing row');
  }
  reply({ id: req.id, rows: result.rows, rowCount: result.rowCount ?? 0, command: result.command });
}

port.on('message', (req) => {
  if (req.close) {
    closing = true;
    void Promise.allSettled([clients.main.end(), clients.aux.end()]).then(() => port.close());
    return;
  }
  queues[req.conn] = queues[req.conn].then(() => run(req).catch((err) => reply({ id: req.id, error: { message: err.message, code: err.code } })));
});
