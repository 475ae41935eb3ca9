import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ShadowStack } from './shadow-stack';

const path = (length: number, base = 0x81000000) => Uint32Array.from({ length }, (_, index) => base + index * 0x10);

describe('ShadowStack push, pop, unwind', () => {
  it('pushes and pops frames, innermost on top', () => {
    const stack = new ShadowStack();
    stack.push(0x81000010);
    stack.push(0x81000020);
    expect(stack.depth).toBe(2);
    expect(stack.peek()).toBe(0x81000020);
    expect(stack.peek(1)).toBe(0x81000010);
    stack.pop();
    expect(stack.depth).toBe(1);
    expect(stack.peek()).toBe(0x81000010);
  });

  it('pushes a whole path outermost first, and pops several frames at once', () => {
    const stack = new ShadowStack();
    stack.pushAll([0x81000100, 0x81000200, 0x81000300]);
    expect(stack.peek()).toBe(0x81000300);
    stack.pop(2);
    expect(stack.peek()).toBe(0x81000100);
  });

  it('refuses to pop more frames than it holds, and leaves the stack as it was', () => {
    const stack = new ShadowStack();
    stack.pushAll(path(3));
    expect(() => stack.pop(4)).toThrow('shadow stack underflow: popping 4 of 3 frames');
    expect(stack.depth).toBe(3);
  });

  it('unwinds to an earlier depth, and refuses depths it does not have', () => {
    const stack = new ShadowStack();
    stack.pushAll(path(5));
    const depth = stack.depth;
    stack.pushAll(path(4, 0x82000000));
    stack.unwindTo(depth);
    expect(stack.depth).toBe(5);
    expect(stack.peek()).toBe(0x81000040);
    expect(() => stack.unwindTo(6)).toThrow(RangeError);
    expect(() => stack.unwindTo(-1)).toThrow('cannot unwind to depth -1 from 5');
    stack.unwindTo(0);
    expect(stack.depth).toBe(0);
  });

  it('grows past its first 256 frames and keeps them all', () => {
    const stack = new ShadowStack();
    const frames = path(1000);
    stack.pushAll(frames);
    const out = new Uint32Array(1000);
    expect(stack.save(out, 1000, 0)).toBe(1000);
    expect(Array.from(out)).toEqual(Array.from(frames).reverse());
  });
});

describe('ShadowStack.save() (save_stack_trace / stack_trace_save)', () => {
  const stack = new ShadowStack();
  stack.pushAll(path(20));

  it('copies the innermost frames first', () => {
    const buffer = new Uint32Array(4);
    expect(stack.save(buffer, 4, 0)).toBe(4);
    expect(Array.from(buffer)).toEqual([0x81000130, 0x81000120, 0x81000110, 0x81000100]);
  });

  it('skips the innermost `skip` frames (the capturing functions themselves)', () => {
    const buffer = new Uint32Array(16);
    expect(stack.save(buffer, 16, 2)).toBe(16);
    expect(buffer[0]).toBe(0x81000110);
    expect(buffer[15]).toBe(0x81000020);
  });

  it('stops at max, and at the bottom of the stack', () => {
    const buffer = new Uint32Array(64);
    expect(stack.save(buffer, 16, 0)).toBe(16);
    expect(stack.save(buffer, 64, 0)).toBe(20);
    expect(stack.save(buffer, 64, 17)).toBe(3);
    expect(stack.save(buffer, 64, 20)).toBe(0);
    expect(stack.save(buffer, 64, 25)).toBe(0);
    expect(stack.save(buffer, 0, 0)).toBe(0);
  });

  it('writes only the frames it reports: the rest of a reused buffer is left alone', () => {
    const buffer = new Uint32Array(16).fill(0xdead);
    expect(stack.save(buffer, 16, 18)).toBe(2);
    expect(Array.from(buffer.subarray(0, 3))).toEqual([0x81000010, 0x81000000, 0xdead]);
    // The same buffer again, for a deeper capture: reused as it is.
    expect(stack.save(buffer, 16, 0)).toBe(16);
    expect(buffer[0]).toBe(0x81000130);
  });

  it('never reports more frames than the buffer holds', () => {
    const buffer = new Uint32Array(8);
    expect(stack.save(buffer, 16, 0)).toBe(8);
    expect(buffer[7]).toBe(0x810000c0);
  });

  it('behaves like a plain array model under any sequence of operations', () => {
    type Operation =
      | { kind: 'push'; address: number }
      | { kind: 'pushAll'; addresses: number[] }
      | { kind: 'pop'; count: number }
      | { kind: 'unwind'; depth: number }
      | { kind: 'save'; max: number; skip: number };
    const operation: fc.Arbitrary<Operation> = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), address: fc.integer({ min: 0, max: 0xffffffff }) }),
      fc.record({
        kind: fc.constant('pushAll' as const),
        addresses: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 300 }),
      }),
      fc.record({ kind: fc.constant('pop' as const), count: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('unwind' as const), depth: fc.integer({ min: 0, max: 400 }) }),
      fc.record({
        kind: fc.constant('save' as const),
        max: fc.integer({ min: 0, max: 70 }),
        skip: fc.integer({ min: 0, max: 10 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const stack = new ShadowStack();
        const model: number[] = [];
        const buffer = new Uint32Array(64);
        for (const step of operations) {
          switch (step.kind) {
            case 'push':
              stack.push(step.address);
              model.push(step.address);
              break;
            case 'pushAll':
              stack.pushAll(step.addresses);
              model.push(...step.addresses);
              break;
            case 'pop':
              if (step.count > model.length) {
                expect(() => stack.pop(step.count)).toThrow(RangeError);
              } else {
                stack.pop(step.count);
                model.length -= step.count;
              }
              break;
            case 'unwind':
              if (step.depth > model.length) {
                expect(() => stack.unwindTo(step.depth)).toThrow(RangeError);
              } else {
                stack.unwindTo(step.depth);
                model.length = step.depth;
              }
              break;
            case 'save': {
              const expected = model
                .slice(0, Math.max(0, model.length - step.skip))
                .reverse()
                .slice(0, Math.min(step.max, buffer.length));
              const count = stack.save(buffer, step.max, step.skip);
              expect(Array.from(buffer.subarray(0, count))).toEqual(expected);
              break;
            }
          }
          expect(stack.depth).toBe(model.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('ShadowStack allocation', () => {
  const NativeUint32Array = globalThis.Uint32Array;
  afterEach(() => {
    globalThis.Uint32Array = NativeUint32Array;
  });

  /** Counts every Uint32Array built while `run` runs (the shadow stack's only kind of allocation). */
  function countArrays(run: () => void): number {
    let built = 0;
    globalThis.Uint32Array = class extends NativeUint32Array {
      constructor(...args: ConstructorParameters<typeof NativeUint32Array>) {
        super(...args);
        built++;
      }
    } as typeof NativeUint32Array;
    try {
      run();
    } finally {
      globalThis.Uint32Array = NativeUint32Array;
    }
    return built;
  }

  it('captures into the caller buffer without building any array, within its capacity', () => {
    const stack = new ShadowStack();
    const frames = path(16);
    const buffer = new Uint32Array(16);
    const built = countArrays(() => {
      for (let round = 0; round < 1000; round++) {
        const depth = stack.depth;
        stack.pushAll(frames);
        stack.save(buffer, 16, 2);
        stack.unwindTo(depth);
      }
    });
    expect(built).toBe(0);
    // The counter does see the one allocation the stack makes: growing past its capacity.
    const deep = path(300);
    expect(countArrays(() => stack.pushAll(deep))).toBe(1);
  });
});

describe('ShadowStack.stamp()', () => {
  it('stays while the frames below stay, changes with a push that remains, and returns with the same frames', () => {
    const stack = new ShadowStack();
    expect(stack.stamp()).toBe(0);
    stack.pushAll([0x81000010, 0x81000020]);
    const caller = stack.stamp();
    expect(caller).not.toBe(0);
    // A callee pushes and returns: the caller's stack is the same stack.
    stack.pushAll([0x81000030, 0x81000040]);
    const callee = stack.stamp();
    expect(callee).not.toBe(caller);
    stack.unwindTo(2);
    expect(stack.stamp()).toBe(caller);
    // The same callee entered again: the same frames, the same stamp.
    stack.pushAll([0x81000030, 0x81000040]);
    expect(stack.stamp()).toBe(callee);
    stack.unwindTo(2);
    // Another callee at that depth takes the slot: entering the first one again is a new stamp, never a stale one.
    stack.push(0x81000050);
    expect(stack.stamp()).not.toBe(callee);
    stack.pop();
    stack.pushAll([0x81000030, 0x81000040]);
    expect(stack.stamp()).not.toBe(callee);
    // The same frame on another stack below is another stamp.
    stack.unwindTo(0);
    stack.pushAll([0x81000011, 0x81000020]);
    expect(stack.stamp()).not.toBe(caller);
    // Stamps survive the stack growing.
    const grown = stack.stamp();
    stack.pushAll(Array.from({ length: 300 }, (_, index) => 0x81001000 + index));
    stack.unwindTo(2);
    expect(stack.stamp()).toBe(grown);
  });

  it('is equal at two moments only if the frames are (random pushes, pops and unwinds)', () => {
    const operation = fc.oneof(
      fc.record({ push: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }) }),
      fc.record({ pop: fc.integer({ min: 1, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const stack = new ShadowStack();
        const frames: number[] = [];
        // Every stamp seen, with the frames it stood for.
        const seen = new Map<number, string>([[0, '']]);
        for (const step of operations) {
          if ('push' in step) {
            stack.pushAll(step.push);
            frames.push(...step.push);
          } else {
            const depth = Math.max(frames.length - step.pop, 0);
            stack.unwindTo(depth);
            frames.length = depth;
          }
          const key = frames.join(',');
          const stamp = stack.stamp();
          expect(seen.get(stamp) ?? key).toBe(key);
          seen.set(stamp, key);
        }
      }),
    );
  });
});

describe('ShadowStack.savesSame()', () => {
  it('answers what pushing, saving and comparing would, and leaves the stack as it was', () => {
    // Frames from a small alphabet, so that equal captures are common.
    const frames = (maxLength: number) => fc.array(fc.integer({ min: 1, max: 3 }), { maxLength });
    fc.assert(
      fc.property(
        frames(24),
        frames(6),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 8 }),
        frames(20),
        fc.boolean(),
        (below, top, max, skip, other, useCapture) => {
          const stack = new ShadowStack();
          stack.pushAll(below);
          const stamp = stack.stamp();
          // The reference: push, save, unwind.
          const capture = new Uint32Array(20);
          stack.pushAll(top);
          const captured = stack.save(capture, max, skip);
          stack.unwindTo(below.length);
          // Frames left above the top by a callee that returned are not on the stack.
          stack.pushAll(top.map((frame) => frame + 10));
          stack.unwindTo(below.length);
          // Half the time the capture itself (must match), else any frames (match only if equal).
          const expected = useCapture ? capture.slice() : Uint32Array.from(other);
          const count = useCapture ? captured : other.length;
          const same =
            count === captured && expected.subarray(0, count).every((frame, index) => frame === capture[index]);
          expect(stack.savesSame(top, max, skip, expected, count)).toBe(same);
          expect(stack.depth).toBe(below.length);
          expect(stack.stamp()).toBe(stamp);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
