// Public surface of the protobuf request-body decoder.
export { decodeKubernetesProtobuf, PROTOBUF_MAGIC, type DecodedProtobuf } from './decode.js';
export { protobufDefinitionFor } from './kinds.js';
export { decodeMessage, MAX_DEPTH } from './message-decoder.js';
export { ProtoReader, createProtoReader } from './reader.js';
