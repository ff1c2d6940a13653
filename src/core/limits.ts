// TaskRouter's documented limits (reference/taskrouter.md §14), enforced with its errors.
export const LIMITS = {
  friendlyName: 64,
  attributes: 4096,
  workflowConfiguration: 1038576, // "1038576 bytes (1MB)" (sic) in Twilio's limits page
  activitiesPerWorkspace: 100,
  taskChannelsPerWorkspace: 15,
  workersPerWorkspace: 15000,
  taskQueuesPerWorkspace: 5000,
  workflowsPerWorkspace: 1000,
  workspacesPerAccount: 5000,
  channelCapacity: 50,
  maxReservedWorkers: 50,
  taskReservationTimeout: 86400,
  targetWorkers: 4096,
  pageSizeMax: 1000,
  pageSizeDefault: 50,
  bodyBytes: 2 * 1024 * 1024,
  /** Open WebSockets per channel (worker, workspace or queue): Switchboard's own bound, so one client looping
   *  on reconnects cannot exhaust the server. closeExistingSessions replaces them instead. */
  socketsPerChannel: 10,
} as const;
