import { constants } from 'node:os';

/** Lets deferred signals in: resolves when none arrived, throws {@link InterruptedError} when one did. */
export type Checkpoint = () => Promise<void>;

/** The signals a command that writes defers: Ctrl-C, `kill`, a closed terminal. */
const DEFERRED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** A command stopped by a signal at a checkpoint, its outputs whole or absent. Exit code 128 + the signal's number. */
export class InterruptedError extends Error {
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
    this.signal = signal;
  }
}

/** The shell's exit code of a process stopped by `signal` (128 + its number): 130 for SIGINT. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/**
 * How long a body may work between two trips through the event loop. A trip costs about 10 µs here, and a command
 * may call `checkpoint()` per 64 KiB of input: 136 MB sorted paid 25 ms for them when every call made the trip.
 */
const CHECKPOINT_INTERVAL_MS = 10;

/**
 * Runs `body` with Ctrl-C, SIGTERM and SIGHUP held back: a signal that arrives is noted (the process is not killed
 * in the middle of a write) and acted on at a `checkpoint()` the body awaits, which lets the event loop deliver it
 * (at most every {@link CHECKPOINT_INTERVAL_MS} of work, and then at the next checkpoint) and throws
 * {@link InterruptedError}. A last checkpoint follows the body, so a signal that arrived during its final step is
 * not lost. Synchronous work between checkpoints runs to its end.
 */
export async function withSignalsDeferred<T>(body: (checkpoint: Checkpoint) => Promise<T>): Promise<T> {
  let received: NodeJS.Signals | undefined;
  const note = (signal: NodeJS.Signals) => {
    received ??= signal;
  };
  let lastTrip = performance.now();
  const letSignalsIn = async () => {
    // A signal is delivered by the event loop's poll phase, which runs before the next check phase (setImmediate).
    await new Promise<void>((resolve) => setImmediate(resolve));
    lastTrip = performance.now();
    if (received !== undefined) throw new InterruptedError(received);
  };
  const checkpoint: Checkpoint = async () => {
    if (received !== undefined || performance.now() - lastTrip >= CHECKPOINT_INTERVAL_MS) await letSignalsIn();
  };
  for (const signal of DEFERRED) process.on(signal, note);
  try {
    const value = await body(checkpoint);
    await letSignalsIn();
    return value;
  } finally {
    for (const signal of DEFERRED) process.off(signal, note);
  }
}
