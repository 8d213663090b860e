// A stack-only UAS for the sip-uas benchmark: answers every INVITE with 200 + SDP, takes the ACK
// and the BYE. Runs in its own process so the driver (SIPp) and the stack each get a core.
// Usage: tsx uas-server.ts <port> [address]
import { SipAgent } from '@svpn/sip';

const port = Number(process.argv[2] ?? 5060);
const address = process.argv[3] ?? '127.0.0.1';
const sdp = [
  'v=0',
  `o=svpn 1 1 IN IP4 ${address}`,
  's=-',
  `c=IN IP4 ${address}`,
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

// A 4 MiB socket receive buffer (SO_RCVBUF, capped by net.core.rmem_max): on a shared machine the
// process can be descheduled for a few hundred ms, and the default ~200 KB overflows in that time
// (dropped datagrams come back as SIPp retransmissions). SIPp gets the same size (-buff_size).
const agent = await SipAgent.listen({
  listen: { udp: [{ address, port, receiveBufferBytes: 4 * 1024 * 1024 }] },
});
agent.invite((req, res) => {
  agent.createUAS(req, res, { localSdp: sdp }).catch(() => undefined);
});
process.stdout.write(`ready ${address}:${port}\n`);
const stop = (): void => void agent.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
