import type { SimClock } from './sim-clock';

/** Formats the printk time prefix `[%5lu.%06lu] ` from nanoseconds. */
export function printkTime(ns: number): string {
  const microseconds = Math.floor(ns / 1000);
  const seconds = Math.floor(microseconds / 1_000_000);
  const fraction = microseconds % 1_000_000;
  return `[${String(seconds).padStart(5, ' ')}.${String(fraction).padStart(6, '0')}] `;
}

/**
 * The kernel log buffer (kernel/printk): what `dmesg` shows. Each line gets the time prefix of the simulated
 * clock. Like the kernel's ring buffer it has a size limit; lines beyond it drop the oldest ones and are counted.
 */
export class KernelLog {
  readonly #clock: SimClock;
  readonly #limitBytes: number;
  #lines: string[] = [];
  #first = 0;
  #bytes = 0;
  #listeners: ((line: string) => void)[] = [];
  /** Lines dropped because the buffer was full. */
  dropped = 0;

  constructor(clock: SimClock, limitBytes = 64 * 2 ** 20) {
    this.#clock = clock;
    this.#limitBytes = limitBytes;
  }

  /** Appends a message; a message with several lines becomes several log lines with the same time. */
  printk(message: string): void {
    const prefix = printkTime(this.#clock.ns);
    for (const text of message.split('\n')) {
      const line = prefix + text;
      this.#lines.push(line);
      this.#bytes += line.length + 1;
      for (const listener of this.#listeners) listener(line);
    }
    while (this.#bytes > this.#limitBytes && this.#first < this.#lines.length) {
      this.#bytes -= this.#lines[this.#first]!.length + 1;
      this.#first++;
      this.dropped++;
    }
    if (this.#first > 4096 && this.#first * 2 > this.#lines.length) {
      this.#lines = this.#lines.slice(this.#first);
      this.#first = 0;
    }
  }

  /** The lines kept, oldest first. */
  lines(): string[] {
    return this.#lines.slice(this.#first);
  }

  /** The whole buffer as `dmesg` prints it, one line per record, newline-terminated. */
  text(): string {
    const lines = this.lines();
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  /** Calls `listener` for every line appended from now on; returns the function that stops it. */
  follow(listener: (line: string) => void): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((entry) => entry !== listener);
    };
  }
}
