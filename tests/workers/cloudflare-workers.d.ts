/**
 * The part of the `cloudflare:workers` module that the workerd tests use. The project does not install
 * `@cloudflare/workers-types`, so these declarations stand in for it.
 */
declare module "cloudflare:workers" {
  /** Bindings of the Worker under test: the strings that `vitest.workers.config.ts` passes in. */
  export const env: Record<string, string | undefined>;
  /** The Worker's exports (`server/worker.ts`), called without any network hop. */
  export const exports: {
    default: { fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> };
  };
}
