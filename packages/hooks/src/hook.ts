/**
 * A listener as the bus stores it: up to five positional arguments, no return value. Events never pass more than
 * five arguments, so dispatch can forward them without building an array.
 */
type Dispatch = (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown) => void;

const noop: Dispatch = () => {};

/** One subscription: its own object, so that subscribing one function twice gives two separable entries. */
interface Subscription {
  readonly listener: Dispatch;
  readonly place: number;
}

/**
 * One kernel hook point (`post_alloc_hook`, `free_pages_prepare`, ...): an ordered list of listeners called with
 * positional arguments.
 *
 * Listeners run in the kernel's call order, not in the order they subscribed: each gives its `place` (the spec lists
 * the kernel's places for each event in `MmHookEvents`), lower places first, equal places in subscription
 * order. Dispatch allocates nothing: `call` is rebuilt whenever the list changes; with no listener it is a no-op,
 * with one it *is* that listener, with more it is a loop over a frozen copy of the list. Hot paths test
 * `count !== 0` first, so an event nobody listens to costs one comparison. `count` and `call` are read-only from
 * outside: only `subscribe` and the function it returns change them.
 */
export class Hook<Listener extends (...args: never[]) => void> {
  /** The event's name as in the event map (`post_alloc`, ...). */
  readonly name: string;
  #count = 0;
  #call: Listener = noop as unknown as Listener;
  #subscriptions: readonly Subscription[] = [];

  constructor(name: string) {
    this.name = name;
  }

  /** Number of subscribed listeners. */
  get count(): number {
    return this.#count;
  }

  /** Calls every listener, in the order of their places, with the given arguments. */
  get call(): Listener {
    return this.#call;
  }

  /**
   * Adds a listener at `place` (default 0) and returns a function that removes exactly this subscription again
   * (once; later calls do nothing). Subscribing the same function twice makes it run twice, as registering a
   * kernel callback twice would.
   */
  subscribe(listener: Listener, place = 0): () => void {
    const subscription: Subscription = { listener: listener as unknown as Dispatch, place };
    const after = this.#subscriptions.findIndex((entry) => entry.place > place);
    const at = after < 0 ? this.#subscriptions.length : after;
    this.#rebuild([...this.#subscriptions.slice(0, at), subscription, ...this.#subscriptions.slice(at)]);
    return () => {
      if (!this.#subscriptions.includes(subscription)) return;
      this.#rebuild(this.#subscriptions.filter((entry) => entry !== subscription));
    };
  }

  #rebuild(subscriptions: readonly Subscription[]): void {
    this.#subscriptions = subscriptions;
    this.#count = subscriptions.length;
    this.#call = makeDispatch(subscriptions.map((entry) => entry.listener)) as unknown as Listener;
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
      const length = listeners.length;
      return (a, b, c, d, e) => {
        for (let index = 0; index < length; index++) listeners[index]!(a, b, c, d, e);
      };
    }
  }
}
