import { afterEach, describe, expect, it, vi } from 'vitest';
import { InterruptedError, signalExitCode, withSignalsDeferred } from './signals';

describe('withSignalsDeferred', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Controls `performance.now()`: the clock the checkpoints are spaced by. */
  function clock() {
    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    return { advance: (milliseconds: number) => (now += milliseconds) };
  }

  it('lets the event loop run at a checkpoint once 10 ms of work have passed, not at every checkpoint', async () => {
    const time = clock();
    const trips: number[] = [];
    await withSignalsDeferred(async (checkpoint) => {
      for (let step = 0; step < 6; step++) {
        let ran = false;
        setImmediate(() => {
          ran = true;
        });
        time.advance(4);
        await checkpoint();
        if (ran) trips.push(step);
        // What the checkpoint did not let run runs now, before the next step's.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    });
    // 4 ms a step: the loop runs at the checkpoints 12 ms (step 2) and 12 ms more (step 5) after the start.
    expect(trips).toEqual([2, 5]);
  });

  it('throws at the first checkpoint after a signal, without waiting for the interval', async () => {
    clock();
    const steps: number[] = [];
    const run = withSignalsDeferred(async (checkpoint) => {
      for (let step = 0; step < 3; step++) {
        if (step === 1) process.emit('SIGINT', 'SIGINT');
        await checkpoint();
        steps.push(step);
      }
    });
    await expect(run).rejects.toThrow(new InterruptedError('SIGINT'));
    expect(steps).toEqual([0]);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('looks for a signal once more after the body, however soon it ends', async () => {
    clock();
    const run = withSignalsDeferred(async () => {
      process.emit('SIGTERM', 'SIGTERM');
      return 'done';
    });
    await expect(run).rejects.toThrow('interrupted by SIGTERM');
    await expect(withSignalsDeferred(async () => 'done')).resolves.toBe('done');
  });

  it('exits 128 + the signal number', () => {
    expect(signalExitCode('SIGINT')).toBe(130);
    expect(signalExitCode('SIGTERM')).toBe(143);
  });
});
