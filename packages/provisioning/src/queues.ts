/**
 * BullMQ queue naming. There is one queue per PE, `svpn-pe-<peId>`: every job that changes a PE goes
 * to that PE's queue, and the queue's global concurrency is 1 (`Queue.setGlobalConcurrency(1)`,
 * honoured by every worker process), so the operations on one PE run one at a time, in order,
 * whichever provisioner process runs them (DESIGN §5 "serialised per PE").
 *
 * BullMQ groups would also serialise per PE but are a BullMQ Pro feature; one queue per PE gives the
 * same guarantee with open-source BullMQ and makes queue depth per PE a plain `getJobCounts()`.
 */

/** Prefix of every PE queue name. */
export const PE_QUEUE_PREFIX = 'svpn-pe-';

/** PE ids usable in queue names: what a PE id may be (no whitespace, `{`, `}`, `|`) and no `:` (BullMQ's key separator). */
const PE_ID = /^[^\s{}|:]{1,200}$/;

/** The queue of a PE: `svpn-pe-<peId>`. Throws `RangeError` for an id BullMQ cannot use. */
export function peQueueName(peId: string): string {
  if (!PE_ID.test(peId)) throw new RangeError(`"${peId}" cannot name a PE queue`);
  return `${PE_QUEUE_PREFIX}${peId}`;
}

/** The PE id of a queue name, or `null` when the name is not a PE queue's. */
export function peIdOfQueue(queueName: string): string | null {
  if (!queueName.startsWith(PE_QUEUE_PREFIX)) return null;
  const id = queueName.slice(PE_QUEUE_PREFIX.length);
  return PE_ID.test(id) ? id : null;
}

/**
 * The BullMQ key prefix for a deployment key prefix (the `KeySpace` prefix, default `svpn`):
 * `<prefix>:{provisioning-queues}`. The single hash tag keeps every PE queue in one Redis Cluster slot,
 * which BullMQ needs for any operation spanning queues and which keeps a deployment's queues together.
 */
export function queueKeyPrefix(keyPrefix = 'svpn'): string {
  return `${keyPrefix}:{provisioning-queues}`;
}
