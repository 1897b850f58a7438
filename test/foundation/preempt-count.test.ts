import { describe, expect, it } from 'vitest'
import {
  HARDIRQ_BITS,
  HARDIRQ_MASK,
  HARDIRQ_OFFSET,
  HARDIRQ_SHIFT,
  NMI_BITS,
  NMI_MASK,
  NMI_OFFSET,
  NMI_SHIFT,
  PREEMPT_BITS,
  PREEMPT_DISABLE_OFFSET,
  PREEMPT_FIELDS,
  PREEMPT_MASK,
  PREEMPT_NEED_RESCHED,
  PREEMPT_OFFSET,
  PREEMPT_SHIFT,
  SOFTIRQ_BITS,
  SOFTIRQ_DISABLE_OFFSET,
  SOFTIRQ_MASK,
  SOFTIRQ_OFFSET,
  SOFTIRQ_SHIFT,
  fieldValue,
  formatPreemptCount,
  preemptLockOffset,
  softirqLockOffset,
} from '../../src/machine/preempt-count.js'
import { preemptCountLayout } from '../../src/index.js'

describe('preempt_count layout (include/linux/preempt.h)', () => {
  it('has the kernel masks', () => {
    expect(PREEMPT_MASK).toBe(0x000000ff)
    expect(SOFTIRQ_MASK).toBe(0x0000ff00)
    expect(HARDIRQ_MASK).toBe(0x000f0000)
    expect(NMI_MASK).toBe(0x00f00000)
    expect(PREEMPT_NEED_RESCHED).toBe(0x80000000)
  })

  it('has the kernel offsets', () => {
    expect(PREEMPT_OFFSET).toBe(1)
    expect(SOFTIRQ_OFFSET).toBe(0x100)
    expect(SOFTIRQ_DISABLE_OFFSET).toBe(0x200)
    expect(HARDIRQ_OFFSET).toBe(0x10000)
    expect(NMI_OFFSET).toBe(0x100000)
    expect(PREEMPT_DISABLE_OFFSET).toBe(PREEMPT_OFFSET)
  })

  it('has the kernel bit widths and shifts', () => {
    expect([PREEMPT_BITS, SOFTIRQ_BITS, HARDIRQ_BITS, NMI_BITS]).toEqual([8, 8, 4, 4])
    expect(PREEMPT_SHIFT).toBe(0)
    expect(SOFTIRQ_SHIFT).toBe(8)
    expect(HARDIRQ_SHIFT).toBe(16)
    expect(NMI_SHIFT).toBe(20)
  })

  it('has fields that do not overlap and leave need-resched alone', () => {
    const masks = [PREEMPT_MASK, SOFTIRQ_MASK, HARDIRQ_MASK, NMI_MASK]
    for (let i = 0; i < masks.length; i++) {
      for (let j = i + 1; j < masks.length; j++) expect((masks[i] ?? 0) & (masks[j] ?? 0)).toBe(0)
      expect(((masks[i] ?? 0) & PREEMPT_NEED_RESCHED) >>> 0).toBe(0)
    }
    expect(PREEMPT_FIELDS.map((f) => [f.name, f.mask, f.shift])).toEqual([
      ['preempt', 0xff, 0],
      ['softirq', 0xff00, 8],
      ['hardirq', 0xf0000, 16],
      ['nmi', 0xf00000, 20],
    ])
  })

  it('computes the lock offsets: PREEMPT_LOCK_OFFSET is 0 on RT', () => {
    expect(preemptLockOffset(false)).toBe(1)
    expect(preemptLockOffset(true)).toBe(0)
    expect(softirqLockOffset(false)).toBe(0x201)
    expect(softirqLockOffset(true)).toBe(0x200)
  })

  it('reads fields and formats like %08x', () => {
    const hardirq = PREEMPT_FIELDS[2]
    const nmi = PREEMPT_FIELDS[3]
    if (hardirq === undefined || nmi === undefined) throw new Error('fields missing')
    expect(fieldValue(0x10203, hardirq)).toBe(1)
    expect(fieldValue(0x110000, nmi)).toBe(1)
    expect(fieldValue(0x110000, hardirq)).toBe(1)
    expect(formatPreemptCount(0x101)).toBe('0x00000101')
    expect(formatPreemptCount(0x80000000)).toBe('0x80000000')
  })

  it('is exported from the public surface unchanged', () => {
    expect(preemptCountLayout.SOFTIRQ_DISABLE_OFFSET).toBe(0x200)
    expect(preemptCountLayout.NMI_MASK).toBe(0x00f00000)
  })
})
