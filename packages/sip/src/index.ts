// @svpn/sip — the public surface. Layers, bottom to top (a layer imports only layers below it):
// grammar → messages → transport → transactions → dialogs → auth → core (UA core) → ua (application API)
export * from './grammar/index.js';
export * from './messages/index.js';
export * from './transport/index.js';
export * from './transactions/index.js';
export * from './dialogs/index.js';
export * from './auth/index.js';
export * from './core/index.js';
export * from './ua/index.js';
