import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { TariffBook, type ChargeRecord } from '@svpn/charging';
import { PeSimulator } from '@svpn/pe-sim';
import { connectRedis, createLogger, httpUrl, pingRedis, type Logger } from '@svpn/service-kit';
import {
  KeySpace,
  RedisChargeStore,
  SessionEventConsumer,
  sessionEventGroupInfo,
  type ChargeStore,
} from '@svpn/store';
import { parseTopology } from '@svpn/te';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { DEMO_TARIFFS } from './demo/demo-tariffs.js';
import { PeSimMeterReader, type MeterReader } from './meter/meter-reader.js';
import { ChargeProcessor } from './workers/charge-processor.js';

/** What {@link startChargingService} may be given instead of building it from the configuration. */
export interface ChargingServiceDeps {
  /** A Redis connection to use (and leave open on stop). @defaultValue one to `config.redisUrl` */
  readonly redis?: Redis;
  /** The record store. @defaultValue a {@link RedisChargeStore} under `config.keyPrefix` */
  readonly store?: ChargeStore<ChargeRecord>;
  /** @defaultValue from `config.tariffs` / `config.tariffsFile`, else the demo tariffs */
  readonly tariffs?: TariffBook;
  /** Bytes for stop events without them; `null` for none. @defaultValue per `config.meter` */
  readonly meter?: MeterReader | null;
  readonly log?: Logger;
  /** Metrics registry for `/metrics` (the CLI shares one between services). */
  readonly registry?: Registry;
  /** Listen on `config.httpHost:httpPort`. @defaultValue true */
  readonly listen?: boolean;
  /** Run the consumer loop. @defaultValue true */
  readonly consume?: boolean;
  /** True while the process drains (`/readyz` 503). */
  readonly draining?: () => boolean;
  /** Clock for the lag metric. @defaultValue Date.now */
  readonly now?: () => number;
}

/** A running charging service. */
export interface ChargingService {
  readonly app: FastifyInstance;
  /** The consumer-group member (running unless `consume: false`; `pollOnce()` drives it by hand). */
  readonly consumer: SessionEventConsumer;
  readonly processor: ChargeProcessor;
  readonly store: ChargeStore<ChargeRecord>;
  readonly tariffs: TariffBook;
  /** `http://host:port` when listening. */
  readonly url: string | undefined;
  /** Stops consuming (the event in hand finishes and is acknowledged), closes HTTP, then the connections it opened. */
  stop(): Promise<void>;
}

/** The tariff book the configuration names: inline JSON, a file, or the demo tariffs. */
export async function loadTariffs(config: Pick<Config, 'tariffs' | 'tariffsFile'>): Promise<TariffBook> {
  if (config.tariffs !== '') return TariffBook.parse(config.tariffs);
  if (config.tariffsFile !== '') return TariffBook.parse(await readFile(config.tariffsFile, 'utf8'));
  return TariffBook.parse(DEMO_TARIFFS);
}

/**
 * Starts the charging service: a member of the consumer group `config.consumerGroup` on the session
 * event stream that folds every event into its session's charge record (exactly once in effect),
 * and the HTTP API over the records. `svpn up` runs it in-process next to the other services;
 * `svpn run charging` runs only this.
 */
export async function startChargingService(
  config: Config,
  deps: ChargingServiceDeps = {},
): Promise<ChargingService> {
  const log = deps.log ?? createLogger('charging');
  const ownRedis = deps.redis === undefined ? connectRedis(config.redisUrl) : undefined;
  const redis = (deps.redis ?? ownRedis)!;
  try {
    const keys = new KeySpace(config.keyPrefix);
    const store = deps.store ?? new RedisChargeStore<ChargeRecord>(redis, keys);
    const tariffs = deps.tariffs ?? (await loadTariffs(config));
    let meter: MeterReader | null;
    if (deps.meter !== undefined) meter = deps.meter;
    else if (config.meter === 'pe-sim') {
      const topology = parseTopology(await readFile(config.topologyFile, 'utf8'));
      // Read-only use of the simulated network: counters only, no init (the provisioner owns it).
      meter = new PeSimMeterReader(new PeSimulator({ redis, prefix: config.peSimPrefix, topology }));
    } else meter = null;

    const { app, metrics } = buildApp({
      store,
      log: log.child({ component: 'charging.http' }),
      csvMaxRows: config.csvMaxRows,
      checks: { redis: () => pingRedis(redis) },
      ...(deps.registry === undefined ? {} : { registry: deps.registry }),
      ...(deps.draining === undefined ? {} : { draining: deps.draining }),
    });
    const processor = new ChargeProcessor({
      store,
      tariffs,
      metrics,
      log: log.child({ component: 'charging.processor' }),
      ...(meter === null ? {} : { meter }),
      ...(deps.now === undefined ? {} : { now: deps.now }),
    });
    const consumerLog = log.child({ component: 'charging.consumer' });
    const consumer = new SessionEventConsumer({
      redis,
      keys,
      group: config.consumerGroup,
      consumer: config.consumerName !== '' ? config.consumerName : `charging-${hostname()}-${process.pid}`,
      claimIdleMs: config.claimIdleMs,
      blockMs: config.blockMs,
      batchSize: config.batchSize,
      maxDeliveries: config.maxDeliveries,
      handler: async (event) => {
        await processor.process(event);
      },
      delegate: {
        onHandlerError(error, event, delivery) {
          metrics.handlerErrors.inc();
          consumerLog.error(
            { err: error, sessionId: event.sessionId, eventId: event.eventId, entryId: delivery.entryId },
            'session event not processed; left pending',
          );
        },
        onDeadLetter(entryId, reason) {
          metrics.deadLetters.inc();
          consumerLog.error({ entryId, reason }, 'session event dead-lettered');
        },
        onLost(entryIds) {
          metrics.lostEvents.inc(entryIds.length);
          consumerLog.error({ entryIds }, 'pending session events trimmed before processing');
        },
        onPollError(error) {
          consumerLog.warn({ err: error }, 'session event poll failed');
        },
      },
    });
    metrics.watchBacklog(() => sessionEventGroupInfo(redis, keys, config.consumerGroup));
    await pingRedis(redis);
    await consumer.ensureGroup();
    if (deps.consume ?? true) consumer.start();

    let url: string | undefined;
    if (deps.listen ?? true) {
      await app.listen({ host: config.httpHost, port: config.httpPort });
      url = httpUrl(app.server.address());
      log.info({ url, consumer: consumer.consumer, group: consumer.group }, 'charging service listening');
    } else {
      await app.ready();
    }
    return {
      app,
      consumer,
      processor,
      store,
      tariffs,
      url,
      async stop() {
        await consumer.stop();
        await app.close();
        if (ownRedis !== undefined) await ownRedis.quit().catch(() => ownRedis.disconnect());
      },
    };
  } catch (error) {
    if (ownRedis !== undefined) ownRedis.disconnect();
    throw error;
  }
}
