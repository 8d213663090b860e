// SIP transport layer (RFC 3261 §18): UDP, TCP and TLS over IPv4 and IPv6, stream framing,
// response routing (RFC 3261 §18.2.2, RFC 3581). Deals in Buffers; parsing happens above.
export * from './transport-error.js';
export * from './normalize-address.js';
export * from './transport.js';
export * from './stream-framer.js';
export * from './stream-transport.js';
export * from './tcp-transport.js';
export * from './tls-transport.js';
export * from './udp-transport.js';
export * from './transport-manager.js';
export * from './response-target.js';
export * from './via-received-params.js';
