import type {
  PeAdapter,
  PeCallOptions,
  UniAddSessionRequest,
  UniModifySessionRequest,
  UniSessionState,
} from '@svpn/provisioning';

/**
 * An adapter that attaches (or changes) a UNI session and then sets its per-session DSCP — what
 * `uni.add-session` / `uni.modify-session` followed by a per-session `marking.apply` do — in one call
 * to the PE. Optional: a job handler falls back to the two calls when the adapter lacks it.
 *
 * Both operations keep their own failures: a refused marking leaves the session attached, and the
 * error names `marking.apply`, as the second of two calls would.
 */
export interface MarkedUniAdapter {
  uniAddSessionMarked(
    request: UniAddSessionRequest,
    dscp: number,
    options?: PeCallOptions,
  ): Promise<UniSessionState>;
  uniModifySessionMarked(
    request: UniModifySessionRequest,
    dscp: number,
    options?: PeCallOptions,
  ): Promise<UniSessionState>;
}

/** The adapter as a {@link MarkedUniAdapter}, or `null` when it has no combined call. */
export function markedUni(adapter: PeAdapter): (PeAdapter & MarkedUniAdapter) | null {
  const candidate = adapter as PeAdapter & Partial<MarkedUniAdapter>;
  return typeof candidate.uniAddSessionMarked === 'function' &&
    typeof candidate.uniModifySessionMarked === 'function'
    ? (candidate as PeAdapter & MarkedUniAdapter)
    : null;
}
