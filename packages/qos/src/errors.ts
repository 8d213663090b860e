import { SvpnError } from '@svpn/errors';

/**
 * Typed errors of `@svpn/qos`. Every error carries a stable `code` (`QOS_…`) that callers switch on;
 * messages are for people and may change.
 */

/** Stable error codes of this package. */
export type QosErrorCode =
  | 'QOS_TSPEC_INVALID'
  | 'QOS_RSPEC_INVALID'
  | 'QOS_TSPEC_SUM_EMPTY'
  | 'QOS_OVERHEAD_INVALID'
  | 'QOS_BANDWIDTH_INVALID'
  | 'QOS_DSCP_INVALID'
  | 'QOS_DSCP_UNKNOWN_NAME'
  | 'QOS_SERVICE_CLASS_UNKNOWN'
  | 'QOS_CONFIG_INVALID'
  | 'QOS_RESOURCE_PRIORITY_NAMESPACE_UNKNOWN'
  | 'QOS_RESOURCE_PRIORITY_INVALID'
  | 'QOS_PRECEDENCE_INVALID';

/** Base of every error thrown by `@svpn/qos`. */
export class QosError extends SvpnError<QosErrorCode> {}

/** Which RFC 2210 / RFC 2212 / RFC 2215 rule a Tspec broke. */
export type TspecRule =
  | 'syntax'
  | 'finite'
  | 'non-negative'
  | 'integer-units'
  | 'peak-below-rate'
  | 'min-above-max'
  | 'max-above-mtu'
  | 'bucket-below-max'
  | 'max-packet-zero';

/** A token-bucket Tspec failed validation; `rule` names the rule and `field` the offending field. */
export class TspecInvalidError extends QosError {
  readonly rule: TspecRule;
  readonly field: string;

  constructor(rule: TspecRule, field: string, message: string) {
    super('QOS_TSPEC_INVALID', message);
    this.rule = rule;
    this.field = field;
  }
}

/** Which rule an Rspec broke. */
export type RspecRule = 'syntax' | 'finite' | 'non-negative' | 'rate-below-tspec-rate' | 'rate-zero';

/** A Guaranteed-service Rspec failed validation. */
export class RspecInvalidError extends QosError {
  readonly rule: RspecRule;
  readonly field: string;

  constructor(rule: RspecRule, field: string, message: string) {
    super('QOS_RSPEC_INVALID', message);
    this.rule = rule;
    this.field = field;
  }
}

/** `sumTspecs([])`: an empty sum has no minimum policed unit. */
export class TspecSumEmptyError extends QosError {
  constructor() {
    super('QOS_TSPEC_SUM_EMPTY', 'cannot sum an empty list of Tspecs (no m or M to take)');
  }
}

/** An encapsulation overhead that cannot be applied (negative, fractional, or m = 0). */
export class OverheadInvalidError extends QosError {
  constructor(message: string) {
    super('QOS_OVERHEAD_INVALID', message);
  }
}

/** A bandwidth figure (b=AS, b=TIAS, a=maxprate, bit rate) that is not usable. */
export class BandwidthInvalidError extends QosError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('QOS_BANDWIDTH_INVALID', message);
    this.field = field;
  }
}

/** A DSCP outside 0..63 or not an integer. */
export class DscpInvalidError extends QosError {
  readonly value: unknown;

  constructor(value: unknown) {
    super('QOS_DSCP_INVALID', `DSCP must be an integer in 0..63, got ${String(value)}`);
    this.value = value;
  }
}

/** A DSCP name (`AF41`, `EF`, …) that is not in the table. */
export class DscpUnknownNameError extends QosError {
  readonly dscpName: string;

  constructor(dscpName: string) {
    super('QOS_DSCP_UNKNOWN_NAME', `unknown DSCP name "${dscpName}"`);
    this.dscpName = dscpName;
  }
}

/** A service-class identifier that is not one of the RFC 4594 classes. */
export class ServiceClassUnknownError extends QosError {
  readonly serviceClass: string;

  constructor(serviceClass: string) {
    super('QOS_SERVICE_CLASS_UNKNOWN', `unknown service class "${serviceClass}"`);
    this.serviceClass = serviceClass;
  }
}

/** A configuration object (DSCP choice, precedence map) that is inconsistent. */
export class QosConfigInvalidError extends QosError {
  constructor(message: string) {
    super('QOS_CONFIG_INVALID', message);
  }
}

/**
 * A `Resource-Priority` namespace this broker does not support.
 * RFC 4412 — the SIP layer answers 417 (Unknown Resource-Priority) and lists what it accepts
 * in `Accept-Resource-Priority`.
 */
export class ResourcePriorityNamespaceUnknownError extends QosError {
  /** SIP status the gateway answers with. */
  readonly sipStatus = 417;
  readonly namespace: string;

  constructor(namespace: string) {
    super('QOS_RESOURCE_PRIORITY_NAMESPACE_UNKNOWN', `unknown Resource-Priority namespace "${namespace}"`);
    this.namespace = namespace;
  }
}

/** A `Resource-Priority` value that does not parse, or a priority value not in its namespace. */
export class ResourcePriorityInvalidError extends QosError {
  /** SIP status the gateway answers with (RFC 4412 417 Unknown Resource-Priority). */
  readonly sipStatus = 417;
  readonly value: string;

  constructor(value: string, message: string) {
    super('QOS_RESOURCE_PRIORITY_INVALID', message);
    this.value = value;
  }
}

/** A precedence level, RSVP priority or RFC 3181 priority that the map cannot translate. */
export class PrecedenceInvalidError extends QosError {
  constructor(message: string) {
    super('QOS_PRECEDENCE_INVALID', message);
  }
}
