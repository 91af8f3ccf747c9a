// The TLS suites the API server offers, in the order Go's TLS (and so kube-apiserver) prefers them
// on AES hardware: TLS 1.3 AES-128-GCM first, then Node's defaults for TLS 1.2.
import tls from 'node:tls';

export const API_TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  ...tls.DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('TLS_')),
].join(':');
