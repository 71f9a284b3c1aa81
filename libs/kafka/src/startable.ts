/**
 * A background worker's start(): calls that overlap share one start, and a start after a
 * finished one runs `doStart` again (which returns at once while the worker runs).
 */
export abstract class Startable {
  private starting?: Promise<void>;

  start(): Promise<void> {
    this.starting ??= this.doStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  protected abstract doStart(): Promise<void>;
}
