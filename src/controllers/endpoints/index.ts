// The Endpoints and EndpointSlice controller.

export { startEndpointsController, type EndpointsControllerOptions } from './endpoints-controller.js';
export { desiredSubsets } from './endpoints-decide.js';
export { planSlices, MANAGED_BY, MAX_PER_SLICE } from './slices-decide.js';
