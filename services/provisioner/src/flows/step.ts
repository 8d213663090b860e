import { jobIdOf, type JobSpec } from '@svpn/provisioning';

/** One job of a flow: what to run and its deterministic BullMQ id. */
export interface Step {
  readonly spec: JobSpec;
  readonly jobId: string;
}

/** Steps of one stage run in parallel (they address different PEs or objects); stages run in order. */
export type Stage = readonly Step[];

/** A step for a job spec; `tag` separates deliberate re-runs of a revision (e.g. a reconciler pass). */
export function step(spec: JobSpec, tag?: string): Step {
  return { spec, jobId: jobIdOf(spec, tag) };
}

/** The PE (queue) a step runs on. */
export function stepPe(s: Step): string {
  return s.spec.payload.pe;
}

/** `type@PE` for logs and reports. */
export function describeStep(s: Step): string {
  return `${s.spec.type}@${stepPe(s)}`;
}

/** Drops empty stages. */
export function compact(stages: readonly Stage[]): Stage[] {
  return stages.filter((s) => s.length > 0);
}
