import type { JobType } from './job-types.js';
import type { JobSpec } from './payload-schemas.js';

const TAG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The deterministic BullMQ job id of a job: `<type>/<object id>/r<revision>[/<tag>]`, the object id
 * percent-encoded (BullMQ forbids `:` in custom ids). Job ids are unique per queue, i.e. per PE, so
 * the PE is implied.
 *
 * The same intent (same session id, same revision) always yields the same ids, and BullMQ does not
 * add a job whose id it still holds: a retransmitted INVITE, a second provisioner process or a
 * reconciler pass re-submitting the same step never provisions twice. `tag` separates deliberate
 * re-runs of a revision (`undo`, a reconciler pass `rc<fencing token>`).
 */
export function jobId(type: JobType, objectId: string, revision: number, tag?: string): string {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new RangeError(`revision must be a non-negative integer, got ${revision}`);
  }
  if (objectId.length === 0) throw new RangeError('objectId must not be empty');
  if (tag !== undefined && !TAG.test(tag)) throw new RangeError(`invalid job id tag "${tag}"`);
  return `${type}/${encodeURIComponent(objectId)}/r${revision}${tag === undefined ? '' : `/${tag}`}`;
}

/**
 * The object a job acts on, within its PE: the session id (`uni.*`, per-session `marking.apply`),
 * the LSP id (`rsvp-te.*`), `<vpn>|<ce>` (`bgp.*`), the FEC (`ldp.*`), `class=<service class>`
 * (class-wide `marking.apply`).
 */
export function jobObjectId(spec: JobSpec): string {
  switch (spec.type) {
    case 'uni.add-session':
    case 'uni.modify-session':
    case 'uni.remove-session':
      return spec.payload.sessionId;
    case 'marking.apply':
      return 'sessionId' in spec.payload.target
        ? spec.payload.target.sessionId
        : `class=${spec.payload.target.serviceClass}`;
    case 'rsvp-te.signal':
    case 'rsvp-te.resize':
    case 'rsvp-te.teardown':
      return spec.payload.lspId;
    case 'bgp.advertise-membership':
    case 'bgp.withdraw-membership':
      return `${spec.payload.vpnId}|${spec.payload.ce}`;
    case 'ldp.bind':
    case 'ldp.release':
      return spec.payload.fec;
    default: {
      const never: never = spec;
      throw new RangeError(`unknown job type ${String((never as { type: unknown }).type)}`);
    }
  }
}

/** The deterministic job id of a job spec: {@link jobId} of its type, object and payload revision. */
export function jobIdOf(spec: JobSpec, tag?: string): string {
  return jobId(spec.type, jobObjectId(spec), spec.payload.revision, tag);
}
