import type { JobOrigin } from '@svpn/provisioning';
import type { DesiredLsp, DesiredMembership, DesiredSession, EndpointRecord } from '@svpn/store';
import { compact, step, type Stage, type Step } from './step.js';

/**
 * The job flows of DESIGN §4, planned from the desired state (pure). Each step carries the revision
 * of the object it converges, so its job id is deterministic.
 *
 * ```
 *  setup:    [rsvp-te.signal | rsvp-te.resize @ingress] → [uni.add-session @each PE]
 *  modify:   growing:   [LSP] → [uni.modify-session / add / remove] → [LSP left]
 *            shrinking: [uni.modify-session / add / remove] → [LSP, LSP left]
 *  release:  [uni.remove-session @each PE] → [rsvp-te.resize (shrink) | rsvp-te.teardown @ingress]
 * ```
 * The session's per-session marking (DESIGN §4 `marking.apply`) is applied by the `uni.add-session` /
 * `uni.modify-session` job of each endpoint, with the attachment: one job per endpoint, not two.
 * `marking.apply` jobs remain for re-marking (a class-wide rule, dynamic QoS) and for the reconciler
 * when only a marking is missing.
 * A failed setup is compensated by the release flow of the released intent; a failed modify by the
 * modify flow back to the previous parameters.
 */

/** The job converging an LSP to its desired state: signal a new one, resize one in use, tear a released one down. */
export function lspStep(lsp: DesiredLsp, origin: JobOrigin, tag?: string): Step {
  const meta = { revision: lsp.revision, origin };
  if (lsp.intent === 'released') {
    return step({ type: 'rsvp-te.teardown', payload: { pe: lsp.ingress, lspId: lsp.lspId, ...meta } }, tag);
  }
  if (lsp.createdRevision === lsp.revision) {
    return step(
      {
        type: 'rsvp-te.signal',
        payload: {
          pe: lsp.ingress,
          lspId: lsp.lspId,
          route: 'nodes' in lsp.route ? { nodes: [...lsp.route.nodes] } : { links: [...lsp.route.links] },
          bandwidthBps: lsp.bandwidthBps,
          setupPriority: lsp.setupPriority,
          holdingPriority: lsp.holdingPriority,
          penultimateHopPopping: lsp.penultimateHopPopping,
          ...meta,
        },
      },
      tag,
    );
  }
  return step(
    {
      type: 'rsvp-te.resize',
      payload: { pe: lsp.ingress, lspId: lsp.lspId, bandwidthBps: lsp.bandwidthBps, ...meta },
    },
    tag,
  );
}

function marking(session: DesiredSession): { dscp: number; serviceClass?: string } {
  return session.serviceClass === null
    ? { dscp: session.dscp }
    : { dscp: session.dscp, serviceClass: session.serviceClass };
}

/** `uni.add-session` of one endpoint. */
export function uniAddStep(
  session: DesiredSession,
  endpoint: EndpointRecord,
  origin: JobOrigin,
  tag?: string,
): Step {
  return step(
    {
      type: 'uni.add-session',
      payload: {
        pe: endpoint.pe,
        sessionId: session.sessionId,
        vpnId: session.vpnId,
        ce: endpoint.ce,
        interface: endpoint.interface,
        bandwidthBps: session.bandwidthBps,
        marking: marking(session),
        ...(session.lsp ? { lspId: session.lsp.lspId } : {}),
        revision: session.revision,
        origin,
      },
    },
    tag,
  );
}

/** `uni.modify-session` of one endpoint (every field, absolute values). */
export function uniModifyStep(
  session: DesiredSession,
  endpoint: EndpointRecord,
  origin: JobOrigin,
  tag?: string,
): Step {
  return step(
    {
      type: 'uni.modify-session',
      payload: {
        pe: endpoint.pe,
        sessionId: session.sessionId,
        bandwidthBps: session.bandwidthBps,
        interface: endpoint.interface,
        marking: marking(session),
        lspId: session.lsp?.lspId ?? null,
        revision: session.revision,
        origin,
      },
    },
    tag,
  );
}

/** `uni.remove-session` on one PE. */
export function uniRemoveStep(
  session: Pick<DesiredSession, 'sessionId' | 'revision'>,
  pe: string,
  origin: JobOrigin,
  tag?: string,
): Step {
  return step(
    {
      type: 'uni.remove-session',
      payload: { pe, sessionId: session.sessionId, revision: session.revision, origin },
    },
    tag,
  );
}

/** Per-session `marking.apply` on one endpoint. */
export function markingStep(
  session: DesiredSession,
  endpoint: EndpointRecord,
  origin: JobOrigin,
  tag?: string,
): Step {
  return step(
    {
      type: 'marking.apply',
      payload: {
        pe: endpoint.pe,
        target: { sessionId: session.sessionId },
        dscp: session.dscp,
        revision: session.revision,
        origin,
      },
    },
    tag,
  );
}

function split(session: DesiredSession, lsps: readonly DesiredLsp[]): [DesiredLsp[], DesiredLsp[]] {
  const own = lsps.filter((l) => l.lspId === session.lsp?.lspId && l.intent === 'active');
  return [own, lsps.filter((l) => !own.includes(l))];
}

/** Setup: the LSP first (reserve before alerting), then the UNI attachments with their marking. */
export function setupFlow(
  session: DesiredSession,
  lsps: readonly DesiredLsp[],
  origin: JobOrigin = 'setup',
  tag?: string,
): Stage[] {
  const [own, others] = split(session, lsps);
  return compact([
    own.map((l) => lspStep(l, origin, tag)),
    session.endpoints.map((e) => uniAddStep(session, e, origin, tag)),
    others.map((l) => lspStep(l, origin, tag)),
  ]);
}

/**
 * Modify from `previous` to `session`: endpoints kept are modified, new ones added, dropped ones
 * removed. A growing session resizes its LSP before the UNI (make before break); a shrinking one
 * after. An LSP the session left is converged last.
 */
export function modifyFlow(
  previous: DesiredSession,
  session: DesiredSession,
  lsps: readonly DesiredLsp[],
  origin: JobOrigin = 'modify',
  tag?: string,
): Stage[] {
  const [own, others] = split(session, lsps);
  const before = new Set(previous.endpoints.map((e) => e.pe));
  const after = new Set(session.endpoints.map((e) => e.pe));
  const uni: Step[] = [
    ...session.endpoints.map((e) =>
      before.has(e.pe) ? uniModifyStep(session, e, origin, tag) : uniAddStep(session, e, origin, tag),
    ),
    ...previous.endpoints
      .filter((e) => !after.has(e.pe))
      .map((e) => uniRemoveStep(session, e.pe, origin, tag)),
  ];
  const growing = session.bandwidthBps > previous.bandwidthBps || session.lsp?.lspId !== previous.lsp?.lspId;
  const lspSteps = own.map((l) => lspStep(l, origin, tag));
  const left = others.map((l) => lspStep(l, origin, tag));
  return growing ? compact([lspSteps, uni, left]) : compact([uni, [...lspSteps, ...left]]);
}

/** Release: the UNI attachments go first, then the LSP shrinks or is torn down. */
export function releaseFlow(
  session: DesiredSession,
  lsps: readonly DesiredLsp[],
  origin: JobOrigin = 'release',
  tag?: string,
  pes: readonly string[] = session.endpoints.map((e) => e.pe),
): Stage[] {
  return compact([
    pes.map((pe) => uniRemoveStep(session, pe, origin, tag)),
    lsps.map((l) => lspStep(l, origin, tag)),
  ]);
}

/** `bgp.advertise-membership` of a desired membership. */
export function advertiseStep(m: DesiredMembership, origin: JobOrigin, tag?: string): Step {
  return step(
    {
      type: 'bgp.advertise-membership',
      payload: {
        pe: m.pe,
        vpnId: m.vpnId,
        ce: m.ce,
        rd: m.rd,
        importTargets: [...m.importTargets],
        exportTargets: [...m.exportTargets],
        prefixes: [...m.prefixes],
        revision: m.revision,
        origin,
      },
    },
    tag,
  );
}

/** `bgp.withdraw-membership` of a membership (revision 0 for one nobody desires). */
export function withdrawStep(
  m: { pe: string; vpnId: string; ce: string; revision: number },
  origin: JobOrigin,
  tag?: string,
): Step {
  return step(
    {
      type: 'bgp.withdraw-membership',
      payload: { pe: m.pe, vpnId: m.vpnId, ce: m.ce, revision: m.revision, origin },
    },
    tag,
  );
}
