/**
 * `@svpn/qos` — pure QoS logic: Tspec/Rspec (RFC 2210/2212), encapsulation overhead and Tspec
 * sums, SDP bandwidth conversions (RFC 3890), DSCP/PHB tables (RFC 4594) and precedence mappings
 * (RFC 4412, RSVP-TE, RFC 3181).
 */
export * from './errors.js';
export * from './tspec/tspec.js';
export * from './tspec/rspec.js';
export * from './tspec/tspec-attribute.js';
export * from './overhead/add-overhead.js';
export * from './overhead/sum-tspecs.js';
export * from './overhead/encapsulation-overhead.js';
export * from './bandwidth/sdp-bandwidth.js';
export * from './dscp/dscp.js';
export * from './dscp/service-class.js';
export * from './dscp/choose-dscp.js';
export * from './precedence/precedence-level.js';
export * from './precedence/resource-priority.js';
export * from './precedence/precedence-map.js';
