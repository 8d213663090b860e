/**
 * REGISTER (seed 001 Fig. 1, DESIGN §4 "Registration"): digest-authenticated by middleware, then
 * the VPN membership and the customer edge are checked, the binding is stored in the location
 * service, and the serving PE is asked to advertise the site's membership of the VPN
 * (`bgp.advertise-membership`). A re-REGISTER from another CE moves the binding (VPN mobility) and
 * the application's live sessions follow it.
 */
import type { IncomingRequest, Responder } from '@svpn/sip';
import type { Binding, LocationStore } from '@svpn/store';
import type { Logger } from '@svpn/service-kit';
import type { PolicyPort, ProvisioningPort } from '../ports.js';
import { applyMoves, contactHeaderValues, processRegister } from './process-register.js';
import type { GatewayMetrics } from '../metrics.js';

export interface RegistrarOptions {
  domain: string;
  policy: PolicyPort;
  location: LocationStore;
  provisioning: ProvisioningPort;
  log: Logger;
  metrics?: GatewayMetrics;
  now?: () => number;
  /** Called when an application's CE changed, so its live sessions can be re-homed. */
  onMoved?: (application: string, from: Binding, to: Binding) => Promise<unknown> | void;
}

export class Registrar {
  private readonly now: () => number;

  constructor(private readonly o: RegistrarOptions) {
    this.now = o.now ?? Date.now;
  }

  async handleRegister(req: IncomingRequest, res: Responder): Promise<void> {
    const message = req.message;
    const username = String(req.locals['username'] ?? '');
    const log = this.o.log.child({ callId: message.callId, application: username });
    const refuse = (status: number, warning: string, headers: Record<string, string> = {}): void => {
      this.o.metrics?.registrations.inc({ outcome: String(status) });
      log.info({ status, warning }, 'registration refused');
      res.send(status, { warning, headers });
    };

    // RFC 3261 §10.3 step 6 — the To header holds the address of record; it must be the
    // authenticated application's own, in our domain.
    const aor = `sip:${username}@${this.o.domain}`;
    const toUri = message.to.uri.toString().toLowerCase();
    if (toUri !== aor.toLowerCase()) {
      return refuse(403, `${username} may only register ${aor}, not ${message.to.uri.toString()}`);
    }
    const now = this.now();
    const existing = await this.o.location.lookup(aor, now);
    const outcome = processRegister(message, existing, {
      aor,
      now,
      source: { protocol: req.source.protocol, address: req.source.address, port: req.source.port },
    });
    if (!outcome.ok) return refuse(outcome.status, outcome.warning, outcome.headers ?? {});

    // Authorization: every VPN the contacts name must be one the application belongs to, and the CE
    // one of its customer's sites (DESIGN §4).
    const customer = await this.o.policy.customerOf(username);
    for (const binding of outcome.bindings) {
      const resolved: string[] = [];
      for (const vpn of binding.vpnIds) {
        const m = await this.o.policy.membership(username, vpn);
        if (!m.member || m.vpnId === undefined)
          return refuse(403, `${username} is not a member of VPN ${vpn}`);
        resolved.push(m.vpnId);
      }
      binding.vpnIds = resolved;
      if (binding.ce !== undefined) {
        const site = await this.o.policy.site(binding.ce);
        if (site === undefined || site.customerId !== customer) {
          return refuse(403, `customer edge ${binding.ce} is not a site of ${username}'s customer`);
        }
      }
    }
    const { bindings, moves } = applyMoves(existing, outcome.bindings);
    outcome.bindings = bindings;
    await this.o.location.replace(aor, outcome.bindings, now);

    // Membership advertisement at the PE serving each new (VPN, CE) pair.
    for (const binding of outcome.bindings) {
      const before = existing.find((b) => b.contact === binding.contact);
      const fresh =
        before === undefined || before.ce !== binding.ce || before.vpnIds.join() !== binding.vpnIds.join();
      if (!fresh || binding.ce === undefined) continue;
      const site = await this.o.policy.site(binding.ce);
      if (site === undefined) continue;
      for (const vpnId of binding.vpnIds) {
        const m = await this.o.policy.membership(username, vpnId);
        if (m.rd === undefined || m.routeTargets === undefined || m.routeTargets.length === 0) continue;
        try {
          // RFC 4364 §4.3.1 — the site's VRF exports and imports the VPN's route targets.
          await this.o.provisioning.advertiseMembership({
            pe: site.pe,
            vpnId,
            ce: binding.ce,
            rd: m.rd,
            importTargets: [...(m.importTargets ?? m.routeTargets)],
            exportTargets: [...(m.exportTargets ?? m.routeTargets)],
          });
        } catch (error) {
          log.warn(
            { err: error, pe: site.pe, vpnId },
            'membership advertisement failed; the reconciler retries',
          );
        }
      }
    }
    for (const move of moves) {
      log.info({ from: move.from.ce, to: move.to.ce }, 'application moved to another CE');
      // Make before break: the sessions move to the new PE first, then the old PE forgets the site.
      const remaining = outcome.bindings;
      void Promise.resolve(this.o.onMoved?.(username, move.from, move.to))
        .catch((error: unknown) => log.error({ err: error }, 'sessions not re-homed'))
        .then(() => this.withdrawLeft(username, move.from, remaining, log));
    }
    this.o.metrics?.registrations.inc({ outcome: '200' });
    res.send(200, {
      headers: {
        ...(outcome.bindings.length > 0 ? { Contact: contactHeaderValues(outcome.bindings, now) } : {}),
        Date: new Date(now).toUTCString(),
      },
    });
  }

  /**
   * RFC 4364 §4.3.1 — the CE a site left no longer belongs to the VPN at its PE: withdraw the
   * membership there, unless another live binding still keeps that CE on the same VPN.
   */
  private async withdrawLeft(
    username: string,
    from: Binding,
    remaining: Binding[],
    log: Logger,
  ): Promise<void> {
    if (from.ce === undefined || this.o.provisioning.withdrawMembership === undefined) return;
    const site = await this.o.policy.site(from.ce);
    if (site === undefined) return;
    for (const vpnId of from.vpnIds) {
      if (remaining.some((b) => b.ce === from.ce && b.vpnIds.includes(vpnId))) continue;
      try {
        await this.o.provisioning.withdrawMembership({ pe: site.pe, vpnId, ce: from.ce });
      } catch (error) {
        log.warn({ err: error, pe: site.pe, vpnId, application: username }, 'membership withdrawal failed');
      }
    }
  }
}
