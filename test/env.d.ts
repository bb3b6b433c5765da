declare namespace Cloudflare {
  interface Env {
    FIXTURES: Fetcher;
  }
}
