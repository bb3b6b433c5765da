declare namespace Cloudflare {
  interface Env {
    /** Cloudinary API secret: signs delivery URLs and upload requests. */
    API_SECRET: string;
  }
}
