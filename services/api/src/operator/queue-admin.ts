/**
 * Provisioning queue health for operators: job counts per PE queue, failed jobs, and retrying one
 * (BullMQ `job.retry()`), on the provisioner's queues (`@svpn/provisioning` names and prefix).
 */
import { Job as BullJob, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Job, QueueCounts } from '@svpn/api-contract';
import { peQueueName, queueKeyPrefix } from '@svpn/provisioning';
import { NsiError } from '../nsi/nsi-error.js';

export interface QueuePort {
  counts(): Promise<QueueCounts[]>;
  failed(pe: string, limit: number): Promise<Job[]>;
  retry(pe: string, jobId: string): Promise<Job>;
  close(): Promise<void>;
}

export class BullQueueAdmin implements QueuePort {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly pes: readonly string[],
  ) {}

  private queue(pe: string): Queue {
    if (!this.pes.includes(pe)) throw new NsiError('UNKNOWN_STP', `no PE ${pe}`);
    let q = this.queues.get(pe);
    if (q === undefined) {
      q = new Queue(peQueueName(pe), { connection: this.redis, prefix: queueKeyPrefix(this.keyPrefix) });
      this.queues.set(pe, q);
    }
    return q;
  }

  async counts(): Promise<QueueCounts[]> {
    const out: QueueCounts[] = [];
    for (const pe of this.pes) {
      const q = this.queue(pe);
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
      out.push({
        pe,
        queue: q.name,
        waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0),
        active: c['active'] ?? 0,
        delayed: c['delayed'] ?? 0,
        failed: c['failed'] ?? 0,
        completed: c['completed'] ?? 0,
      });
    }
    return out;
  }

  async failed(pe: string, limit: number): Promise<Job[]> {
    const jobs = await this.queue(pe).getFailed(0, limit - 1);
    return Promise.all(jobs.map((j) => view(j, 'failed')));
  }

  async retry(pe: string, jobId: string): Promise<Job> {
    const job = await BullJob.fromId(this.queue(pe), jobId);
    if (job === undefined) throw new NsiError('CONNECTION_NONEXISTENT', `no job ${jobId} on ${pe}`);
    const state = await job.getState();
    if (state !== 'failed') throw new NsiError('INVALID_TRANSITION', `job ${jobId} is ${state}, not failed`);
    await job.retry('failed');
    return view(job, await job.getState());
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }
}

async function view(job: BullJob, state: string): Promise<Job> {
  return {
    id: String(job.id),
    name: job.name,
    state,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason ?? null,
    timestamp: job.timestamp ?? null,
    finishedOn: job.finishedOn ?? null,
    data: job.data as unknown,
  };
}
