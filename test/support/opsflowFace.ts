// Helpers of the Opsflow face's suites.

/** Everything an account's domain holds, as a domain-wide caller lists it (`ok` posts a verb and expects 200):
 *  suites compare it before and after refused requests to show that nothing changed. */
export async function domainSnapshot(ok: (path: string, json: unknown) => Promise<any>) {
  return {
    tasks: (await ok('task/list', {})).results,
    comments: (await ok('comment/list', {})).results,
    events: (await ok('event/list', {})).results,
    categories: (await ok('task-category/list', { include_deleted: true })).results,
    types: (await ok('task-type/list', {})).results,
    variables: (await ok('variable/list', {})).results,
  };
}
