/**
 * RFC 7616 §3.9.1 worked example ("Mufasa" / "Circle of Life", GET /dir/index.html), as printed in
 * the RFC; the password is "Circle of Life" with a lower-case "of" (erratum 4495). The expected
 * responses were checked against the RFC text.
 */
export const RFC7616_EXAMPLE = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  nc: '00000001',
  qop: 'auth',
  responses: {
    MD5: '8ca523f5e9506fed4657c9700eebdbec',
    'SHA-256': '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  },
} as const;

/** The example's challenge for one algorithm, with the qop list the RFC shows. */
export function rfc7616Challenge(algorithm: 'MD5' | 'SHA-256'): string {
  const e = RFC7616_EXAMPLE;
  return `Digest realm="${e.realm}", qop="auth, auth-int", algorithm=${algorithm}, nonce="${e.nonce}", opaque="${e.opaque}"`;
}
