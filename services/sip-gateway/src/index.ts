export * from './sdp/vpn-request.js';
