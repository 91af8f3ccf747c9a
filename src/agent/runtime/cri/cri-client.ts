// A small gRPC client for the CRI subset in cri.proto: one HTTP/2 session to the runtime socket
// (grpc-http2.ts), every call unary with a deadline, messages encoded and decoded from the proto
// parsed at run time (proto-parse.ts, proto-codec.ts). Failed calls reject with GrpcError
// (numeric `code`, string `details`).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { imageMethods, type CriMethod, type CriMethods } from './cri-wire.js';
import { createGrpcChannel, GrpcError, GrpcStatus, isGrpcError } from './grpc-http2.js';
import { decodeMessage, encodeMessage } from './proto-codec.js';
import { parseProto, type MethodDescriptor, type ProtoFile } from './proto-parse.js';

export { GrpcStatus, isGrpcError };

/**
 * Where cri.proto lives. tsc does not copy it, so from the compiled file
 * (dist/src/agent/runtime/cri/cri-client.js) it is found back in the source tree; a copy beside the
 * compiled file wins when present.
 */
export function criProtoPath(): string {
  const beside = fileURLToPath(new URL('./cri.proto', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../../../../src/agent/runtime/cri/cri.proto', import.meta.url));
}

let cached: ProtoFile | undefined;
function proto(): ProtoFile {
  cached ??= parseProto(readFileSync(criProtoPath(), 'utf8'));
  return cached;
}

function methodOf(method: CriMethod): MethodDescriptor {
  const service = proto().services.get(imageMethods.has(method) ? 'runtime.v1.ImageService' : 'runtime.v1.RuntimeService');
  if (!service) throw new Error('cri.proto: service definition missing');
  const m = service.methods.get(method);
  if (!m) throw new Error(`cri.proto: no method ${method}`);
  return m;
}

/**
 * The path to hand to net.connect for a CRI endpoint: `unix:///run/x.sock` and a bare absolute path
 * give the socket path; Windows' `npipe:////./pipe/name` gives the pipe path `\\.\pipe\name`.
 */
export function grpcTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint.slice('unix://'.length);
  if (endpoint.startsWith('npipe://')) {
    const rest = endpoint.slice('npipe://'.length).replace(/^[/\\]+/, '');
    return `\\\\${rest.replace(/\//g, '\\')}`;
  }
  return endpoint;
}

export interface CriClient {
  call<M extends CriMethod>(method: M, req: CriMethods[M][0], deadlineMs?: number): Promise<CriMethods[M][1]>;
  close(): void;
}

export function createCriClient(endpoint: string, defaultDeadlineMs = 120_000): CriClient {
  const channel = createGrpcChannel(grpcTarget(endpoint));
  return {
    async call<M extends CriMethod>(method: M, req: CriMethods[M][0], deadlineMs = defaultDeadlineMs): Promise<CriMethods[M][1]> {
      let m: MethodDescriptor;
      let body: Buffer;
      try {
        m = methodOf(method);
        body = encodeMessage(m.request, req);
      } catch (e) {
        throw new GrpcError(GrpcStatus.INTERNAL, `request serialization failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      const res = await channel.unary(m.path, body, deadlineMs);
      try {
        // The descriptor-driven decoder builds exactly the shapes cri-wire.ts declares.
        return decodeMessage(m.response, res) as CriMethods[M][1];
      } catch (e) {
        throw new GrpcError(GrpcStatus.INTERNAL, `response deserialization failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    close() {
      channel.close();
    },
  };
}
