/** How a service was obtained, so a run can say where its data went. */
export type Provenance = 'environment' | 'already-running' | 'child-process' | 'container';

export interface Provided<T> {
  readonly info: T;
  readonly provenance: Provenance;
  stop(): Promise<void>;
}

export const nothingToStop = async (): Promise<void> => {};

/**
 * Tries each way of getting a service in order and returns the first that works. When none does,
 * the error names the service and why each way failed: a run never silently goes without it.
 */
export async function firstAvailable<T>(
  service: string,
  attempts: Array<[string, () => Promise<Provided<T> | undefined>]>,
): Promise<Provided<T>> {
  const reasons: string[] = [];
  for (const [how, attempt] of attempts) {
    // TESTKIT_IGNORE_RUNNING=1 leaves servers already on their usual ports alone (their labels end
    // in the address): the run starts its own, as on a machine where nothing runs.
    if (process.env.TESTKIT_IGNORE_RUNNING === '1' && /127\.0\.0\.1:\d+$/.test(how)) {
      reasons.push(`${how}: ignored (TESTKIT_IGNORE_RUNNING=1)`);
      continue;
    }
    try {
      const provided = await attempt();
      if (provided) return provided;
      reasons.push(`${how}: not available`);
    } catch (err) {
      reasons.push(`${how}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new Error(`No ${service} could be had for the tests:\n  - ${reasons.join('\n  - ')}`);
}
