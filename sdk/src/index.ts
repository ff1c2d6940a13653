// Switchboard's browser SDK: the taskrouter.js API (Twilio.TaskRouter.Workspace, Worker, TaskQueue) over the
// legacy channel protocol, talking to the server that served this file unless told otherwise. Bundled to one
// IIFE without dependencies; served at /sdk/taskrouter.js.
import { TaskRouterError } from './channel.ts';
import { TaskQueue } from './taskQueue.ts';
import { Reservation, Task, Worker } from './worker.ts';
import { Workspace } from './workspace.ts';

export { Reservation, Task, TaskQueue, TaskRouterError, Worker, Workspace };

const root = globalThis as unknown as { Twilio?: Record<string, unknown> };
root.Twilio = root.Twilio ?? {};
root.Twilio.TaskRouter = { Workspace, Worker, TaskQueue, Reservation, Task, TaskRouterError, version: '1.0.0-switchboard' };
