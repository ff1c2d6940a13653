// /2010-04-01/Accounts.json and /Accounts/{AC}.json: create subaccounts, fetch, update, list.
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Account } from '../../core/entities.ts';
import { createAccount, updateAccount, visibleAccount } from '../../auth/accounts.ts';
import type { SecretBox } from '../../auth/secretBox.ts';
import type { RouteDeps } from '../taskrouter/wire.ts';
import { principalOf } from '../common/http.ts';
import { PAGING, decodeParams, param, NO_PARAMS } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { ACCOUNT, list2010, listEnvelope2010, rfc2822, sidOfJsonSegment } from './wire.ts';
import { twilioRoute } from '../common/routeSchema.ts';

const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('Accounts', d);

export function serializeAccount(a: Account, secrets: SecretBox): z.output<typeof ACCOUNT> {
  const uri = `/2010-04-01/Accounts/${a.sid}.json`;
  return {
    auth_token: secrets.authTokenOf(a),
    date_created: rfc2822(a.dateCreated),
    date_updated: rfc2822(a.dateUpdated),
    friendly_name: a.friendlyName,
    owner_account_sid: a.ownerAccountSid,
    sid: a.sid,
    status: a.status,
    subresource_uris: { keys: `/2010-04-01/Accounts/${a.sid}/Keys.json` },
    type: 'Full',
    uri,
  };
}

const STATUS = param.enumOf(['active', 'suspended', 'closed'] as const);

const CREATE = { FriendlyName: param.name().optional() };
const LIST = { FriendlyName: param.string(64).optional(), Status: STATUS.optional(), ...PAGING };
const UPDATE = { FriendlyName: param.name().optional(), Status: STATUS.optional() };

type Params = { Params: { sid: string } };

export function registerAccountRoutes(app: FastifyInstance, { store, clock, secrets }: RouteDeps): void {
  const serialize = (a: Account) => serializeAccount(a, secrets);
  app.post('/2010-04-01/Accounts.json', doc({ summary: 'Create a subaccount', body: CREATE, responses: { 201: ACCOUNT } }), async (request, reply) => {
    const p = decodeParams(CREATE, request.body);
    const caller = principalOf(request).accountSid;
    const { account } = store.transaction((repo) => createAccount(repo, secrets, clock(), { friendlyName: p.FriendlyName, ownerSid: caller }));
    reply.code(201);
    return serialize(account);
  });

  app.get('/2010-04-01/Accounts.json', doc({ summary: 'List the caller and the accounts it owns', query: LIST, responses: { 200: list2010('accounts', ACCOUNT) } }), async (request) => {
    const p = decodeParams(LIST, request.query);
    const caller = principalOf(request).accountSid;
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      // The caller and the accounts it owns: owner_account_sid equals the caller for both when it is a main
      // account; a subaccount's owner is its parent, so it is matched by SID instead.
      const self = repo.get('account', caller)!;
      const where = self.ownerAccountSid === caller ? { ownerAccountSid: caller } : { sid: caller };
      const result = repo.page('account', { ...where, friendlyName: p.FriendlyName, status: p.Status }, pageReq.cursor);
      return listEnvelope2010(request, 'accounts', pageReq, result, serialize);
    });
  });

  app.get<Params>('/2010-04-01/Accounts/:sid', doc({ summary: 'Fetch an account (`AC....json`)', query: NO_PARAMS, responses: { 200: ACCOUNT } }), async (request) => {
    const sid = sidOfJsonSegment(request, request.params.sid);
    decodeParams(NO_PARAMS, request.query);
    const caller = principalOf(request).accountSid;
    return serialize(store.read((repo) => visibleAccount(repo, caller, sid)));
  });

  app.post<Params>('/2010-04-01/Accounts/:sid', doc({ summary: 'Update an account: name, status', body: UPDATE, responses: { 200: ACCOUNT } }), async (request) => {
    const sid = sidOfJsonSegment(request, request.params.sid);
    const p = decodeParams(UPDATE, request.body);
    const caller = principalOf(request).accountSid;
    return serialize(store.transaction((repo) => updateAccount(repo, clock(), caller, sid, { friendlyName: p.FriendlyName, status: p.Status })));
  });
}

