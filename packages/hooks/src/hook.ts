/**
 * A listener as the bus stores it: up to five positional arguments, no return value. Events never pass more than
 * five arguments, so dispatch can forward them without building an array.
 */
type Dispatch = (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown) => void;

const noop: Dispatch = () => {};

/**
 * One kernel hook point (`post_alloc_hook`, `free_pages_prepare`, ...): an ordered list of listeners called with
 * positional arguments.
 *
 * Dispatch allocates nothing. `call` is rebuilt whenever the listener list changes: with no listener it is a no-op,
 * with one it *is* that listener, with more it is a loop over a frozen copy of the list. Hot paths test
 * `count !== 0` first, so an event nobody listens to costs one comparison. Listeners run in subscription order, as
 * the kernel's call order is fixed at build time.
 */
export class Hook<Listener extends (...args: never[]) => void> {
  /** The event's name as in the event map (`post_alloc`, ...). */
  readonly name: string;
  /** Number of subscribed listeners. */
  count = 0;
  /** Calls every listener, in subscription order, with the given arguments. */
  call: Listener = noop as unknown as Listener;
  #listeners: Dispatch[] = [];

  constructor(name: string) {
    this.name = name;
  }

  /**
   * Adds a listener at the end of the call order and returns a function that removes it again. Subscribing the
   * same function twice makes it run twice, as registering a kernel callback twice would.
   */
  subscribe(listener: Listener): () => void {
    const entry = listener as unknown as Dispatch;
    this.#listeners = [...this.#listeners, entry];
    this.#rebuild();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const index = this.#listeners.indexOf(entry);
      this.#listeners = this.#listeners.filter((_, position) => position !== index);
      this.#rebuild();
    };
  }

  #rebuild(): void {
    const listeners = this.#listeners;
    this.count = listeners.length;
    this.call = makeDispatch(listeners) as unknown as Listener;
  }
}

function makeDispatch(listeners: readonly Dispatch[]): Dispatch {
  switch (listeners.length) {
    case 0:
      return noop;
    case 1:
      return listeners[0]!;
    case 2: {
      const first = listeners[0]!;
      const second = listeners[1]!;
      return (a, b, c, d, e) => {
        first(a, b, c, d, e);
        second(a, b, c, d, e);
      };
    }
    default: {
      const frozen = listeners.slice();
      const length = frozen.length;
      return (a, b, c, d, e) => {
        for (let index = 0; index < length; index++) frozen[index]!(a, b, c, d, e);
      };
    }
  }
}
