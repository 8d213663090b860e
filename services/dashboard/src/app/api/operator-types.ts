/**
 * The shapes of the operator API answers the dashboard reads, derived from the contract: the types
 * openapi-typescript generates from packages/api-contract/openapi.yaml. Where the contract leaves a
 * record open (a session "with the fields of the session store", a tunnel, a charge record, the
 * policy's admin entities), the rest of its fields come from the type of the record the API
 * forwards, in the package that defines it — never a copy written here. Type-only imports: esbuild
 * erases them, so none of those packages reaches the browser bundle.
 */
import type { components, operations } from '@svpn/api-contract';
import type { ChargeRecord } from '@svpn/charging';
import type { Customer as PolicyCustomer } from '@svpn/policy';
import type { SessionEndpointRecord, SessionRecord } from '@svpn/store';
import type { AggregateView } from '@svpn/te';
import type { Sla } from '../model/sla-form.js';
import type { TopologySnapshot } from '../model/link-load.js';

export type { Sla, TopologySnapshot };

type Schemas = components['schemas'];

/** The JSON body of an operation's 200 answer. */
type Ok<Op extends keyof operations> = operations[Op]['responses'] extends {
  200: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/** A record the contract leaves open: the contract's fields, plus the producer's (optional: older or other producers may lack them). */
type Open<Contract, Producer> = Contract & Partial<Omit<Producer, keyof Contract>>;

/** `GET /v1/me`: the calling key, without its secret. */
export type ApiKeyInfo = Ok<'whoAmI'>;

export type SessionEndpoint = SessionEndpointRecord;

/** A live gateway session (`GET /v1/sessions`): the gateway's session record. */
export type Session = Open<Schemas['Session'], SessionRecord>;

/** An aggregate tunnel (LSP) of the admission engine (`GET /v1/tunnels`). */
export type Tunnel = Open<Schemas['Tunnel'], AggregateView>;

/** Job counts of one PE queue (`GET /v1/queues`). */
export type QueueCounts = Schemas['QueueCounts'];

/** A provisioning job (`GET /v1/queues/{pe}/failed`). */
export type Job = Schemas['Job'];

/** A charge record (`GET /v1/charges`); the charging service names the customer `customer`. */
export type Charge = Open<Schemas['Charge'], ChargeRecord>;

/** `GET /v1/customers/{id}/charges`. */
export type CustomerCharges = Omit<Ok<'listCustomerCharges'>, 'charges'> & { charges: Charge[] };

/** A customer (`GET /v1/customers`): the contract passes the policy service's admin entities through. */
export type Customer = PolicyCustomer;

export type ConnectionStates = Schemas['ConnectionStates'];

/** An NSI-style connection (`GET /v1/connections`). */
export type Connection = Schemas['Connection'];

/** The customer a charge record belongs to, whichever name the record uses. */
export function chargeCustomer(charge: Charge): string {
  return charge.customerId ?? charge.customer ?? '';
}
