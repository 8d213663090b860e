import type { TariffBookSpec } from '@svpn/charging';

/**
 * The tariffs of the demo (`svpn up`): one per demo charging profile (deploy/demo/policy-data.json)
 * and a default for any other. Prices in euro cents.
 */
export const DEMO_TARIFFS: TariffBookSpec = {
  default: 'standard',
  tariffs: [
    {
      id: 'standard',
      currency: 'EUR',
      pricePerMbpsMinute: 1,
      incrementS: 60,
      minimumCharge: 10,
      setupFee: 0,
    },
    {
      // SAN backup: bulk capacity, per-minute, small setup fee.
      id: 'acme-storage',
      currency: 'EUR',
      pricePerMbpsMinute: 1,
      incrementS: 60,
      minimumCharge: 50,
      setupFee: 25,
      precedenceSurchargePerMille: { priority: 1250 },
    },
    {
      // GRID transfers: per-second increments, volume component, precedence surcharges.
      id: 'globex-grid',
      currency: 'EUR',
      pricePerMbpsMinute: 2,
      pricePerGigabyte: 5,
      incrementS: 1,
      minimumCharge: 0,
      setupFee: 10,
      precedenceSurchargePerMille: { priority: 1200, immediate: 1500, flash: 2000, 'flash-override': 3000 },
    },
  ],
};
