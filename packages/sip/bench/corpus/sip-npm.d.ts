// Just enough typing of the npm `sip` package (0.0.6, plain JS) for the parse benchmark peer.
declare module 'sip' {
  export interface SipNpmUri {
    schema?: string;
    user?: string;
    host?: string;
    port?: number;
    params?: Record<string, string | null>;
  }
  export interface SipNpmAddress {
    name?: string;
    uri: string;
    params: Record<string, string | null>;
  }
  export interface SipNpmVia {
    version: string;
    protocol: string;
    host: string;
    port?: number;
    params: Record<string, string | null>;
  }
  export interface SipNpmMessage {
    method?: string;
    uri?: string;
    status?: number;
    reason?: string;
    version: string;
    headers: {
      via?: SipNpmVia[];
      from?: SipNpmAddress;
      to?: SipNpmAddress;
      'call-id'?: string;
      cseq?: { seq: number; method: string };
      contact?: SipNpmAddress[] | '*';
      [name: string]: unknown;
    };
    content?: string;
  }
  export function parse(data: Buffer | string): SipNpmMessage | undefined;
  export function parseUri(uri: string): SipNpmUri | undefined;
  const sip: { parse: typeof parse; parseUri: typeof parseUri };
  export default sip;
}
