// A commit group's statements as one implicit transaction: each statement's Bind and Execute, then ONE Sync.
//
// pg's own queries end each statement with a Sync, so a group of n statements cost n answer flushes
// (ReadyForQuery) from PostgreSQL, n packets for the node to read and n query objects, and needed BEGIN and
// COMMIT around them. The extended protocol runs every message between two Syncs in one implicit transaction,
// committed at the Sync and rolled back whole at the first error (PostgreSQL skips the rest until the Sync), so
// the group needs neither. Measured with a 5-statement group on 3 connections (three inserts, an update, a
// lease lock; this machine): node CPU 164-173 -> 96-97 µs and PostgreSQL's 300-308 -> 241-248 µs per group.
//
// Statements are prepared (Parse) in a batch of their own, before the first group that uses them: a Parse
// inside the group could be skipped by an earlier error in it, and the connection's record of what is prepared
// would then name a statement the server never made. pg keeps that record for a Parse of its own batch.
//
// This writes through pg's connection (its message writers and its record of prepared statements), which pg
// does not document: package.json pins pg's exact version, and test/store/oneSyncTransaction.test.ts checks
// the behaviour on a real server.
import pg from 'pg';

export interface OneSyncStatement {
  /** A prepared statement's name (parsed once per connection), or none for an unnamed one. */
  name?: string;
  text: string;
  values: readonly unknown[];
}

/** The parts of pg's connection (pg/lib/connection.js) the batches write with. */
interface Wire {
  parse(query: { text: string; name: string }): void;
  bind(config: { statement: string; values: readonly unknown[]; valueMapper: (value: unknown) => unknown }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(config: { portal: string }): void;
  sync(): void;
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
}

type Callback = (err: Error | undefined, result: unknown) => void;
const prepareValue = (pg as unknown as { utils: { prepareValue: (value: unknown) => unknown } }).utils.prepareValue;
// pg's pipelined client accepts only its own Query class (or a subclass): it knows how Query's answers end.
const QueryBase = pg.Query as unknown as new (config: { text: string; name?: string }, values: undefined, callback: Callback) => object;

/** Parse of one named statement and a Sync: pg records it as prepared when PostgreSQL answers ParseComplete,
 *  and forgets it if the Parse fails. */
class PrepareOnly extends QueryBase {
  private readonly statement: { name: string; text: string };

  constructor(statement: { name: string; text: string }, callback: Callback) {
    super(statement, undefined, callback);
    this.statement = statement;
  }

  submit(connection: Wire): null {
    connection.parse(this.statement);
    connection.submittedNamedStatements[this.statement.name] = this.statement.text;
    connection.sync();
    return null;
  }
}

/** Bind, Describe and Execute of every statement, then one Sync. Query's handlers collect one result per
 *  statement (as they do for a multi-statement simple query). */
class OneSync extends QueryBase {
  private readonly statements: readonly OneSyncStatement[];

  constructor(statements: readonly OneSyncStatement[], callback: Callback) {
    super({ text: 'one-sync transaction' }, undefined, callback);
    this.statements = statements;
  }

  submit(connection: Wire): null {
    for (const s of this.statements) {
      if (s.name === undefined) connection.parse({ text: s.text, name: '' });
      connection.bind({ statement: s.name ?? '', values: s.values, valueMapper: prepareValue });
      connection.describe({ type: 'P', name: '' });
      connection.execute({ portal: '' });
    }
    connection.sync();
    return null;
  }
}

/**
 * Queues `statements` on `client` (a pg client in pipeline mode) as one implicit transaction: its promise
 * resolves to one result per statement once PostgreSQL committed them all, or rejects with the first error
 * (nothing of the transaction is then committed). Statements not yet prepared on this connection are
 * prepared first, in a batch of their own.
 */
export function runInOneSync(client: pg.Client, statements: readonly OneSyncStatement[]): Promise<pg.QueryResult[]> {
  const connection = (client as unknown as { connection: Wire }).connection;
  const prepares: Promise<unknown>[] = [];
  const preparing = new Set<string>();
  for (const s of statements) {
    if (s.name === undefined || preparing.has(s.name)) continue;
    if (connection.parsedStatements[s.name] !== undefined || connection.submittedNamedStatements[s.name] !== undefined) continue;
    preparing.add(s.name);
    prepares.push(submit(client, (callback) => new PrepareOnly({ name: s.name!, text: s.text }, callback)));
  }
  const transaction = submit(client, (callback) => new OneSync(statements, callback)).then((r) => (Array.isArray(r) ? r : [r]) as pg.QueryResult[]);
  // A failed Parse is the cause of the transaction's failure ("prepared statement does not exist"): say it.
  return prepares.length === 0 ? transaction : Promise.all([...prepares, transaction]).then(() => transaction);
}

function submit(client: pg.Client, make: (callback: Callback) => object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    (client as unknown as { query(q: object): void }).query(make((err, result) => (err ? reject(err) : resolve(result))));
  });
}
