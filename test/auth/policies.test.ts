// Capability-token policy evaluation as TaskRouter documents it: exact URLs, `/*` children, `/**` descendants,
// the most specific rule wins, query and post filters.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { type Policy, isAllowed } from '../../src/auth/policies.ts';

const WS = 'https://taskrouter.twilio.com/v1/Workspaces/WS1';
const req = (method: string, path: string, body: Record<string, string> = {}, query: Record<string, string> = {}) => ({ method, path, body, query });

it('matches exact, child and descendant URLs by path', () => {
  const p: Policy[] = [
    { url: `${WS}/Workers/WK1`, method: 'GET', allow: true },
    { url: `${WS}/Activities/*`, method: 'GET', allow: true },
    { url: `${WS}/Tasks/**`, method: 'GET', allow: true },
  ];
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Workers/WK1')), true);
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Workers/WK2')), false);
  assert.equal(isAllowed(p, req('POST', '/v1/Workspaces/WS1/Workers/WK1')), false, 'method must match');
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Activities/WA1')), true);
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Activities/WA1/x')), false, '/* is one level');
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Activities')), false, '/* is not the path itself');
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Tasks/WT1/Reservations/WR1')), true);
  // taskrouter.js lists Workers/WK/Reservations holding only the default policy Workers/WK/Reservations/**.
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Tasks')), true, '/** covers the collection itself');
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/TasksX')), false, 'but not a sibling sharing the prefix');
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/TasksX/WT1')), false);
});

it('the most specific rule wins; allow defaults to false', () => {
  const p: Policy[] = [
    { url: `${WS}/**`, method: 'GET', allow: true },
    { url: `${WS}/Workers/WK9`, method: 'GET', allow: false },
    { url: `${WS}/Workers/WK8`, method: 'GET' },
  ];
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Workers/WK1')), true);
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Workers/WK9')), false);
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Workers/WK8')), false);
});

it('post and query filters: literal values (and nothing else), required, required with a value', () => {
  const p: Policy[] = [
    { url: `${WS}/Workers/WK1`, method: 'POST', post_filter: { ActivitySid: { required: true } }, allow: true },
    { url: `${WS}/Workers/WK2`, method: 'POST', post_filter: { ActivitySid: 'WA1' }, allow: true },
    { url: `${WS}/Tasks`, method: 'GET', query_filter: { AssignmentStatus: { required: false, value: 'pending' } }, allow: true },
  ];
  assert.equal(isAllowed(p, req('POST', '/v1/Workspaces/WS1/Workers/WK1', { ActivitySid: 'WA3', Attributes: '{}' })), true);
  assert.equal(isAllowed(p, req('POST', '/v1/Workspaces/WS1/Workers/WK1', { Attributes: '{}' })), false);
  assert.equal(isAllowed(p, req('POST', '/v1/Workspaces/WS1/Workers/WK2', { ActivitySid: 'WA1' })), true);
  assert.equal(isAllowed(p, req('POST', '/v1/Workspaces/WS1/Workers/WK2', { ActivitySid: 'WA2' })), false);
  assert.equal(isAllowed(p, req('POST', '/v1/Workspaces/WS1/Workers/WK2', { ActivitySid: 'WA1', FriendlyName: 'x' })), false, 'literal filters allow nothing else');
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Tasks', {}, { AssignmentStatus: 'pending' })), true);
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Tasks', {}, {})), true);
  assert.equal(isAllowed(p, req('GET', '/v1/Workspaces/WS1/Tasks', {}, { AssignmentStatus: 'assigned' })), false);
});
