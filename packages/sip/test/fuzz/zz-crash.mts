import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { SipAgent } from '@svpn/sip';
const agent = await SipAgent.listen({ listen: { udp: [{ address: '127.0.0.1', port: 0 }] } });
const port = agent.stack.addresses()[0]!.port;
const vias = Array.from({ length: 3700 }, () => `v:SIP/2.0/UDP h`).join('\r\n');
const data = Buffer.from(
  `OPTIONS sip:a@127.0.0.1 SIP/2.0\r\n${vias}\r\nTo: <sip:a@b>\r\ni: x@y\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n`,
);
console.log('request bytes', data.length);
const s = createSocket('udp4');
s.bind(0, '127.0.0.1');
await once(s, 'listening');
s.on('message', (m) => console.log('got response', m.length));
s.send(data, port, '127.0.0.1');
setTimeout(async () => {
  console.log('still alive; counters', JSON.stringify(agent.stack.counters));
  await agent.close();
  s.close();
}, 1500);
