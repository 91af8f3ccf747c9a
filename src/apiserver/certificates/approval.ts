// The certificatesigningrequests/approval subresource (what `kubectl certificate approve|deny`
// PUTs): only status.conditions change, Approved/Denied may be added here and nowhere else, and the
// caller needs, besides `update` on the subresource (checked by the pipeline), verb `approve` on the
// CSR's signer (upstream's CertificateApproval admission).

import type { AnyObject } from '../../api/object.js';
import { validateCsrTransition } from '../../api/kinds/certificates/csr.js';
import { badRequest, forbidden, invalid, methodNotAllowed } from '../../base/errors.js';
import type { ApiContext, RequestScope } from '../handlers/context.js';
import { handleGet } from '../handlers/list.js';
import { applyPatchBody } from '../handlers/patch.js';
import { defaultManager, writeOptions } from '../handlers/options.js';
import { admitWithPlugins } from '../handlers/run-admission.js';
import { readObjectBody } from '../handlers/write.js';
import { decodeBody, mediaKindOf, readBody } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import { checkTypeMeta } from '../registry/prepare.js';
import { trackWrite } from '../registry/managed.js';
import { mayActForSigner } from './signer-access.js';

const GROUP = 'certificates.k8s.io';
const RESOURCE = 'certificatesigningrequests';

type Produce = (cur: AnyObject) => AnyObject;

async function updateApproval(s: RequestScope, produce: Produce, expectedRV: string | undefined): Promise<void> {
  const name = s.info.name;
  if (name === undefined) throw methodNotAllowed('approval needs the name of a CertificateSigningRequest');
  const opts = writeOptions(s.query);
  const manager = opts.fieldManager ?? defaultManager(s.req.headers['user-agent']);
  const store = s.ctx.store(s.kind);
  const result = await store.guaranteedUpdate(
    undefined,
    name,
    async (cur) => {
      const wanted = produce(structuredClone(cur));
      if (wanted.metadata.name !== undefined && wanted.metadata.name !== name) {
        throw badRequest(`the name of the object (${wanted.metadata.name}) does not match the name on the URL (${name})`);
      }
      const next = structuredClone(cur);
      const status = { ...((cur['status'] ?? {}) as Record<string, unknown>) };
      const conditions = ((wanted['status'] ?? {}) as Record<string, unknown>)['conditions'];
      if (conditions === undefined) delete status['conditions'];
      else status['conditions'] = conditions;
      next['status'] = status;
      const errs = validateCsrTransition(next as never, cur as never, 'approval');
      if (errs.length > 0) throw invalid(s.kind.kind, s.kind.group, name, errs);
      const signer = String(((cur['spec'] ?? {}) as Record<string, unknown>)['signerName'] ?? '');
      if (!(await mayActForSigner(s.ctx.authorizer, s.user, 'approve', signer))) {
        throw forbidden(`user not permitted to approve requests with signerName "${signer}"`);
      }
      await admitWithPlugins(s, 'UPDATE', next, cur, opts.dryRun, 'approval');
      trackWrite(s.kind, cur, next, manager, 'Update', 'approval', s.ctx.now());
      return next;
    },
    { dryRun: opts.dryRun, expectedRV },
  );
  sendJson(s.res, 200, result.obj);
}

async function putApproval(s: RequestScope): Promise<void> {
  const body = await readObjectBody(s);
  checkTypeMeta(s.kind, body);
  const incoming = body as unknown as AnyObject;
  await updateApproval(s, () => structuredClone(incoming), incoming.metadata?.resourceVersion);
}

async function patchApproval(s: RequestScope): Promise<void> {
  const mk = mediaKindOf(s.req.headers['content-type']);
  const patch = decodeBody(await readBody(s.req), mk);
  const kind = s.kind;
  await updateApproval(
    s,
    (cur) => {
      if (mk !== 'json-patch' && mk !== 'merge-patch' && mk !== 'strategic-merge-patch')
        throw badRequest(`PATCH of ${RESOURCE}/approval accepts json, merge and strategic merge patches, not ${mk}`);
      return applyPatchBody(mk, cur, patch, kind) as unknown as AnyObject;
    },
    undefined,
  );
}

/** Registers the approval subresource's handlers (the API server calls it when the CSR kind is served). */
export function installCsrApproval(ctx: ApiContext): void {
  ctx.custom.add(GROUP, RESOURCE, 'approval', 'get', handleGet);
  ctx.custom.add(GROUP, RESOURCE, 'approval', 'update', putApproval);
  ctx.custom.add(GROUP, RESOURCE, 'approval', 'patch', patchApproval);
}
