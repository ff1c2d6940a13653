// SQLite for tests: a connection of its own to a store's file, for a test that reads or rewrites rows beside the
// store (as a database written by an older version would hold them).
import Database from 'better-sqlite3';

/** Runs `work` on a connection of its own to the file at `path`, closed after it. */
export function withSqliteFile<T>(path: string, work: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return work(db);
  } finally {
    db.close();
  }
}
