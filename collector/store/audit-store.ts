/** The audit queries a store answers. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AuditStore {}
