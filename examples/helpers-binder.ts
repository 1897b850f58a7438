/**
 * The Rust binder driver's Process/Node locking (drivers/android/binder/process.rs, node.rs):
 *   Process { inner: SpinLock<ProcessInner> ("Process::inner"), node_refs: Mutex<ProcessNodeRefs>
 *   ("Process::node_refs"; "Node references are in a different lock to avoid recursive acquisition
 *   when incrementing/decrementing a node in another process") }
 *   Node { owner: Arc<Process>, inner: LockedBy<NodeInner, ProcessInner> } (LockedBy::new(&owner.inner, …))
 *   Process::update_ref(): let mut refs = self.node_refs.lock(); … info.node_ref().update(inc, strong)
 *     → the node's count, under its *owner's* inner (another process's lock of the same class)
 *   Process { freeze_wait: CondVar }; Process::ioctl_freeze(): `let mut inner = self.inner.lock();` …
 *     `while jiffies > 0 { if inner.outstanding_txns == 0 { break; } match self.freeze_wait
 *     .wait_interruptible_timeout(&mut inner, jiffies) { Signal => return Err(ERESTARTSYS), Woken {
 *     jiffies: remaining } => jiffies = remaining, Timeout => jiffies = 0 } }`, then EAGAIN if
 *     transactions are still pending; Process::drop_outstanding_txn(): under inner,
 *     `outstanding_txns -= 1`, and `self.freeze_wait.notify_all()` once a frozen process has none.
 */
import { createKernel, helper, type KernelOptions, LockedBy, takes } from '../src/index.js'

/** The errors binder returns here (include/uapi/asm-generic/errno-base.h, linux/errno.h). */
export const EAGAIN = 11
export const ERESTARTSYS = 512

export interface NodeInner {
  strong: number
  weak: number
}

export const BINDER_ORDER = ['Process::node_refs', 'Process::inner'] as const

export const binder = (options: Omit<KernelOptions, 'lockOrder'> = {}) => {
  const kernel = createKernel({ ...options, lockOrder: BINDER_ORDER })
  const newProcess = (pid: number) => ({
    pid,
    inner: kernel.spinLock('Process::inner', { outstandingTxns: 0, isDead: false, isFrozen: false }),
    nodeRefs: kernel.mutex('Process::node_refs', { byHandle: new Map<number, Node>() }),
    freezeWait: kernel.condVar('Process::freeze_wait'),
  })
  type Process = ReturnType<typeof newProcess>
  interface Node {
    readonly debugId: number
    readonly owner: Process
    readonly inner: LockedBy<NodeInner, Process['inner']>
  }
  const newNode = (owner: Process, debugId: number): Node => ({ debugId, owner, inner: new LockedBy(owner.inner, { strong: 0, weak: 0 }) })

  // Two processes: any instance names the lock classes in a helper's declaration.
  const server = newProcess(100)
  const client = newProcess(200)

  /** Node::update_refcount_locked(…, owner_inner: &mut ProcessInner): the LockedBy field, shown the owner. */
  const updateRefcountLocked = helper({ name: 'Node::update_refcount_locked', mustHold: [server.inner] }, (ctx, node: Node, inc: boolean) => {
    const inner = node.inner.access(ctx)
    inner.strong += inc ? 1 : -1
    return inner.strong
  })
  /** Node::update_refcount(): self.owner.inner.lock(), then the locked form. */
  const updateRefcount = helper(
    { name: 'Node::update_refcount', takes: [takes(server.inner)], calls: [updateRefcountLocked] },
    (ctx, node: Node, inc: boolean) => node.owner.inner.withLocked(ctx, (ctx) => updateRefcountLocked(ctx, node, inc)),
  )
  /** Process::update_ref(): self.node_refs.lock(), then the node's count under its owner's inner. */
  const updateRef = helper(
    { name: 'Process::update_ref', takes: [takes(server.nodeRefs)], calls: [updateRefcount] },
    (ctx, proc: Process, handle: number, inc: boolean) =>
      proc.nodeRefs.withLocked(ctx, (ctx, refs) => {
        const node = refs.byHandle.get(handle)
        return node === undefined ? -1 : updateRefcount(ctx, node, inc)
      }),
  )
  /** insert_or_update_handle(): node_refs, then "ensure the process is still alive" under inner. */
  const insertHandle = helper(
    { name: 'Process::insert_or_update_handle', takes: [takes(server.nodeRefs), takes(server.inner)] },
    (ctx, proc: Process, handle: number, node: Node) =>
      proc.nodeRefs.withLocked(ctx, (ctx, refs) =>
        proc.inner.withLocked(ctx, (_ctx, inner) => {
          if (!inner.isDead) refs.byHandle.set(handle, node)
          return !inner.isDead
        }),
      ),
  )

  /** Process::ioctl_freeze(): wait, with inner held across the CondVar's sleeps, for the outstanding transactions. */
  const ioctlFreeze = helper({ name: 'Process::ioctl_freeze', takes: [takes(server.inner)], mightSleep: true }, (ctx, proc: Process, timeoutMs: number) => {
    using inner = proc.inner.lock(ctx)
    inner.data.isFrozen = true
    let jiffies = timeoutMs
    while (jiffies > 0) {
      if (inner.data.outstandingTxns === 0) break
      const r = proc.freezeWait.waitInterruptibleTimeout(inner, jiffies)
      if (r.tag === 'Signal') {
        inner.data.isFrozen = false
        return -ERESTARTSYS
      }
      jiffies = r.tag === 'Woken' ? r.jiffies : 0
    }
    if (inner.data.outstandingTxns > 0) {
      inner.data.isFrozen = false
      return -EAGAIN
    }
    return 0
  })
  /** Process::drop_outstanding_txn(): the count under inner; notify_all() after the lock is dropped. */
  const dropOutstandingTxn = helper({ name: 'Process::drop_outstanding_txn', takes: [takes(server.inner)] }, (ctx, proc: Process) => {
    const wake = proc.inner.withLocked(ctx, (_ctx, inner) => {
      if (inner.outstandingTxns === 0) return false
      inner.outstandingTxns -= 1
      return inner.isFrozen && inner.outstandingTxns === 0
    })
    if (wake) proc.freezeWait.notifyAll(ctx)
  })

  return { kernel, server, client, newProcess, newNode, updateRefcountLocked, updateRefcount, updateRef, insertHandle, ioctlFreeze, dropOutstandingTxn }
}
