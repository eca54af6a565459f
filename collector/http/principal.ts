/** Who is calling: resolved from the bearer token by the auth hook before any handler runs. */
import type {} from 'fastify';
export interface Principal {
  /** The token's subject, e.g. `svc-ranker` or `alice`. */
  readonly subject: string;
  readonly role: string;
  readonly tenant: string;
  /** The token id (not the secret), for the audit trail. */
  readonly tokenId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every authenticated route; public routes leave it undefined. */
    principal?: Principal;
  }
}
