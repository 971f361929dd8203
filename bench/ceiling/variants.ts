/**
 * The ceiling's variants, each isolating one cost of Temporal on the same server in the same
 * run: an activity task (remote vs local), the start round trip (eager), a visibility write.
 * workflowType names a function of ./workflows.ts.
 */
export const CEILING_VARIANTS = {
  remote: { workflowType: 'benchCeilingWorkflow', eager: false, what: 'one remote activity' },
  local: { workflowType: 'benchCeilingLocalWorkflow', eager: false, what: 'one local activity' },
  'local-eager': { workflowType: 'benchCeilingLocalWorkflow', eager: true, what: 'one local activity, eager start' },
  'remote-upsert': { workflowType: 'benchCeilingUpsertWorkflow', eager: false, what: 'one remote activity + search-attribute upsert' },
} as const satisfies Record<string, { workflowType: string; eager: boolean; what: string }>;

export type CeilingVariant = keyof typeof CEILING_VARIANTS;
export const CEILING_VARIANT_NAMES = Object.keys(CEILING_VARIANTS) as CeilingVariant[];
