// The Endpoints and EndpointSlice controller.

export { startEndpointsController } from './endpoints-controller.js';
