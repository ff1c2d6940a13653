// /2010-04-01/Accounts/{AC}/Keys.json and /Keys/{SK}.json: create (secret shown once), list, fetch, update,
// delete. `client.newKeys.create()` and `client.api.v2010.accounts(AC).keys` both land here.
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ApiKey } from '../../core/entities.ts';
import { visibleAccount } from '../../auth/accounts.ts';
import { createKey, deleteKey, requireKey, updateKey } from '../../auth/apiKeys.ts';
import type { RouteDeps } from '../taskrouter/wire.ts';
import { principalOf } from '../common/http.ts';
import { PAGING, decodeParams, param, NO_PARAMS } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { KEY, NEW_KEY, list2010, listEnvelope2010, rfc2822, sidOfJsonSegment } from './wire.ts';
import { NO_CONTENT, twilioRoute } from '../common/routeSchema.ts';

const doc = (d: Parameters<typeof twilioRoute>[1]) => twilioRoute('Keys', d);

export function serializeKey(k: ApiKey): z.output<typeof KEY> {
  return { sid: k.sid, friendly_name: k.friendlyName, date_created: rfc2822(k.dateCreated), date_updated: rfc2822(k.dateUpdated) };
}

const NAME = { FriendlyName: param.string(64).optional() };

type Params = { Params: { ac: string; sid: string } };

export function registerKeyRoutes(app: FastifyInstance, { store, clock, secrets }: RouteDeps): void {
  const base = '/2010-04-01/Accounts/:ac/Keys';

  app.post<Params>(`${base}.json`, doc({ summary: 'Create an API key (its secret is shown once)', body: NAME, responses: { 201: NEW_KEY } }), async (request, reply) => {
    const p = decodeParams(NAME, request.body);
    const caller = principalOf(request).accountSid;
    const { key, secret } = store.transaction((repo) => {
      const account = visibleAccount(repo, caller, request.params.ac);
      return createKey(repo, secrets, clock(), account.sid, p.FriendlyName);
    });
    reply.code(201);
    return { ...serializeKey(key), secret };
  });

  app.get<Params>(`${base}.json`, doc({ summary: "List an account's API keys", query: PAGING, responses: { 200: list2010('keys', KEY) } }), async (request) => {
    const p = decodeParams(PAGING, request.query);
    const caller = principalOf(request).accountSid;
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const account = visibleAccount(repo, caller, request.params.ac);
      return listEnvelope2010(request, 'keys', pageReq, repo.page('apiKey', { accountSid: account.sid }, pageReq.cursor), serializeKey);
    });
  });

  app.get<Params>(`${base}/:sid`, doc({ summary: 'Fetch an API key (`SK....json`)', query: NO_PARAMS, responses: { 200: KEY } }), async (request) => {
    const sid = sidOfJsonSegment(request, request.params.sid);
    decodeParams(NO_PARAMS, request.query);
    const caller = principalOf(request).accountSid;
    return store.read((repo) => {
      const account = visibleAccount(repo, caller, request.params.ac);
      return serializeKey(requireKey(repo, account.sid, sid));
    });
  });

  app.post<Params>(`${base}/:sid`, doc({ summary: "Rename an API key", body: NAME, responses: { 200: KEY } }), async (request) => {
    const sid = sidOfJsonSegment(request, request.params.sid);
    const p = decodeParams(NAME, request.body);
    const caller = principalOf(request).accountSid;
    return store.transaction((repo) => {
      const account = visibleAccount(repo, caller, request.params.ac);
      return serializeKey(updateKey(repo, clock(), account.sid, sid, p.FriendlyName));
    });
  });

  app.delete<Params>(`${base}/:sid`, doc({ summary: 'Delete an API key', responses: { 204: NO_CONTENT } }), async (request, reply) => {
    const sid = sidOfJsonSegment(request, request.params.sid);
    decodeParams(NO_PARAMS, request.query);
    const caller = principalOf(request).accountSid;
    store.transaction((repo) => {
      const account = visibleAccount(repo, caller, request.params.ac);
      deleteKey(repo, account.sid, sid);
    });
    return reply.code(204).send();
  });
}
