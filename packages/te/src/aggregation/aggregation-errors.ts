import { TeError, type TeErrorCode } from '../errors.js';

/** Stable codes of the aggregation errors. */
export type AggregationErrorCode =
  | 'TE_AGGREGATION_CONFIG_INVALID'
  | 'TE_FLOW_INVALID'
  | 'TE_FLOW_DUPLICATE'
  | 'TE_FLOW_UNKNOWN'
  | 'TE_AGGREGATE_UNKNOWN';

/**
 * DEVIATION(STYLE.md "Errors"): the `TeErrorCode` union lives in `errors.ts`, which this module does
 * not own; until these codes join it, they reach the `TeError` constructor through this one cast.
 */
function teCode(code: AggregationErrorCode): TeErrorCode {
  return code as unknown as TeErrorCode;
}

/** The aggregation layers do not fit together (unknown carrier layer, cycle, link unknown to the ledger, …). */
export class AggregationConfigInvalidError extends TeError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(teCode('TE_AGGREGATION_CONFIG_INVALID'), `invalid aggregation layers: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

/** A flow description that is malformed (a caller bug, not a capacity refusal). */
export class FlowInvalidError extends TeError {
  readonly field: string;

  constructor(field: string, message: string) {
    super(teCode('TE_FLOW_INVALID'), `${field}: ${message}`);
    this.field = field;
  }
}

/** A flow id that is already carried (or already names a ledger reservation). */
export class DuplicateFlowError extends TeError {
  readonly flowId: string;

  constructor(flowId: string) {
    super(teCode('TE_FLOW_DUPLICATE'), `flow "${flowId}" already exists`);
    this.flowId = flowId;
  }
}

/** A flow id the aggregate manager does not carry. */
export class UnknownFlowError extends TeError {
  readonly flowId: string;

  constructor(flowId: string) {
    super(teCode('TE_FLOW_UNKNOWN'), `unknown flow "${flowId}"`);
    this.flowId = flowId;
  }
}

/** An aggregate id the aggregate manager does not hold. */
export class UnknownAggregateError extends TeError {
  readonly aggregateId: string;

  constructor(aggregateId: string) {
    super(teCode('TE_AGGREGATE_UNKNOWN'), `unknown aggregate "${aggregateId}"`);
    this.aggregateId = aggregateId;
  }
}
