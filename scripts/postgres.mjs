// Starts a throwaway PostgreSQL server from Debian's binaries for tests and benchmarks: a fresh cluster in a
// temporary directory, listening on a free loopback port only, trust authentication, fsync on (durability tests
// kill servers, not machines, but the commit path should be the real one). Run as root it runs as the postgres
// user (initdb refuses root). Returns the server's URL and a stop function.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The directory of Debian's PostgreSQL server binaries (newest version), or undefined when not installed. */
export function postgresBinDir() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
function asPostgres(bin, args, options = {}) {
  const root = process.getuid?.() === 0;
  return root ? ['runuser', ['-u', 'postgres', '--', bin, ...args], options] : [bin, args, options];
}

export async function startPostgres({ maxConnections = 200 } = {}) {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'sb-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const root = process.getuid?.() === 0;
  if (root) execFileSync('chown', ['postgres:postgres', dir]);
  execFileSync(...asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']), { stdio: 'ignore' });
  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', `max_connections=${maxConnections}`, '-c', 'shared_buffers=256MB'];
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child;
  /** Starts the postmaster on the data directory and waits until it accepts connections. */
  const launch = async () => {
    const [cmd, cmdArgs] = asPostgres(join(bin, 'postgres'), args);
    child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d) => {
      log = (log + d).slice(-4000);
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q']);
        break;
      } catch {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`PostgreSQL did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  /** Fast shutdown (SIGINT), signalled to the postmaster itself (runuser does not pass signals on): active
   *  transactions are rolled back and every session is ended. */
  const fastShutdown = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGINT');
    } catch {
      child.kill('SIGKILL');
    }
    await exited;
  };
  await launch();
  return {
    url,
    port,
    /** The postmaster's pid (its backends are its children): benchmarks measure the server's CPU by it. */
    pid: () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    /** A restart as an administrator's (`pg_ctl -m fast restart`): fast shutdown, then the same data directory
     *  and port again. Every client loses its connection. */
    async restart() {
      await fastShutdown();
      await launch();
    },
    async stop() {
      await fastShutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
