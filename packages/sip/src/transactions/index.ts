/**
 * SIP transactions (RFC 3261 §17, RFC 6026): four sans-IO state machines, the drivers that apply
 * their effects to a transport and a clock, transaction keys and the transaction table. Nothing in
 * this layer depends on the message model: the UA core adapts messages to the structural inputs.
 */
export * from './transaction-error.js';
export * from './transaction-options.js';
export {
  type TransactionKind,
  type TransactionTimerName,
  type TransactionSendEvent,
  type TransactionStartEvent,
  type TransactionReceivedResponseEvent,
  type TransactionReceivedRequestEvent,
  type TransactionReceivedAckEvent,
  type TransactionTuSendEvent,
  type TransactionTimerEvent,
  type TransactionTransportErrorEvent,
  type TransactionEvent,
  type TransactionTransmitWhat,
  type TransactionDeliverWhat,
  type TransactionTransmitEffect,
  type TransactionStartTimerEffect,
  type TransactionCancelTimerEffect,
  type TransactionDeliverEffect,
  type TransactionTimeoutEffect,
  type TransactionTransportErrorEffect,
  type TransactionTerminatedEffect,
  type TransactionEffect,
  type TransactionStateBase,
  type TransactionStep,
  type TransactionMachine,
} from './transaction-machine.js';
export * from './invite-client-transaction.js';
export * from './non-invite-client-transaction.js';
export * from './invite-server-transaction.js';
export * from './non-invite-server-transaction.js';
export * from './transaction-key.js';
export * from './transaction-table.js';
export * from './transaction-timers.js';
export {
  TransactionDriver,
  type TransactionDriverOptions,
  type TransactionLogger,
  type TransactionIoEffect,
  type TransactionErrorSink,
} from './transaction-driver.js';
export * from './client-transaction-driver.js';
export * from './server-transaction-driver.js';
export * from './lingering-server-transaction.js';
export * from './lingering-client-transaction.js';
export * from './timer-queue.js';
