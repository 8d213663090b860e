import { ServiceClassUnknownError } from '../errors.js';
import { dscpFromName, type DscpName, type Phb } from './dscp.js';

/**
 * The twelve DiffServ service classes of RFC 4594 as data, with kebab-case identifiers — the values a
 * request names in `a=svpn-qos:<class>`.
 *
 * Columns follow RFC 4594's summary figures: DSCPs and PHB (§2 and the per-class sections), traffic
 * conditioning at the DS edge, queuing, active queue management, and tolerance to loss, delay and
 * jitter. Updates applied: RFC 5865 adds VOICE-ADMIT for capacity-admitted telephony; RFC 8622 moves
 * low-priority data from CS1 to LE.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4594
 */

/** Service-class identifiers (RFC 4594 class names in kebab-case). */
export type ServiceClassName =
  | 'network-control'
  | 'telephony'
  | 'signaling'
  | 'multimedia-conferencing'
  | 'real-time-interactive'
  | 'multimedia-streaming'
  | 'broadcast-video'
  | 'low-latency-data'
  | 'oam'
  | 'high-throughput-data'
  | 'standard'
  | 'low-priority-data';

/** How much loss, delay or jitter a class tolerates (RFC 4594 wording; `yes` = tolerant of jitter). */
export type Tolerance =
  'very-low' | 'low' | 'low-medium' | 'medium' | 'medium-high' | 'high' | 'yes' | 'not-specified';

/**
 * Conditioning at the DS edge:
 * `police-sr-bs` — police with a single rate and burst size; `srtcm` — single-rate three-colour marker
 * (RFC 2697); `trtcm` — two-rate three-colour marker (RFC 2698); `none` — not applicable
 * (network control is the operator's own, RFC 4594 §3.1; standard and low-priority are not policed).
 */
export type EdgeConditioning = 'police-sr-bs' | 'srtcm' | 'trtcm' | 'none';

/** Queue type: a strict-priority queue or a rate (weighted) queue. */
export type Queuing = 'priority' | 'rate';

/** Active queue management: none, on the class, or per drop precedence (per DSCP). */
export type ActiveQueueManagement = 'no' | 'yes' | 'yes-per-dscp';

/** One row of the service-class table. */
export interface ServiceClass {
  readonly name: ServiceClassName;
  /** RFC 4594's own name of the class. */
  readonly title: string;
  /** Where RFC 4594 describes the class. */
  readonly section: string;
  /** Codepoints the class uses; the first is the default marking. */
  readonly dscps: readonly DscpName[];
  readonly phb: Phb;
  /** The RFC that defines the PHB. */
  readonly phbRfc: string;
  readonly conditioning: EdgeConditioning;
  readonly queuing: Queuing;
  readonly aqm: ActiveQueueManagement;
  readonly tolerance: { readonly loss: Tolerance; readonly delay: Tolerance; readonly jitter: Tolerance };
  /** Inelastic real-time traffic (it cannot slow down when the network is busy). */
  readonly realTime: boolean;
  /** Short description of the traffic (in this project's words). */
  readonly traffic: string;
}

const row = (r: ServiceClass): ServiceClass => Object.freeze({ ...r, dscps: Object.freeze([...r.dscps]) });

/** RFC 4594 service classes, most to least important for the network as RFC 4594 lists them. */
export const SERVICE_CLASSES: readonly ServiceClass[] = Object.freeze([
  row({
    name: 'network-control',
    title: 'Network Control',
    section: 'RFC 4594 §3.2',
    dscps: ['CS6'],
    phb: 'CS',
    phbRfc: 'RFC 2474',
    conditioning: 'none',
    queuing: 'rate',
    aqm: 'yes',
    tolerance: { loss: 'low', delay: 'low', jitter: 'yes' },
    realTime: false,
    traffic: 'routing and control messages; mostly short, bursts during convergence',
  }),
  row({
    name: 'telephony',
    title: 'Telephony',
    section: 'RFC 4594 §4.1',
    dscps: ['EF', 'VOICE-ADMIT'],
    phb: 'EF',
    phbRfc: 'RFC 3246',
    conditioning: 'police-sr-bs',
    queuing: 'priority',
    aqm: 'no',
    tolerance: { loss: 'very-low', delay: 'very-low', jitter: 'very-low' },
    realTime: true,
    traffic: 'small fixed-size packets at a constant rate; inelastic, low-rate flows',
  }),
  row({
    name: 'signaling',
    title: 'Signaling',
    section: 'RFC 4594 §4.2',
    dscps: ['CS5'],
    phb: 'CS',
    phbRfc: 'RFC 2474',
    conditioning: 'police-sr-bs',
    queuing: 'rate',
    aqm: 'no',
    tolerance: { loss: 'low', delay: 'low', jitter: 'yes' },
    realTime: false,
    traffic: 'call and session signalling; variable size, somewhat bursty, short-lived',
  }),
  row({
    name: 'multimedia-conferencing',
    title: 'Multimedia Conferencing',
    section: 'RFC 4594 §4.3',
    dscps: ['AF41', 'AF42', 'AF43'],
    phb: 'AF',
    phbRfc: 'RFC 2597',
    conditioning: 'trtcm',
    queuing: 'rate',
    aqm: 'yes-per-dscp',
    tolerance: { loss: 'low-medium', delay: 'very-low', jitter: 'low' },
    realTime: true,
    traffic: 'rate-adaptive audio/video conferencing; variable size, constant interval, reacts to loss',
  }),
  row({
    name: 'real-time-interactive',
    title: 'Real-Time Interactive',
    section: 'RFC 4594 §4.4',
    dscps: ['CS4'],
    phb: 'CS',
    phbRfc: 'RFC 2474',
    conditioning: 'police-sr-bs',
    queuing: 'rate',
    aqm: 'no',
    tolerance: { loss: 'low', delay: 'very-low', jitter: 'low' },
    realTime: true,
    traffic: 'inelastic interactive streams (gaming, remote control, telepresence)',
  }),
  row({
    name: 'multimedia-streaming',
    title: 'Multimedia Streaming',
    section: 'RFC 4594 §4.5',
    dscps: ['AF31', 'AF32', 'AF33'],
    phb: 'AF',
    phbRfc: 'RFC 2597',
    conditioning: 'trtcm',
    queuing: 'rate',
    aqm: 'yes-per-dscp',
    tolerance: { loss: 'low-medium', delay: 'medium', jitter: 'yes' },
    realTime: false,
    traffic: 'buffered audio/video on demand; elastic, variable rate',
  }),
  row({
    name: 'broadcast-video',
    title: 'Broadcast Video',
    section: 'RFC 4594 §4.6',
    dscps: ['CS3'],
    phb: 'CS',
    phbRfc: 'RFC 2474',
    conditioning: 'police-sr-bs',
    queuing: 'rate',
    aqm: 'no',
    tolerance: { loss: 'very-low', delay: 'medium', jitter: 'low' },
    realTime: true,
    traffic: 'broadcast TV and live events; inelastic, non-bursty',
  }),
  row({
    name: 'low-latency-data',
    title: 'Low-Latency Data',
    section: 'RFC 4594 §4.7',
    dscps: ['AF21', 'AF22', 'AF23'],
    phb: 'AF',
    phbRfc: 'RFC 2597',
    conditioning: 'srtcm',
    queuing: 'rate',
    aqm: 'yes-per-dscp',
    tolerance: { loss: 'low', delay: 'low-medium', jitter: 'yes' },
    realTime: false,
    traffic: 'interactive transactions; bursty, short-lived, elastic',
  }),
  row({
    name: 'oam',
    title: 'OAM',
    section: 'RFC 4594 §3.3',
    dscps: ['CS2'],
    phb: 'CS',
    phbRfc: 'RFC 2474',
    conditioning: 'police-sr-bs',
    queuing: 'rate',
    aqm: 'yes',
    tolerance: { loss: 'low', delay: 'medium', jitter: 'yes' },
    realTime: false,
    traffic: 'operations, administration and management traffic',
  }),
  row({
    name: 'high-throughput-data',
    title: 'High-Throughput Data',
    section: 'RFC 4594 §4.8',
    dscps: ['AF11', 'AF12', 'AF13'],
    phb: 'AF',
    phbRfc: 'RFC 2597',
    conditioning: 'trtcm',
    queuing: 'rate',
    aqm: 'yes-per-dscp',
    tolerance: { loss: 'low', delay: 'medium-high', jitter: 'yes' },
    realTime: false,
    traffic: 'bulk transfers (store and forward, GRID/SAN replication); bursty, long-lived, elastic',
  }),
  row({
    name: 'standard',
    title: 'Standard',
    section: 'RFC 4594 §4.9',
    dscps: ['DF'],
    phb: 'DF',
    phbRfc: 'RFC 2474',
    conditioning: 'none',
    queuing: 'rate',
    aqm: 'yes',
    tolerance: { loss: 'not-specified', delay: 'not-specified', jitter: 'not-specified' },
    realTime: false,
    traffic: 'undifferentiated traffic',
  }),
  row({
    name: 'low-priority-data',
    title: 'Low-Priority Data',
    section: 'RFC 4594 §4.10, updated by RFC 8622',
    dscps: ['LE', 'CS1'],
    phb: 'LE',
    phbRfc: 'RFC 8622',
    conditioning: 'none',
    queuing: 'rate',
    aqm: 'yes',
    tolerance: { loss: 'high', delay: 'high', jitter: 'yes' },
    realTime: false,
    traffic: 'scavenger traffic with no bandwidth assurance; elastic',
  }),
]);

const BY_NAME = new Map<string, ServiceClass>(SERVICE_CLASSES.map((c) => [c.name, c]));

/** Every service-class identifier. */
export const SERVICE_CLASS_NAMES: readonly ServiceClassName[] = Object.freeze(
  SERVICE_CLASSES.map((c) => c.name),
);

/** True if `name` is one of the service-class identifiers (exact, lower-case kebab-case). */
export function isServiceClassName(name: unknown): name is ServiceClassName {
  return typeof name === 'string' && BY_NAME.has(name);
}

/**
 * The row of a service class. Accepts the identifier in any case and with spaces or underscores
 * (`"High Throughput Data"` → `high-throughput-data`).
 * @throws {@link ServiceClassUnknownError}
 */
export function serviceClass(name: string): ServiceClass {
  const key = name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  const found = BY_NAME.get(key);
  if (found === undefined) throw new ServiceClassUnknownError(name);
  return found;
}

/** The default DSCP of a service class (the first codepoint of its row). */
export function defaultDscp(name: ServiceClassName): number {
  const first = serviceClass(name).dscps[0];
  if (first === undefined) throw new ServiceClassUnknownError(name);
  return dscpFromName(first);
}
