/** GET /v1_1/<cloud>/jobs/<id>: an AI job's status document (src/jobs/spec.ts JobStatus); the cloud is checked by cloudGuard. */
import { CldError, headerSafe } from '../errors';

export async function jobStatus(env: Env, id: string): Promise<Response> {
  if (!/^[0-9a-f]{64}$/.test(id)) throw new CldError(400, 'Invalid job id');
  const status = await env.AI_JOBS.get(env.AI_JOBS.idFromName(id)).status();
  if (!status) throw new CldError(404, `No such job ${id}`);
  if (status.state !== 'failed') return Response.json(status, { headers: { 'Cache-Control': 'no-store' } });
  // A failed job answers what its URLs answer (400 bad input, 409 superseded, 500 gave up), with
  // the status document as the body so pollers read `state` and `error` as before.
  return Response.json(status, {
    status: status.errorStatus ?? 400,
    headers: { 'Cache-Control': 'no-store', 'X-Cld-Error': headerSafe(`e_${status.effect} failed: ${status.error}`) },
  });
}
