import { computeTrafficCounters, type TrafficCounters } from '../counters/traffic-counters.js';
import { num, object, optNum, optStr, parseStored, rates, str } from '../redis/stored-json.js';

/** How a UNI session's traffic is marked: a DSCP, and optionally the service class it belongs to. */
export interface MarkingRule {
  /** DSCP 0…63 (RFC 2474). */
  readonly dscp: number;
  /** RFC 4594 service class name; a class-wide `marking.apply` on the PE then re-marks the session. */
  readonly serviceClass?: string;
}

/** Where a session's effective DSCP comes from, most specific first. */
export type MarkingSource = 'session' | 'class' | 'uni';

/** A UNI session on a PE: a CE's traffic in a VPN, policed to a bandwidth and marked. */
export interface UniSession {
  readonly sessionId: string;
  readonly pe: string;
  readonly vpnId: string;
  readonly ce: string;
  readonly interface: string;
  readonly bandwidthBps: number;
  /** The rule given by `uni.add-session` / `uni.modify-session`. */
  readonly marking: MarkingRule;
  /** The DSCP applied now: a per-session `marking.apply`, else the PE's class rule, else `marking.dscp`. */
  readonly dscp: number;
  readonly markingSource: MarkingSource;
  /** The LSP carrying the session, if the broker named one. */
  readonly lspId: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** Counters as if traffic flowed at `bandwidthBps` since the session was added. */
  readonly counters: TrafficCounters;
}

/** Decodes a stored session, resolving its DSCP against the PE's class rules. @internal */
export function decodeUniSession(
  json: unknown,
  classDscp: ReadonlyMap<string, number>,
  nowMs: number,
  meanPacketBytes: number,
): UniSession {
  const what = 'session';
  const o = parseStored(json, what);
  const m = object(o['marking'], 'session.marking');
  const serviceClass = optStr(m, 'serviceClass', 'marking');
  const marking: MarkingRule =
    serviceClass === null
      ? { dscp: num(m, 'dscp', 'marking') }
      : { dscp: num(m, 'dscp', 'marking'), serviceClass };
  const override = optNum(o, 'dscpOverride', what);
  const fromClass = serviceClass === null ? undefined : classDscp.get(serviceClass);
  const [dscp, markingSource]: [number, MarkingSource] =
    override !== null
      ? [override, 'session']
      : fromClass !== undefined
        ? [fromClass, 'class']
        : [marking.dscp, 'uni'];
  return {
    sessionId: str(o, 'sessionId', what),
    pe: str(o, 'pe', what),
    vpnId: str(o, 'vpnId', what),
    ce: str(o, 'ce', what),
    interface: str(o, 'interface', what),
    bandwidthBps: num(o, 'bandwidthBps', what),
    marking,
    dscp,
    markingSource,
    lspId: optStr(o, 'lspId', what),
    createdAtMs: num(o, 'createdAtMs', what),
    updatedAtMs: num(o, 'updatedAtMs', what),
    counters: computeTrafficCounters(rates(o, what), nowMs, meanPacketBytes),
  };
}
