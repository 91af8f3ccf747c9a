// The public face of src/webui: the web view's HTTPS server (`tandem server --ui-listen`).

export { startUiServer, type UiServer, type UiServerOptions, type PlanFn } from './server.js';
