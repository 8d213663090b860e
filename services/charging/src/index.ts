/**
 * `@svpn/charging-service` — rates session events into charge records and serves them. The `svpn`
 * CLI and other services use: `startChargingService` (run it, in-process or on its own),
 * `ConfigSchema` (its configuration), `PeSimMeterReader` / `MeterReader` (where bytes come from),
 * `DEMO_TARIFFS`, and `buildApp` / `ChargeProcessor` (tests, embedding).
 */
export { ConfigSchema, type Config } from './config.js';
export { buildApp, type ChargingApp, type ChargingAppDeps } from './app.js';
export {
  loadTariffs,
  startChargingService,
  type ChargingService,
  type ChargingServiceDeps,
} from './start-charging-service.js';
export {
  ChargeProcessor,
  type ChargeProcessorOptions,
  type ChargeProcessResult,
} from './workers/charge-processor.js';
export { PeSimMeterReader, type MeterQuery, type MeterReader } from './meter/meter-reader.js';
export { createChargingMetrics, type BacklogProbe, type ChargingMetrics } from './metrics.js';
export { DEMO_TARIFFS } from './demo/demo-tariffs.js';
export { parseInstant } from './routes/charges-routes.js';
