/** Turns whose figure waits for their next write; beyond this the oldest is dropped (a turn that never wrote again). */
const CAPACITY = 10_000;

/** A number per turn, kept in memory until a statement of that turn carries it (postgres.ts: Hermes' latency). */
export class PendingFigures {
  private readonly figures = new Map<string, number>();

  set(turnId: string, value: number): void {
    this.figures.delete(turnId);
    this.figures.set(turnId, value);
    if (this.figures.size > CAPACITY) this.figures.delete(this.figures.keys().next().value!);
  }

  /** The figure, once: the statement that carries it is its only write. */
  take(turnId: string): number | null {
    const value = this.figures.get(turnId);
    this.figures.delete(turnId);
    return value ?? null;
  }
}
