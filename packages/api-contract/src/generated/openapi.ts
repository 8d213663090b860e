/**
 * Generated from packages/api-contract/openapi.yaml by openapi-typescript.
 * Do not edit: change openapi.yaml and run `npm run generate -w @svpn/api-contract`.
 */
export interface paths {
  '/v1/connections': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List connections (NSI querySummary), newest first, with filters */
    get: operations['querySummary'];
    put?: never;
    /** Reserve a connection (NSI reserve); it is held until committed, aborted or the hold timer expires */
    post: operations['reserve'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/connections/{connectionId}': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    /** One connection with its full state (NSI query) */
    get: operations['queryConnection'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/connections/{connectionId}/commit': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Commit the held reservation (NSI reserveCommit) */
    post: operations['reserveCommit'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/connections/{connectionId}/abort': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Abort the held, failed or timed-out reservation (NSI reserveAbort) */
    post: operations['reserveAbort'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/connections/{connectionId}/provision': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Activate the data plane (NSI provision) — now, or at the start time of a scheduled connection */
    post: operations['provision'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/connections/{connectionId}/release': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Deactivate the data plane, keeping the reservation (NSI release) */
    post: operations['release'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/connections/{connectionId}/terminate': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** End the connection and give its resources back (NSI terminate) */
    post: operations['terminate'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/connections/{connectionId}/modify': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Change bandwidth and/or end time (NSI modify — a reserve of a new version, then commit or abort) */
    post: operations['modify'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/connections/{connectionId}/events': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    /** Every state change of one connection, oldest first */
    get: operations['connectionHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Server-Sent Events stream of connection state changes (event `connection`) and keep-alives
     * @description Each `connection` event's data is a ConnectionEvent (JSON); its SSE `id` is the event id, and a
     *     reconnecting client's `Last-Event-ID` replays what it missed. An application key sees its own
     *     connections; an operator key sees all, plus `session` events (gateway sessions starting and ending).
     */
    get: operations['eventStream'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhooks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The caller's webhook subscriptions (all of them for an operator) */
    get: operations['listWebhooks'];
    put?: never;
    /** Subscribe a URL to connection events (signed with the returned secret) */
    post: operations['createWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhooks/{webhookId}': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        webhookId: components['schemas']['Id'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Unsubscribe */
    delete: operations['deleteWebhook'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhooks/{webhookId}/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        webhookId: components['schemas']['Id'];
      };
      cookie?: never;
    };
    /** The delivery log of one subscription, newest first */
    get: operations['listDeliveries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The calling key (the dashboard's login check) */
    get: operations['whoAmI'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every API key, without secrets (operator) */
    get: operations['listKeys'];
    put?: never;
    /** Issue an API key (operator); the key itself is shown once and stored only as a SHA-256 hash */
    post: operations['createKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/keys/{keyId}': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        keyId: components['schemas']['Id'];
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke a key (operator) */
    delete: operations['revokeKey'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/customers': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['listCustomers'];
    put?: never;
    post: operations['createCustomer'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/customers/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    get: operations['getCustomer'];
    put: operations['replaceCustomer'];
    post?: never;
    delete: operations['deleteCustomer'];
    options?: never;
    head?: never;
    patch: operations['patchCustomer'];
    trace?: never;
  };
  '/v1/applications': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['listApplications'];
    put?: never;
    post: operations['createApplication'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/applications/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    get: operations['getApplication'];
    put: operations['replaceApplication'];
    post?: never;
    delete: operations['deleteApplication'];
    options?: never;
    head?: never;
    patch: operations['patchApplication'];
    trace?: never;
  };
  '/v1/vpns': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['listVpns'];
    put?: never;
    post: operations['createVpn'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/vpns/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    get: operations['getVpn'];
    put: operations['replaceVpn'];
    post?: never;
    delete: operations['deleteVpn'];
    options?: never;
    head?: never;
    patch: operations['patchVpn'];
    trace?: never;
  };
  '/v1/slas': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['listSlas'];
    put?: never;
    post: operations['createSla'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/slas/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    get: operations['getSla'];
    put: operations['replaceSla'];
    post?: never;
    delete: operations['deleteSla'];
    options?: never;
    head?: never;
    patch: operations['patchSla'];
    trace?: never;
  };
  '/v1/topology': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Nodes, links and per-link reserved bandwidth by holding priority, from the TE ledger */
    get: operations['getTopology'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Live gateway sessions (SIP and API users alike) */
    get: operations['listSessions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tunnels': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Aggregate tunnels (LSPs) the admission engine holds */
    get: operations['listTunnels'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/queues': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Job counts of every PE provisioning queue */
    get: operations['listQueues'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/queues/{pe}/failed': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        pe: components['schemas']['Name'];
      };
      cookie?: never;
    };
    /** Failed jobs of one PE queue, newest first */
    get: operations['listFailedJobs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/queues/{pe}/jobs/{jobId}/retry': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        pe: components['schemas']['Name'];
        jobId: string;
      };
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Retry a failed job (BullMQ job.retry()) */
    post: operations['retryJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/charges': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Charge records (all, or one customer's), newest first */
    get: operations['listCharges'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/charges.csv': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Charge records as CSV */
    get: operations['exportCharges'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/customers/{id}/charges': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    /** One customer's charge records, with their total */
    get: operations['listCustomerCharges'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Who changed what, when (append-only), newest first */
    get: operations['listAudit'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Id: string;
    Name: string;
    /** @description svpn connection id (NSI connectionId) */
    ConnectionId: string;
    /** Format: date-time */
    DateTime: string;
    /** @enum {string} */
    ReservationState:
      | 'ReserveStart'
      | 'ReserveChecking'
      | 'ReserveHeld'
      | 'ReserveCommitting'
      | 'ReserveFailed'
      | 'ReserveTimeout'
      | 'ReserveAborting';
    /** @enum {string} */
    ProvisionState: 'Released' | 'Provisioning' | 'Provisioned' | 'Releasing';
    /** @enum {string} */
    LifecycleState: 'Created' | 'Failed' | 'PassedEndTime' | 'Terminating' | 'Terminated';
    /** @description An NSI service termination point — an application at a customer edge (CE). */
    Endpoint: {
      application: components['schemas']['Name'];
      /** @description the customer edge; defaults to the application's CE in the policy data */
      ce?: components['schemas']['Name'];
    };
    Criteria: {
      version: number;
      bandwidthBps: number;
      serviceClass: string;
      /** @description RFC 4412 Resource-Priority, e.g. dsn.priority */
      priority?: string | null;
      /**
       * Format: date-time
       * @description null means now
       */
      startTime: string | null;
      /**
       * Format: date-time
       * @description null means open-ended
       */
      endTime: string | null;
    };
    ReserveRequest: {
      description?: string;
      globalReservationId?: string;
      /** @description VPN-ID (OUI:index) or name */
      vpnId: string;
      source: components['schemas']['Endpoint'];
      destination: components['schemas']['Endpoint'];
      bandwidthBps: number;
      /** @default high-throughput-data */
      serviceClass: string;
      /** @description RFC 4412 Resource-Priority, e.g. dsn.priority */
      priority?: string;
      /** Format: date-time */
      startTime?: string;
      /** Format: date-time */
      endTime?: string;
      /**
       * @description commit as soon as the reservation is held
       * @default false
       */
      autoCommit: boolean;
      /**
       * @description provision as soon as it is committed
       * @default false
       */
      autoProvision: boolean;
    };
    ModifyRequest: {
      bandwidthBps?: number;
      /** Format: date-time */
      endTime?: string | null;
      /** @default false */
      autoCommit: boolean;
    };
    DataPlaneStatus: {
      active: boolean;
      version: number;
      versionConsistent: boolean;
    };
    ConnectionStates: {
      reservationState: components['schemas']['ReservationState'];
      provisionState: components['schemas']['ProvisionState'];
      lifecycleState: components['schemas']['LifecycleState'];
      dataPlaneStatus: components['schemas']['DataPlaneStatus'];
    };
    SessionInfo: {
      sessionId: string;
      callId: string;
      lspId?: string | null;
      grantedBps?: number | null;
      dscp?: number | null;
      label?: number | null;
    };
    ErrorInfo: {
      code: string;
      nsiErrorId: string;
      detail: string;
      at: components['schemas']['DateTime'];
    };
    Connection: {
      connectionId: components['schemas']['ConnectionId'];
      globalReservationId?: string;
      description?: string;
      /** @description the application that owns it (the caller of the SIP call) */
      application: string;
      customerId: string;
      vpnId: string;
      source: components['schemas']['Endpoint'];
      destination: components['schemas']['Endpoint'];
      criteria: components['schemas']['Criteria'];
      /** @description the version being reserved by a modify, until it is committed or aborted */
      pendingCriteria?: components['schemas']['Criteria'] | null;
      committedVersion: number;
      states: components['schemas']['ConnectionStates'];
      autoCommit: boolean;
      autoProvision: boolean;
      /** Format: date-time */
      holdExpiresAt?: string | null;
      session?: components['schemas']['SessionInfo'] | null;
      lastError?: components['schemas']['ErrorInfo'] | null;
      createdAt: components['schemas']['DateTime'];
      updatedAt: components['schemas']['DateTime'];
    };
    ConnectionEvent: {
      id: string;
      connectionId: components['schemas']['ConnectionId'];
      application: string;
      /**
       * @description what happened (NSI notification names where they exist)
       * @enum {string}
       */
      type:
        | 'reserveConfirmed'
        | 'reserveFailed'
        | 'reserveCommitConfirmed'
        | 'reserveCommitFailed'
        | 'reserveAbortConfirmed'
        | 'reserveTimeout'
        | 'provisionConfirmed'
        | 'provisionFailed'
        | 'releaseConfirmed'
        | 'terminateConfirmed'
        | 'dataPlaneStateChange'
        | 'passedEndTime'
        | 'errorEvent'
        | 'modifyConfirmed';
      at: components['schemas']['DateTime'];
      states: components['schemas']['ConnectionStates'];
      detail?: string;
    };
    WebhookCreate: {
      /** Format: uri */
      url: string;
      /** @description event types to deliver; all when absent */
      events?: string[];
    };
    Webhook: {
      id: string;
      url: string;
      /** @description key id of the subscriber */
      owner: string;
      events?: string[];
      createdAt: components['schemas']['DateTime'];
    };
    /** @description a new subscription, with its signing secret (shown once) */
    WebhookCreated: {
      id: string;
      url: string;
      owner: string;
      events?: string[];
      createdAt: components['schemas']['DateTime'];
      /** @description HMAC-SHA256 key for X-Svpn-Signature (shown once) */
      secret: string;
    };
    Delivery: {
      eventId: string;
      attempt: number;
      at: components['schemas']['DateTime'];
      ok: boolean;
      status?: number | null;
      error?: string;
      /** Format: date-time */
      nextAttemptAt?: string | null;
    };
    /** @enum {string} */
    Scope: 'connections:read' | 'connections:write' | 'operator';
    ApiKeyCreate: {
      name: string;
      /** @description the application the key acts for (required unless the key has the operator scope) */
      application?: components['schemas']['Name'];
      scopes: components['schemas']['Scope'][];
    };
    ApiKey: {
      keyId: string;
      name: string;
      application?: string | null;
      customerId?: string | null;
      scopes: components['schemas']['Scope'][];
      createdAt: components['schemas']['DateTime'];
    };
    /** @description a new key; `key` is shown once and stored only as its SHA-256 */
    ApiKeyCreated: {
      keyId: string;
      name: string;
      application?: string | null;
      customerId?: string | null;
      scopes: components['schemas']['Scope'][];
      createdAt: components['schemas']['DateTime'];
      /** @description svpn_<keyId>_<secret> */
      key: string;
    };
    LinkUse: {
      id: string;
      from: string;
      to: string;
      capacityBps: number;
      reservedBps: number;
      /** @description reservedBps / capacityBps */
      utilisation: number;
      /** @description bandwidth reserved at each holding priority 0 (highest) … 7 */
      reservedByPriorityBps: number[];
    };
    TopologyNode: {
      id: string;
      /** @enum {string} */
      kind: 'PE' | 'P';
      routerId?: string;
    };
    Topology: {
      nodes: components['schemas']['TopologyNode'][];
      links: components['schemas']['LinkUse'][];
      at: components['schemas']['DateTime'];
    };
    /** @description a gateway session record (fields of the session store) */
    Session: {
      sessionId: string;
      callId?: string;
      phase?: string;
      customerId?: string;
      vpnId?: string;
      caller?: string;
      callee?: string;
      grantedBps?: number;
      dscp?: number;
      lspId?: string | null;
      setupAt?: number;
    };
    /** @description an aggregate tunnel (LSP) of the admission engine */
    Tunnel: {
      id: string;
      ingress?: string;
      egress?: string;
      sizeBps?: number;
      links?: string[];
    };
    QueueCounts: {
      pe: string;
      queue: string;
      waiting: number;
      active: number;
      delayed: number;
      failed: number;
      completed: number;
    };
    Job: {
      id: string;
      name: string;
      state: string;
      attemptsMade: number;
      failedReason?: string | null;
      timestamp?: number | null;
      finishedOn?: number | null;
      data?: unknown;
    };
    /** @description a charge record (charging service) */
    Charge: {
      sessionId: string;
      customerId?: string;
    };
    AuditRecord: {
      id: string;
      at: components['schemas']['DateTime'];
      /** @description key id */
      actor: string;
      application?: string | null;
      /** @enum {string} */
      role: 'operator' | 'application' | 'anonymous';
      method: string;
      path: string;
      operation?: string | null;
      target?: string | null;
      status: number;
    };
    Problem: {
      type: string;
      title: string;
      status: number;
      detail?: string;
      instance?: string;
      code?: string;
      nsiErrorId?: string;
      connectionId?: string;
    };
  };
  responses: {
    /** @description RFC 9457 problem details */
    Problem: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description the connection after the operation */
    ConnectionOk: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['Connection'];
      };
    };
    /** @description every entity of the collection (policy service admin data) */
    EntityList: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': Record<string, never>[];
      };
    };
    /** @description the entity */
    EntityOk: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': Record<string, never>;
      };
    };
    /** @description the created entity */
    EntityCreated: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': Record<string, never>;
      };
    };
  };
  parameters: {
    ConnectionId: components['schemas']['ConnectionId'];
    EntityId: string;
  };
  requestBodies: {
    /** @description the policy service's admin body for this collection (validated there) */
    Entity: {
      content: {
        'application/json': Record<string, never>;
      };
    };
  };
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  querySummary: {
    parameters: {
      query?: {
        reservationState?: components['schemas']['ReservationState'];
        provisionState?: components['schemas']['ProvisionState'];
        lifecycleState?: components['schemas']['LifecycleState'];
        application?: components['schemas']['Name'];
        customerId?: components['schemas']['Name'];
        vpnId?: string;
        /** @description data plane active */
        active?: boolean;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description matching connections */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            connections: components['schemas']['Connection'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  reserve: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ReserveRequest'];
      };
    };
    responses: {
      /** @description the connection, in ReserveHeld (or further with autoCommit / autoProvision) */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Connection'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  queryConnection: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the connection */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Connection'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  reserveCommit: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['ConnectionOk'];
      default: components['responses']['Problem'];
    };
  };
  reserveAbort: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['ConnectionOk'];
      default: components['responses']['Problem'];
    };
  };
  provision: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['ConnectionOk'];
      default: components['responses']['Problem'];
    };
  };
  release: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['ConnectionOk'];
      default: components['responses']['Problem'];
    };
  };
  terminate: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['ConnectionOk'];
      default: components['responses']['Problem'];
    };
  };
  modify: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ModifyRequest'];
      };
    };
    responses: {
      200: components['responses']['ConnectionOk'];
      default: components['responses']['Problem'];
    };
  };
  connectionHistory: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        connectionId: components['parameters']['ConnectionId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the connection's events */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            events: components['schemas']['ConnectionEvent'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  eventStream: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description an endless event stream */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': string;
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listWebhooks: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description subscriptions */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            webhooks: components['schemas']['Webhook'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  createWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['WebhookCreate'];
      };
    };
    responses: {
      /** @description the subscription, with its signing secret (shown once) */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookCreated'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  deleteWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        webhookId: components['schemas']['Id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description removed */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      default: components['responses']['Problem'];
    };
  };
  listDeliveries: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        webhookId: components['schemas']['Id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deliveries */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            deliveries: components['schemas']['Delivery'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  whoAmI: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the key, without its secret */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApiKey'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listKeys: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description keys */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            keys: components['schemas']['ApiKey'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  createKey: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ApiKeyCreate'];
      };
    };
    responses: {
      /** @description the new key */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApiKeyCreated'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  revokeKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        keyId: components['schemas']['Id'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description revoked */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      default: components['responses']['Problem'];
    };
  };
  listCustomers: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['EntityList'];
      default: components['responses']['Problem'];
    };
  };
  createCustomer: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      201: components['responses']['EntityCreated'];
      default: components['responses']['Problem'];
    };
  };
  getCustomer: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  replaceCustomer: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  deleteCustomer: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      default: components['responses']['Problem'];
    };
  };
  patchCustomer: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  listApplications: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['EntityList'];
      default: components['responses']['Problem'];
    };
  };
  createApplication: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      201: components['responses']['EntityCreated'];
      default: components['responses']['Problem'];
    };
  };
  getApplication: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  replaceApplication: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  deleteApplication: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      default: components['responses']['Problem'];
    };
  };
  patchApplication: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  listVpns: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['EntityList'];
      default: components['responses']['Problem'];
    };
  };
  createVpn: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      201: components['responses']['EntityCreated'];
      default: components['responses']['Problem'];
    };
  };
  getVpn: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  replaceVpn: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  deleteVpn: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      default: components['responses']['Problem'];
    };
  };
  patchVpn: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  listSlas: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['EntityList'];
      default: components['responses']['Problem'];
    };
  };
  createSla: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      201: components['responses']['EntityCreated'];
      default: components['responses']['Problem'];
    };
  };
  getSla: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  replaceSla: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  deleteSla: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      default: components['responses']['Problem'];
    };
  };
  patchSla: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody: components['requestBodies']['Entity'];
    responses: {
      200: components['responses']['EntityOk'];
      default: components['responses']['Problem'];
    };
  };
  getTopology: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the provider network and its use */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Topology'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listSessions: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description sessions */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            sessions: components['schemas']['Session'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listTunnels: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description tunnels */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            tunnels: components['schemas']['Tunnel'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listQueues: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description queues */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            queues: components['schemas']['QueueCounts'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listFailedJobs: {
    parameters: {
      query?: {
        limit?: number;
      };
      header?: never;
      path: {
        pe: components['schemas']['Name'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description failed jobs */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            jobs: components['schemas']['Job'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  retryJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        pe: components['schemas']['Name'];
        jobId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the job, waiting again */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Job'];
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listCharges: {
    parameters: {
      query?: {
        customer?: components['schemas']['Name'];
        from?: string;
        to?: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a page of charge records */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            charges: components['schemas']['Charge'][];
            nextCursor?: string | null;
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  exportCharges: {
    parameters: {
      query?: {
        customer?: components['schemas']['Name'];
        from?: string;
        to?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description CSV, one row per charge record */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/csv': string;
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listCustomerCharges: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: components['parameters']['EntityId'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the customer's charges */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            customerId: string;
            charges: components['schemas']['Charge'][];
            totalMinor: number;
            currency?: string | null;
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
  listAudit: {
    parameters: {
      query?: {
        /** @description key id */
        actor?: components['schemas']['Id'];
        /** @description RFC 3339 date-time */
        since?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description audit records */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            records: components['schemas']['AuditRecord'][];
          };
        };
      };
      default: components['responses']['Problem'];
    };
  };
}
