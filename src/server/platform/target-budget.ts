/**
 * How many requests this process has open to one target (an origin, or an app a connector
 * calls) at once. The run worker's slots are shared by every tenant; without a budget per
 * target, one receiver that hangs until the request timeout would hold every slot its runs
 * reach, whichever users they belong to. A run whose target is at its budget does not wait in
 * a slot: it is deferred (back in the queue, no attempt counted) and tries again shortly.
 */
export class TargetBudget {
  private readonly open = new Map<string, number>();

  constructor(private readonly perTarget: number) {}

  /** A slot for `target`, with the function that gives it back; undefined when the target is at its budget. */
  tryAcquire(target: string): (() => void) | undefined {
    const count = this.open.get(target) ?? 0;
    if (count >= this.perTarget) return undefined;
    this.open.set(target, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(target) ?? 1) - 1;
      if (left <= 0) this.open.delete(target);
      else this.open.set(target, left);
    };
  }
}

/** The budget key of a URL: its origin (scheme, host, port), so every path of one host shares it. */
export function targetOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    // Not a URL: the sender refuses it without a request, the key only has to be stable.
    return url;
  }
}

/** Thrown by a block whose target is at its budget; the run is deferred, not failed. */
export class TargetBusy extends Error {
  constructor(readonly target: string) {
    super(`${target} already has its share of the runtime's requests open; the run waits for it.`);
  }
}
