/**
 * Runs tasks one after another per key, in the order they were handed over; a task that fails does not stop the
 * next. The records' writers use it so that one ticket's writes (or a node's token writes) keep their order without
 * making their callers wait on one another.
 */
export class KeyedChain {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Resolves once every task handed over so far has finished, whatever its outcome. */
  async settled(): Promise<void> {
    await Promise.all([...this.#tails.values()]);
  }
}
