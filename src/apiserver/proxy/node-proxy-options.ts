// What the API server needs to call node agents: its client certificate and the CA the agents'
// serving certificates must verify against (a leaf type, so that the request context can name it).

export interface NodeProxyOptions {
  /** the API server's client certificate and key towards agents (PEM) */
  cert: string;
  key: string;
  /** the CA bundle (PEM) agents' serving certificates must verify against */
  ca: string;
}
