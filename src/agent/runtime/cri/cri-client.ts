// A thin gRPC client for the CRI subset in cri.proto: one channel to the runtime socket, every
// call unary with a deadline, errors surfaced as grpc ServiceErrors (code + details).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { imageMethods, type CriMethod, type CriMethods } from './cri-wire.js';

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

let cached: protoLoader.PackageDefinition | undefined;
function definition(): protoLoader.PackageDefinition {
  cached ??= protoLoader.loadSync(criProtoPath(), { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  return cached;
}

function methodOf(method: CriMethod): protoLoader.MethodDefinition<object, object> {
  const service = definition()[imageMethods.has(method) ? 'runtime.v1.ImageService' : 'runtime.v1.RuntimeService'];
  if (!service || 'format' in service) throw new Error('cri.proto: service definition missing');
  const m = (service as protoLoader.ServiceDefinition)[method];
  if (!m) throw new Error(`cri.proto: no method ${method}`);
  return m;
}

/**
 * The grpc-js target for a CRI endpoint: `unix:///run/x.sock` as is, a bare absolute path as a unix
 * socket, and Windows' `npipe:////./pipe/name` as the pipe path (grpc-js hands unix targets to
 * net.connect, which opens named pipes on Windows).
 */
export function grpcTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint;
  if (endpoint.startsWith('npipe://')) {
    const rest = endpoint.slice('npipe://'.length).replace(/^\/+/, '');
    return `unix:\\\\${rest.replace(/\//g, '\\')}`;
  }
  if (endpoint.startsWith('/')) return `unix://${endpoint}`;
  return endpoint;
}

export interface CriClient {
  call<M extends CriMethod>(method: M, req: CriMethods[M][0], deadlineMs?: number): Promise<CriMethods[M][1]>;
  close(): void;
}

export function createCriClient(endpoint: string, defaultDeadlineMs = 120_000): CriClient {
  const client = new grpc.Client(grpcTarget(endpoint), grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.max_send_message_length': 16 * 1024 * 1024,
  });
  return {
    call<M extends CriMethod>(method: M, req: CriMethods[M][0], deadlineMs = defaultDeadlineMs): Promise<CriMethods[M][1]> {
      const m = methodOf(method);
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest<object, object>(
          m.path, (v) => m.requestSerialize(v), (b) => m.responseDeserialize(b), req, new grpc.Metadata(),
          { deadline: Date.now() + deadlineMs },
          (err, res) => { if (err) reject(err); else resolve(res as CriMethods[M][1]); },
        );
      });
    },
    close() { client.close(); },
  };
}

export function isGrpcError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && typeof (e as Partial<grpc.ServiceError>).code === 'number';
}
export const GrpcStatus = grpc.status;
