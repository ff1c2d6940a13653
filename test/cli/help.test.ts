// The command line follows the usual conventions: --help, -h, `help COMMAND` and `COMMAND --help` print usage on
// stdout and exit 0; --version prints the package's version; an unknown command is a usage error (exit 2, on
// stderr); every command's help lists its flags and the environment it reads.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SERVE_OPTIONS } from '../../src/config.ts';
import { switchboardArgs } from '../support/childServer.ts';

const VERSION = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;

function run(...args: string[]) {
  const r = spawnSync(process.execPath, switchboardArgs(...args), { encoding: 'utf8', env: { ...process.env, SWITCHBOARD_DB: '/nonexistent/never-opened.db' }, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COMMANDS = ['serve', 'accounts', 'keys', 'token', 'backup'];

it('--help, -h and help print the command list on stdout and exit 0', () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    const r = run(...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Usage: switchboard \[COMMAND\] \[FLAGS\]$/m);
    for (const command of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${command}\\b`, 'm'), `${args.join(' ')} lists ${command}`);
    assert.match(r.stdout, new RegExp(`^switchboard ${VERSION.replace(/\./g, '\\.')}:`));
  }
});

it('--version prints the package version', () => {
  const r = run('--version');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `${VERSION}\n`);
});

it('help COMMAND and COMMAND --help print that command\'s usage, flags and environment without running it', () => {
  for (const command of COMMANDS) {
    const viaHelp = run('help', command);
    const viaFlag = run(command, '--help');
    // -h anywhere after the command, even after an action (`keys create -h`).
    const viaShort = command === 'keys' ? [run(command, 'create', '-h')] : [];
    for (const r of [viaHelp, viaFlag, ...viaShort]) {
      assert.equal(r.status, 0, `${command}: ${r.stderr}`);
      assert.equal(r.stdout, viaHelp.stdout, `${command}: every way prints the same help`);
    }
    const text = viaHelp.stdout;
    assert.match(text, new RegExp(`^  switchboard ${command}\\b`, 'm'), `${command}: synopsis`);
    // Every flag the synopsis shows is explained under Flags.
    const flagsSection = text.split('\nFlags:\n')[1] ?? '';
    for (const flag of new Set(text.split('\nFlags:\n')[0]!.match(/--[a-z-]+/g) ?? [])) {
      assert.match(flagsSection, new RegExp(`^  ${flag}\\b`, 'm'), `${command}: ${flag} is explained`);
    }
    assert.match(text, /\nEnvironment:\n/, `${command}: lists the environment it reads`);
  }
  // serve: every flag its parser accepts and every variable it reads.
  const serve = run('serve', '--help').stdout;
  for (const option of SERVE_OPTIONS) {
    if (option.flag) assert.match(serve, new RegExp(`^  --${option.flag} VALUE, ${option.env}\\b`, 'm'));
    else assert.match(serve, new RegExp(`^  ${option.env}\\b`, 'm'));
  }
});

it('an unknown command or help topic is a usage error on stderr (exit 2)', () => {
  for (const args of [['bogus'], ['help', 'bogus']]) {
    const r = run(...args);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^switchboard: unknown command: bogus\n/);
    assert.match(r.stderr, /Usage: switchboard/);
  }
});

it('an unknown flag of serve is refused before anything starts', () => {
  const r = run('serve', '--no-such-flag');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no-such-flag/);
});
