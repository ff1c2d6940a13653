// /2010-04-01/Accounts/{AC}/Keys.json and /Keys/{SK}.json: create (secret shown once), list, fetch, update,
// delete. `client.newKeys.create()` and `client.api.v2010.accounts(AC).keys` both land here.
import type { FastifyInstance } from 'fastify';
import type { ApiKey } from '../../core/entities.ts';
import { visibleAccount } from '../../auth/accounts.ts';
import { createKey, deleteKey, requireKey, updateKey } from '../../auth/apiKeys.ts';
import type { RouteDeps } from '../taskrouter/wire.ts';
import { principalOf } from '../common/http.ts';
import { PAGING, decodeParams, param } from '../common/params.ts';
import { pageRequest } from '../common/paging.ts';
import { listEnvelope2010, rfc2822, sidOfJsonSegment } from './wire.ts';

export function serializeKey(k: ApiKey) {
  return { sid: k.sid, friendly_name: k.friendlyName, date_created: rfc2822(k.dateCreated), date_updated: rfc2822(k.dateUpdated) };
}

type Params = { Params: { ac: string; sid: string } };

export function registerKeyRoutes(app: FastifyInstance, { store, clock, secrets }: RouteDeps): void {
  const base = '/2010-04-01/Accounts/:ac/Keys';

  app.post<Params>(`${base}.json`, async (request, reply) => {
    const p = decodeParams({ FriendlyName: param.string(64).optional() }, request.body);
    const caller = principalOf(request).accountSid;
    const { key, secret } = store.transaction((repo) => {
      const account = visibleAccount(repo, caller, request.params.ac);
      return createKey(repo, secrets, clock(), account.sid, p.FriendlyName);
    });
    return reply.code(201).send({ ...serializeKey(key), secret });
  });

  app.get<Params>(`${base}.json`, async (request) => {
    const p = decodeParams({ ...PAGING }, request.query);
    const caller = principalOf(request).accountSid;
    const pageReq = pageRequest(p);
    return store.read((repo) => {
      const account = visibleAccount(repo, caller, request.params.ac);
      return listEnvelope2010(request, 'keys', pageReq, repo.page('apiKey', { accountSid: account.sid }, pageReq.cursor), serializeKey);
    });
  });

  app.get<Params>(`${base}/:sid`, async (request) => {
    const sid = sidOfJsonSegment(request, request.params.sid);
    decodeParams({}, request.query);
    const caller = principalOf(request).accountSid;
    return store.read((repo) => {
      const account = visibleAccount(repo, caller, request.params.ac);
      return serializeKey(requireKey(repo, account.sid, sid));
    });
  });

  app.post<Params>(`${base}/:sid`, async (request) => {
    const sid = sidOfJsonSegment(request, request.params.sid);
    const p = decodeParams({ FriendlyName: param.string(64).optional() }, request.body);
    const caller = principalOf(request).accountSid;
    return store.transaction((repo) => {
      const account = visibleAccount(repo, caller, request.params.ac);
      return serializeKey(updateKey(repo, clock(), account.sid, sid, p.FriendlyName));
    });
  });

  app.delete<Params>(`${base}/:sid`, async (request, reply) => {
    const sid = sidOfJsonSegment(request, request.params.sid);
    decodeParams({}, request.query);
    const caller = principalOf(request).accountSid;
    store.transaction((repo) => {
      const account = visibleAccount(repo, caller, request.params.ac);
      deleteKey(repo, account.sid, sid);
    });
    return reply.code(204).send();
  });
}
