/** A counting semaphore with a FIFO queue: at most `capacity` holders, waiters served in arrival order. */
export class Slots {
    capacity;
    #free;
    #queue = [];
    constructor(capacity) {
        this.capacity = capacity;
        if (!Number.isInteger(capacity) || capacity < 1)
            throw new Error(`slot capacity must be >= 1, got ${capacity}`);
        this.#free = capacity;
    }
    get waiting() {
        return this.#queue.length;
    }
    get inUse() {
        return this.capacity - this.#free;
    }
    /**
     * Resolves with a release function once a slot is free. Aborting while queued leaves the queue and
     * rejects with the signal's reason; a granted slot must be released exactly once (extra calls are ignored).
     */
    acquire(signal) {
        if (signal?.aborted)
            return Promise.reject(signal.reason);
        let released = false;
        const release = () => {
            if (released)
                return;
            released = true;
            const next = this.#queue.shift();
            if (next)
                next.grant();
            else
                this.#free++;
        };
        if (this.#free > 0) {
            this.#free--;
            return Promise.resolve(release);
        }
        return new Promise((resolve, reject) => {
            const waiter = {
                grant: () => {
                    signal?.removeEventListener('abort', onAbort);
                    resolve(release);
                },
            };
            const onAbort = () => {
                const i = this.#queue.indexOf(waiter);
                if (i !== -1)
                    this.#queue.splice(i, 1);
                reject(signal?.reason);
            };
            signal?.addEventListener('abort', onAbort, { once: true });
            this.#queue.push(waiter);
        });
    }
}
//# sourceMappingURL=slots.js.map