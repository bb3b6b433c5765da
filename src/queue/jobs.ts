import { DurableObject } from 'cloudflare:workers';

/** AI jobs (e_upscale, e_gen_restore): one object per derived key. Placeholder until the queue lands. */
export class AiJobs extends DurableObject<Env> {}
