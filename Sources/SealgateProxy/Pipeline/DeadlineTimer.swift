import NIOCore

/// A deadline that moves with every request, watched by at most one scheduled task.
///
/// Moving the deadline later schedules nothing: the pending task, when it fires early, re-arms itself for the
/// deadline current then. So a kept-alive connection schedules a task about once per timeout period instead of
/// scheduling and cancelling one per request. Used on its channel's event loop only.
struct DeadlineTimer {
    /// The deadline now, `nil` when nothing is watched.
    private var deadline: NIODeadline?
    private var task: Scheduled<Void>?
    private var taskFiresAt = NIODeadline.uptimeNanoseconds(0)

    /// Watches `deadline`; `expire` is called on the event loop once it may have passed, and must call
    /// ``expired(now:eventLoop:expire:)`` to learn whether it has.
    mutating func set(_ deadline: NIODeadline, eventLoop: any EventLoop, expire: @escaping () -> Void) {
        self.deadline = deadline
        if self.task != nil, self.taskFiresAt <= deadline { return }
        self.task?.cancel()
        self.schedule(at: deadline, eventLoop: eventLoop, expire: expire)
    }

    /// Stops watching; a pending task stays scheduled (it finds no deadline and does nothing) unless `cancelTask`.
    mutating func clear(cancelTask: Bool = false) {
        self.deadline = nil
        if cancelTask {
            self.task?.cancel()
            self.task = nil
        }
    }

    /// For `expire`: whether the deadline has passed, in which case it is cleared. If one is set and has not
    /// passed, the timer re-arms for it.
    mutating func expired(now: NIODeadline, eventLoop: any EventLoop, expire: @escaping () -> Void) -> Bool {
        self.task = nil
        guard let deadline = self.deadline else { return false }
        guard now >= deadline else {
            self.schedule(at: deadline, eventLoop: eventLoop, expire: expire)
            return false
        }
        self.deadline = nil
        return true
    }

    private mutating func schedule(at time: NIODeadline, eventLoop: any EventLoop, expire: @escaping () -> Void) {
        self.taskFiresAt = time
        self.task = eventLoop.assumeIsolated().scheduleTask(deadline: time, expire)
    }
}
