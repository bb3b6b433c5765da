declare namespace Cloudflare {
  interface Env {
    /** Cloudinary API secret: signs delivery URLs and upload requests. */
    API_SECRET: string;
    /** "true": the demo page at `/` and its endpoints (which sign the demo's AI URLs). Default off. */
    DEMO: string;
    /** Name of the cloud's unsigned upload preset (browser uploads without a signature); empty: none. */
    UNSIGNED_UPLOAD_PRESET: string;
    /** Folder of every unsigned-preset upload (each gets a unique public ID under it); "": the root. */
    UNSIGNED_UPLOAD_FOLDER: string;
    /** "true": premium downscaling for every downscale of this cloud (plan/premium.ts). Default off. */
    PREMIUM_DOWNSCALING: string;
    /**
     * Optional secrets (not in scripts/typegen.env, so that a `.dev.vars` without them keeps the
     * generated types current): more "key:secret" pairs for key rotation, and the hex key of
     * `__cld_token__` tokens for authenticated images.
     */
    API_KEYS?: string;
    AUTH_TOKEN_KEY?: string;
  }
}
