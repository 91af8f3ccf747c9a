// Public surface of the protobuf request-body decoder.
export { decodeKubernetesProtobuf } from './decode.js';
