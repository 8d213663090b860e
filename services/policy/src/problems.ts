import { PolicyDataInvalidError } from '@svpn/policy';
import { HttpProblem } from '@svpn/service-kit';
import {
  PolicyConflictError,
  PolicyNotFoundError,
  PolicyReferenceError,
  PolicyWriteContentionError,
  UsageOwnerError,
} from '@svpn/store';

/**
 * The typed errors of the policy domain as RFC 9457 problems: missing → 404, duplicate or broken
 * reference → 409, invalid data → 400 with every problem listed, lost write races → 503.
 */
export function toHttpProblem(error: unknown): unknown {
  if (error instanceof PolicyNotFoundError) {
    return new HttpProblem(404, 'SVPN_NOT_FOUND', 'Not Found', error.message, {
      kind: error.kind,
      id: error.id,
    });
  }
  if (error instanceof PolicyConflictError) {
    return new HttpProblem(409, 'SVPN_POLICY_CONFLICT', 'Conflict', error.message, {
      kind: error.kind,
      id: error.id,
    });
  }
  if (error instanceof PolicyReferenceError) {
    return new HttpProblem(409, 'SVPN_POLICY_REFERENCE', 'Conflict', error.message, {
      kind: error.kind,
      id: error.id,
    });
  }
  if (error instanceof UsageOwnerError) {
    return new HttpProblem(409, 'SVPN_POLICY_USAGE_OWNER', 'Conflict', error.message);
  }
  if (error instanceof PolicyDataInvalidError) {
    return new HttpProblem(400, 'SVPN_POLICY_DATA_INVALID', 'Bad Request', error.message, {
      errors: error.problems.map((p) => ({ path: p.path, message: p.message })),
    });
  }
  if (error instanceof PolicyWriteContentionError) {
    return new HttpProblem(503, 'SVPN_POLICY_CONTENTION', 'Service Unavailable', error.message);
  }
  return error;
}

/** Runs a handler body, turning domain errors into problems. */
export async function asProblem<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toHttpProblem(error);
  }
}
