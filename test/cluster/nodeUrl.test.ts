// The URL a node publishes for the others (SWITCHBOARD_NODE_URL, --node-url): parsed as documented, and by
// default its listening address when that names one interface.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, nodeUrlFor } from '../../src/config.ts';

it('a node publishes its listening address by default, the configured URL instead, or none with off', () => {
  const url = (env: Record<string, string>, argv: string[] = []) => nodeUrlFor(loadConfig(argv, env), 4010);
  assert.equal(url({}), 'http://127.0.0.1:4010');
  assert.equal(url({ HOST: '10.0.0.5' }), 'http://10.0.0.5:4010');
  assert.equal(url({ HOST: '::1' }), 'http://[::1]:4010');
  // Every interface: which of its addresses the others reach is not known.
  assert.equal(url({ HOST: '0.0.0.0' }), null);
  assert.equal(url({ HOST: '::' }), null);
  assert.equal(url({ HOST: '0.0.0.0', SWITCHBOARD_NODE_URL: 'http://node-2.internal:4010' }), 'http://node-2.internal:4010');
  assert.equal(url({ SWITCHBOARD_NODE_URL: 'http://a:1' }, ['--node-url', 'https://b:2']), 'https://b:2');
  assert.equal(url({ SWITCHBOARD_NODE_URL: 'off' }), null);
  assert.equal(url({ SWITCHBOARD_NODE_URL: 'OFF' }), null);
  assert.equal(url({ SWITCHBOARD_NODE_URL: '' }), 'http://127.0.0.1:4010', 'empty counts as unset');
  for (const bad of ['node-2:4010', 'ftp://node-2', 'http//x']) assert.throws(() => loadConfig([], { SWITCHBOARD_NODE_URL: bad }), /invalid node URL/);
});

it('worker sockets are relayed only when SWITCHBOARD_RELAY_SOCKETS is on', () => {
  assert.equal(loadConfig([], {}).relaySockets, false);
  assert.equal(loadConfig([], { SWITCHBOARD_RELAY_SOCKETS: 'on' }).relaySockets, true);
  assert.equal(loadConfig([], { SWITCHBOARD_RELAY_SOCKETS: 'OFF' }).relaySockets, false);
  assert.throws(() => loadConfig([], { SWITCHBOARD_RELAY_SOCKETS: 'yes' }), /invalid SWITCHBOARD_RELAY_SOCKETS/);
});
