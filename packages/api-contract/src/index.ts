/**
 * `@svpn/api-contract` — the API's one source of truth: `openapi.yaml` (OpenAPI 3.1) and the types
 * openapi-typescript generates from it. The API service validates requests and responses against
 * the same document ({@link loadOpenApiDocument}); clients (the dashboard) import the types.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { components, operations, paths } from './generated/openapi.js';

export type { components, operations, paths } from './generated/openapi.js';

type Schemas = components['schemas'];
export type Connection = Schemas['Connection'];
export type ConnectionEvent = Schemas['ConnectionEvent'];
export type ConnectionStates = Schemas['ConnectionStates'];
export type Criteria = Schemas['Criteria'];
export type Endpoint = Schemas['Endpoint'];
export type ReserveRequest = Schemas['ReserveRequest'];
export type ModifyRequest = Schemas['ModifyRequest'];
export type ReservationState = Schemas['ReservationState'];
export type ProvisionState = Schemas['ProvisionState'];
export type LifecycleState = Schemas['LifecycleState'];
export type DataPlaneStatus = Schemas['DataPlaneStatus'];
export type Problem = Schemas['Problem'];
export type ApiKey = Schemas['ApiKey'];
export type ApiKeyCreate = Schemas['ApiKeyCreate'];
export type ApiKeyCreated = Schemas['ApiKeyCreated'];
export type Scope = Schemas['Scope'];
export type Webhook = Schemas['Webhook'];
export type WebhookCreate = Schemas['WebhookCreate'];
export type WebhookCreated = Schemas['WebhookCreated'];
export type Delivery = Schemas['Delivery'];
export type Topology = Schemas['Topology'];
export type LinkUse = Schemas['LinkUse'];
export type QueueCounts = Schemas['QueueCounts'];
export type Job = Schemas['Job'];
export type AuditRecord = Schemas['AuditRecord'];
/** Every operationId of the document. */
export type OperationId = keyof operations;

/** Path of `openapi.yaml` on disk. */
export const OPENAPI_PATH = new URL('../openapi.yaml', import.meta.url).pathname;

/** A parsed OpenAPI 3.1 document (only what the service reads is typed). */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; [section: string]: unknown };
  [key: string]: unknown;
}

/** The contract, parsed (a fresh copy each call: callers may change it). */
export function loadOpenApiDocument(): OpenApiDocument {
  return yaml.load(readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDocument;
}

/** Keeps `paths` referenced for consumers that only import runtime values. */
export type ApiPaths = paths;
