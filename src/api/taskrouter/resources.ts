// The TaskRouter face's response shapes as zod schemas: the serializers are typed by them (a field added to or
// dropped from a serializer without its schema does not compile), the routes declare them (the OpenAPI
// document is generated from them), and the test harness checks every response against them.
import { z } from 'zod';

const sid = (prefix: string) => z.string().describe(`${prefix} SID`);
/** ISO 8601 UTC, without milliseconds; null when never set. */
const date = () => z.string().nullable().describe('ISO 8601 date-time (UTC)');
const url = () => z.string().describe('absolute URL of the resource');
const links = () => z.record(z.string(), z.string()).describe('related resources by name: absolute URLs');

export const ACTIVITY = z.object({
  account_sid: sid('AC'),
  available: z.boolean(),
  date_created: date(),
  date_updated: date(),
  friendly_name: z.string(),
  sid: sid('WA'),
  workspace_sid: sid('WS'),
  url: url(),
  links: links(),
});

export const TASK_CHANNEL = z.object({
  account_sid: sid('AC'),
  date_created: date(),
  date_updated: date(),
  friendly_name: z.string(),
  sid: sid('TC'),
  unique_name: z.string(),
  workspace_sid: sid('WS'),
  channel_optimized_routing: z.boolean().nullable(),
  url: url(),
  links: links(),
});

export const WORKER = z.object({
  account_sid: sid('AC'),
  activity_name: z.string().nullable(),
  activity_sid: sid('WA'),
  attributes: z.string().describe('JSON object, as text'),
  available: z.boolean(),
  date_created: date(),
  date_status_changed: date(),
  date_updated: date(),
  friendly_name: z.string(),
  sid: sid('WK'),
  workspace_sid: sid('WS'),
  url: url(),
  links: links(),
});

export const WORKER_CHANNEL = z.object({
  account_sid: sid('AC'),
  assigned_tasks: z.number().int(),
  available: z.boolean(),
  available_capacity_percentage: z.number().int(),
  configured_capacity: z.number().int(),
  date_created: date(),
  date_updated: date(),
  sid: sid('WC'),
  task_channel_sid: sid('TC'),
  task_channel_unique_name: z.string().nullable(),
  worker_sid: sid('WK'),
  workspace_sid: sid('WS'),
  url: url(),
});

export const TASK_QUEUE = z.object({
  account_sid: sid('AC'),
  assignment_activity_sid: z.string().nullable(),
  assignment_activity_name: z.string().nullable(),
  date_created: date(),
  date_updated: date(),
  friendly_name: z.string(),
  max_reserved_workers: z.number().int(),
  reservation_activity_sid: z.string().nullable(),
  reservation_activity_name: z.string().nullable(),
  sid: sid('WQ'),
  target_workers: z.string().nullable(),
  task_order: z.enum(['FIFO', 'LIFO']),
  url: url(),
  workspace_sid: sid('WS'),
  links: links(),
});

export const WORKFLOW = z.object({
  account_sid: sid('AC'),
  assignment_callback_url: z.string().nullable(),
  configuration: z.string().describe('the workflow configuration: JSON, as text'),
  date_created: date(),
  date_updated: date(),
  document_content_type: z.string(),
  fallback_assignment_callback_url: z.string().nullable(),
  friendly_name: z.string(),
  sid: sid('WW'),
  task_reservation_timeout: z.number().int(),
  workspace_sid: sid('WS'),
  url: url(),
  links: links(),
});

export const WORKSPACE = z.object({
  account_sid: sid('AC'),
  date_created: date(),
  date_updated: date(),
  default_activity_name: z.string().nullable(),
  default_activity_sid: z.string().nullable(),
  event_callback_url: z.string().nullable(),
  events_filter: z.string().nullable(),
  friendly_name: z.string(),
  multi_task_enabled: z.boolean(),
  sid: sid('WS'),
  timeout_activity_name: z.string().nullable(),
  timeout_activity_sid: z.string().nullable(),
  prioritize_queue_order: z.enum(['LIFO', 'FIFO']),
  url: url(),
  links: links(),
});

export const TASK = z.object({
  account_sid: sid('AC'),
  age: z.number().int().describe('seconds since the task was created'),
  assignment_status: z.enum(['pending', 'reserved', 'assigned', 'wrapping', 'completed', 'canceled']),
  attributes: z.string().describe('JSON object, as text'),
  addons: z.string(),
  date_created: date(),
  date_updated: date(),
  task_queue_entered_date: date(),
  priority: z.number().int(),
  reason: z.string().nullable(),
  sid: sid('WT'),
  task_queue_sid: z.string().nullable(),
  task_queue_friendly_name: z.string().nullable(),
  task_channel_sid: sid('TC'),
  task_channel_unique_name: z.string().nullable(),
  timeout: z.number().int(),
  workflow_sid: z.string().nullable(),
  workflow_friendly_name: z.string().nullable(),
  workspace_sid: sid('WS'),
  url: url(),
  links: links(),
  virtual_start_time: date(),
  ignore_capacity: z.boolean(),
  routing_target: z.string().nullable(),
});

export const RESERVATION = z.object({
  account_sid: sid('AC'),
  date_created: date(),
  date_updated: date(),
  reservation_status: z.enum(['pending', 'accepted', 'rejected', 'timeout', 'canceled', 'rescinded', 'wrapping', 'completed']),
  sid: sid('WR'),
  task_sid: sid('WT'),
  worker_name: z.string().nullable(),
  worker_sid: sid('WK'),
  workspace_sid: sid('WS'),
  url: url(),
  links: links(),
});

export const EVENT = z.object({
  account_sid: sid('AC'),
  actor_sid: z.string(),
  actor_type: z.string(),
  actor_url: z.string(),
  description: z.string(),
  event_data: z.record(z.string(), z.unknown()).describe("the resource's fields at the event, as TaskRouter sends them"),
  event_date: date(),
  event_date_ms: z.number().int(),
  event_type: z.string(),
  resource_sid: z.string(),
  resource_type: z.string(),
  resource_url: z.string(),
  sid: sid('EV'),
  source: z.string(),
  source_ip_address: z.string().nullable(),
  url: url(),
  workspace_sid: sid('WS'),
});

/** Twilio's list envelope: the items under their key, and `meta` with the page's links. */
export const LIST_META = z.object({
  first_page_url: z.string(),
  key: z.string(),
  next_page_url: z.string().nullable(),
  page: z.number().int(),
  page_size: z.number().int(),
  previous_page_url: z.string().nullable(),
  url: z.string(),
});

export function listOf<K extends string, T extends z.ZodType>(key: K, item: T) {
  return z.object({ [key]: z.array(item), meta: LIST_META } as { [k in K]: z.ZodArray<T> } & { meta: typeof LIST_META });
}

// Statistics: the figures are built from the event log and the router (stats/); their inner objects
// (tasks_by_status, activity_statistics, cumulative, realtime, ...) are described as open objects.
const figures = (what: string) => z.record(z.string(), z.unknown()).describe(what);
const STATISTICS_HEAD = { account_sid: sid('AC'), workspace_sid: sid('WS'), url: url() };
const RESERVATION_COUNTS = {
  start_time: date(),
  end_time: date(),
  reservations_created: z.number().int(),
  reservations_accepted: z.number().int(),
  reservations_rejected: z.number().int(),
  reservations_timed_out: z.number().int(),
  reservations_canceled: z.number().int(),
  reservations_rescinded: z.number().int(),
};
const CUMULATIVE_COMMON = {
  ...RESERVATION_COUNTS,
  avg_task_acceptance_time: z.number().int(),
  split_by_wait_time: figures('tasks accepted and canceled before and after each SplitByWaitTime threshold').nullable(),
  wait_duration_until_accepted: figures('avg, min, max and total seconds').nullable(),
  wait_duration_until_canceled: figures('avg, min, max and total seconds').nullable(),
  tasks_canceled: z.number().int(),
  tasks_completed: z.number().int(),
  tasks_deleted: z.number().int(),
  tasks_moved: z.number().int(),
};
const REALTIME_TASKS = {
  longest_task_waiting_age: z.number().int(),
  longest_task_waiting_sid: z.string().nullable(),
  tasks_by_priority: figures('task count by priority'),
  tasks_by_status: figures('task count by status'),
  total_tasks: z.number().int(),
};
const activityStatistics = z.array(figures('{friendly_name, sid, workers}'));

export const WORKSPACE_CUMULATIVE = z.object({ ...STATISTICS_HEAD, ...CUMULATIVE_COMMON, tasks_created: z.number().int(), tasks_timed_out_in_workflow: z.number().int() });
export const WORKSPACE_REALTIME = z.object({ ...STATISTICS_HEAD, ...REALTIME_TASKS, activity_statistics: activityStatistics, total_workers: z.number().int() });
export const WORKSPACE_STATISTICS = z.object({ ...STATISTICS_HEAD, cumulative: figures('the CumulativeStatistics figures'), realtime: figures('the RealTimeStatistics figures') });

export const WORKFLOW_CUMULATIVE = z.object({ ...STATISTICS_HEAD, ...CUMULATIVE_COMMON, tasks_entered: z.number().int(), tasks_timed_out_in_workflow: z.number().int(), workflow_sid: sid('WW') });
export const WORKFLOW_REALTIME = z.object({ ...STATISTICS_HEAD, ...REALTIME_TASKS, workflow_sid: sid('WW') });
export const WORKFLOW_STATISTICS = z.object({ ...STATISTICS_HEAD, workflow_sid: sid('WW'), cumulative: figures('the CumulativeStatistics figures'), realtime: figures('the RealTimeStatistics figures') });

export const QUEUE_CUMULATIVE = z.object({
  ...STATISTICS_HEAD,
  ...CUMULATIVE_COMMON,
  tasks_entered: z.number().int(),
  wait_duration_in_queue_until_accepted: figures('avg, min, max and total seconds').nullable(),
  task_queue_sid: sid('WQ'),
});
const QUEUE_REALTIME_FIGURES = {
  ...REALTIME_TASKS,
  activity_statistics: activityStatistics,
  longest_relative_task_age_in_queue: z.number().int(),
  longest_relative_task_sid_in_queue: z.string().nullable(),
  total_available_workers: z.number().int(),
  total_eligible_workers: z.number().int(),
  task_queue_sid: sid('WQ'),
};
export const QUEUE_REALTIME = z.object({ ...STATISTICS_HEAD, ...QUEUE_REALTIME_FIGURES });
export const QUEUE_STATISTICS = z.object({ ...STATISTICS_HEAD, task_queue_sid: sid('WQ'), cumulative: figures('the CumulativeStatistics figures'), realtime: figures('the RealTimeStatistics figures') });
export const QUEUES_STATISTICS = listOf(
  'task_queues_statistics',
  z.object({ account_sid: sid('AC'), workspace_sid: sid('WS'), task_queue_sid: sid('WQ'), cumulative: figures('the CumulativeStatistics figures'), realtime: figures('the RealTimeStatistics figures') }),
);
export const QUEUES_BULK_REALTIME = z.object({
  ...STATISTICS_HEAD,
  task_queue_data: z.array(figures('a queue\'s RealTimeStatistics figures with its task_queue_sid')),
  task_queue_response_count: z.number().int(),
});

export const WORKERS_CUMULATIVE = z.object({
  ...STATISTICS_HEAD,
  ...RESERVATION_COUNTS,
  activity_durations: z.array(figures('{friendly_name, sid, avg, min, max, total} seconds in each activity')),
});
export const WORKERS_REALTIME = z.object({ ...STATISTICS_HEAD, activity_statistics: activityStatistics, total_workers: z.number().int() });
export const WORKERS_STATISTICS = z.object({ ...STATISTICS_HEAD, cumulative: figures('the CumulativeStatistics figures'), realtime: figures('the RealTimeStatistics figures') });
export const WORKER_STATISTICS = z.object({ ...STATISTICS_HEAD, worker_sid: sid('WK'), cumulative: figures('the worker\'s CumulativeStatistics figures') });
